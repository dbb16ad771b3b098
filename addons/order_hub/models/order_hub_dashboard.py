from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

MANAGER_GROUP = "order_hub.group_order_hub_manager"
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
# funnel steps: (key, column of sale_order, label)
FUNNEL_STEPS = (
    ("received", None),
    ("paid", "hub_paid_at"),
    ("confirmed", "hub_confirmed_at"),
    ("shipped", "hub_shipped_at"),
    ("delivered", "hub_delivered_at"),
)
AT_RISK_SHARE = 0.05
UNHANDLED_AFTER = timedelta(hours=2)
# moves out of a stage that no person made (see order.hub.audit.log sources)
HUB_MADE_SOURCES = ("system", "cron", "webhook")


class OrderHubDashboard(models.AbstractModel):
    """The manager dashboard's reporting layer and figures.

    Every figure is read in SQL from indexed columns or from the dwell
    aggregate (``order_hub_report_dwell``: one insert-only row per stage move
    batch, compacted hourly), never by reading orders through the ORM; each
    comes with the ``sale.order`` domain of the orders behind it.
    """

    _name = "order.hub.dashboard"
    _description = "Order Hub Manager Dashboard"

    def init(self):
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS order_hub_report_dwell (
                bucket timestamp NOT NULL,
                company_id integer NOT NULL DEFAULT 0,
                stage_id integer NOT NULL,
                stays integer NOT NULL,
                hours double precision NOT NULL
            );
            CREATE INDEX IF NOT EXISTS order_hub_report_dwell_bucket_idx
                ON order_hub_report_dwell (bucket, stage_id);
            CREATE INDEX IF NOT EXISTS order_hub_ticket_report_idx
                ON order_hub_ticket (create_date) INCLUDE (company_id, type_id, state);
            """
        )

    # ------------------------------------------------------------------
    # Dwell aggregate (written by the stage-move code)
    # ------------------------------------------------------------------
    @api.model
    def _add_dwell(self, moment, stage_id, rows):
        """Add closed stays ``rows`` = [(company_id, working hours)] of ``stage_id``
        to the hour of ``moment``. Insert-only, so that concurrent moves never
        wait for each other; ``_cron_compact_dwell`` merges the rows."""
        totals = defaultdict(lambda: [0, 0.0])
        for company_id, hours in rows:
            totals[company_id or 0][0] += 1
            totals[company_id or 0][1] += hours or 0.0
        if not totals:
            return
        bucket = moment.replace(minute=0, second=0, microsecond=0)
        self.env.cr.execute(
            "INSERT INTO order_hub_report_dwell (bucket, company_id, stage_id, stays, hours) "
            "SELECT %s, c, %s, s, h FROM unnest(%s::int[], %s::int[], %s::float8[]) AS v(c, s, h)",
            [
                bucket,
                stage_id,
                list(totals),
                [value[0] for value in totals.values()],
                [value[1] for value in totals.values()],
            ],
        )

    @api.model
    def _rebuild_dwell(self):
        """Rebuild the aggregate from the stage history (hub orders only)."""
        self.env.cr.execute(
            """
            DELETE FROM order_hub_report_dwell;
            INSERT INTO order_hub_report_dwell (bucket, company_id, stage_id, stays, hours)
            SELECT date_trunc('hour', h.left_at), COALESCE(h.company_id, 0), h.stage_id,
                   count(*), COALESCE(sum(h.duration_hours), 0)
              FROM order_hub_stage_history h JOIN sale_order so ON so.id = h.order_id
             WHERE h.left_at IS NOT NULL AND so.hub_in_scope
             GROUP BY 1, 2, 3;
            """
        )

    @api.model
    def _cron_compact_dwell(self):
        """Merge the rows of each (hour, company, stage) into one (hourly)."""
        self.env.cr.execute(
            """
            WITH gone AS (
                DELETE FROM order_hub_report_dwell
                 WHERE bucket < date_trunc('hour', now() at time zone 'UTC')
             RETURNING bucket, company_id, stage_id, stays, hours
            )
            INSERT INTO order_hub_report_dwell (bucket, company_id, stage_id, stays, hours)
            SELECT bucket, company_id, stage_id, sum(stays), sum(hours) FROM gone GROUP BY 1, 2, 3
            """
        )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _period_bounds(self, period, now):
        if period in PERIOD_DAYS:
            return now - timedelta(days=PERIOD_DAYS[period]), now
        # today: since midnight in the user's time zone
        tz = pytz.timezone(self.env.user.tz or "Asia/Shanghai")
        local_midnight = datetime.combine(pytz.utc.localize(now).astimezone(tz).date(), time())
        start = tz.localize(local_midnight).astimezone(pytz.utc).replace(tzinfo=None)
        return start, now

    @api.model
    def get_dashboard_data(self, period="30d"):
        """All figures of the dashboard for ``period`` (``today``, ``7d``,
        ``30d``, ``90d``, ``365d``), for the user's allowed companies.
        Managers only."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Order Hub managers can open the manager dashboard."))
        now = fields.Datetime.now()
        date_from, date_to = self._period_bounds(period, now)
        context = {"companies": tuple(self.env.companies.ids), "from": date_from, "to": date_to, "now": now}
        return {
            "period": period,
            "date_from": fields.Datetime.to_string(date_from),
            "date_to": fields.Datetime.to_string(date_to),
            "refreshed_at": fields.Datetime.to_string(now),
            "funnel": self._funnel(context),
            "dwell": self._dwell(context),
            "tickets": self._tickets(context),
            "health": self._health(context),
            "kpis": self._kpis(context),
        }

    def _base_domain(self, ctx):
        return [
            ("hub_in_scope", "=", True),
            ("company_id", "in", list(ctx["companies"])),
            ("create_date", ">=", fields.Datetime.to_string(ctx["from"])),
        ]

    def _order_facts(self, ctx):
        """One pass over the hub's orders received in the period (the covering
        index): per channel, the funnel counts and the KPI counts of orders.
        Kept in ``ctx`` for the funnel and the KPIs."""
        if "facts" in ctx:
            return ctx["facts"]
        self.env.flush_all()
        order_fields = self.env["sale.order"]._fields
        promise = {
            "ship": "hub_promised_ship_date" in order_fields,
            "delivery": "hub_promised_delivery_date" in order_fields,
        }
        ship = (
            SQL(
                "count(*) FILTER (WHERE hub_shipped_at IS NOT NULL AND hub_promised_ship_date IS NOT NULL), "
                "count(*) FILTER (WHERE hub_shipped_at <= hub_promised_ship_date)"
            )
            if promise["ship"]
            else SQL("0, 0")
        )
        delivery = (
            SQL(
                "count(*) FILTER (WHERE hub_delivered_at IS NOT NULL "
                "AND hub_promised_delivery_date IS NOT NULL), "
                "count(*) FILTER (WHERE hub_delivered_at <= hub_promised_delivery_date)"
            )
            if promise["delivery"]
            else SQL("0, 0")
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT hub_source, count(*), count(hub_paid_at), count(hub_confirmed_at),
                       count(hub_shipped_at), count(hub_delivered_at),
                       count(*) FILTER (WHERE hub_paid_at IS NOT NULL AND hub_confirmed_at IS NOT NULL),
                       count(*) FILTER (WHERE hub_paid_at IS NOT NULL AND hub_confirmed_at IS NOT NULL
                                          AND NOT COALESCE(hub_pay_confirm_late, FALSE)),
                       %s, %s,
                       COALESCE(sum(hub_gift_line_count) FILTER (WHERE hub_shipped_at IS NOT NULL), 0),
                       COALESCE(sum(hub_gift_line_delivered) FILTER (WHERE hub_shipped_at IS NOT NULL), 0)
                  FROM sale_order
                 WHERE hub_in_scope AND company_id IN %s AND create_date >= %s
                 GROUP BY hub_source
                 ORDER BY count(*) DESC
                """,
                ship,
                delivery,
                ctx["companies"],
                ctx["from"],
            )
        )
        rows = self.env.cr.fetchall()
        totals = [sum(row[index] for row in rows) for index in range(6, 14)]
        ctx["facts"] = {
            "rows": rows,
            "promise": promise,
            "totals": dict(
                zip(
                    (
                        "pay_measured",
                        "pay_on_time",
                        "ship_measured",
                        "ship_on_time",
                        "delivery_measured",
                        "delivery_kept",
                        "gifts",
                        "gifts_delivered",
                    ),
                    totals,
                    strict=True,
                )
            ),
        }
        return ctx["facts"]

    def _funnel(self, ctx):
        fetched = [row[:6] for row in self._order_facts(ctx)["rows"]]
        labels = dict(self.env["sale.order"]._fields["hub_source"]._description_selection(self.env))
        step_labels = {
            "received": _("Received"),
            "paid": _("Paid"),
            "confirmed": _("Confirmed"),
            "shipped": _("Shipped"),
            "delivered": _("Delivered"),
        }
        rows = []
        for source, *counts in fetched:
            domain = [*self._base_domain(ctx), ("hub_source", "=", source or False)]
            steps = []
            for (key, column), count in zip(FUNNEL_STEPS, counts, strict=True):
                step_domain = domain + ([(column, "!=", False)] if column else [])
                steps.append({"key": key, "label": step_labels[key], "count": count, "domain": step_domain})
            rows.append(
                {"channel": source or "", "label": labels.get(source) or _("No Channel"), "steps": steps}
            )
        return rows

    def _dwell(self, ctx):
        bucket_from = ctx["from"].replace(minute=0, second=0, microsecond=0)
        self.env.cr.execute(
            """
            SELECT stage_id, sum(stays), sum(hours) / NULLIF(sum(stays), 0)
              FROM order_hub_report_dwell
             WHERE bucket >= %s AND company_id IN %s
             GROUP BY stage_id
            HAVING sum(stays) > 0
             ORDER BY 3 DESC NULLS LAST, 1
             LIMIT 5
            """,
            [bucket_from, ctx["companies"]],
        )
        rows = self.env.cr.fetchall()
        stages = self.env["order.hub.stage"].with_context(active_test=False).browse([row[0] for row in rows])
        names = {stage.id: stage.name for stage in stages}
        return [
            {
                "stage_id": stage_id,
                "label": names.get(stage_id, ""),
                "stays": stays,
                "avg_hours": round(avg or 0.0, 2),
                "domain": [
                    ("hub_in_scope", "=", True),
                    ("company_id", "in", list(ctx["companies"])),
                    (
                        "hub_stage_history_ids",
                        "any",
                        [
                            ("stage_id", "=", stage_id),
                            ("left_at", ">=", fields.Datetime.to_string(bucket_from)),
                        ],
                    ),
                ],
            }
            for stage_id, stays, avg in rows
        ]

    def _tickets(self, ctx):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT type_id, count(*) FROM order_hub_ticket
             WHERE create_date >= %s AND company_id IN %s
             GROUP BY type_id ORDER BY 2 DESC, 1
            """,
            [ctx["from"], ctx["companies"]],
        )
        rows = self.env.cr.fetchall()
        types = self.env["order.hub.ticket.type"].with_context(active_test=False).browse([r[0] for r in rows])
        names = {ticket_type.id: ticket_type.name for ticket_type in types}
        return [
            {
                "type_id": type_id,
                "label": names.get(type_id, ""),
                "count": count,
                "domain": [
                    ("company_id", "in", list(ctx["companies"])),
                    (
                        "hub_ticket_ids",
                        "any",
                        [
                            ("type_id", "=", type_id),
                            ("create_date", ">=", fields.Datetime.to_string(ctx["from"])),
                        ],
                    ),
                ],
            }
            for type_id, count in rows
        ]

    def _health(self, ctx):
        """The fulfilment health light over the open Order Hub orders with a
        running SLA clock (``hub_sla_deadline`` set):

        * red: at least one of them is *unhandled*: its SLA deadline passed
          more than 2 hours ago and no exception ticket of the order is In
          Progress (nobody has taken it up);
        * yellow: not red, and some order is past its deadline, or more than
          5% of them are at risk or breached (at-risk time reached);
        * green: none is past its deadline and at most 5% are at risk.
        """
        self.env.flush_all()
        now, companies = ctx["now"], ctx["companies"]
        limit = now - UNHANDLED_AFTER
        self.env.cr.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE so.hub_sla_risk_at <= %(now)s),
                   count(*) FILTER (WHERE so.hub_sla_deadline <= %(now)s),
                   count(*) FILTER (
                       WHERE so.hub_sla_deadline <= %(limit)s
                         AND so.id NOT IN (SELECT t.order_id FROM order_hub_ticket t
                                            WHERE t.state = 'in_progress' AND t.order_id IS NOT NULL))
              FROM sale_order so
             WHERE so.hub_in_scope AND so.hub_sla_deadline IS NOT NULL AND so.company_id IN %(companies)s
            """,
            {"now": now, "limit": limit, "companies": companies},
        )
        total, at_risk, breached, unhandled = self.env.cr.fetchone()
        if unhandled:
            state = "red"
        elif breached or (total and at_risk > AT_RISK_SHARE * total):
            state = "yellow"
        else:
            state = "green"
        open_domain = [
            ("hub_in_scope", "=", True),
            ("company_id", "in", list(companies)),
            ("hub_sla_deadline", "!=", False),
        ]
        now_s, limit_s = fields.Datetime.to_string(now), fields.Datetime.to_string(limit)
        return {
            "state": state,
            "open": total,
            "at_risk": at_risk,
            "breached": breached,
            "unhandled": unhandled,
            "at_risk_percent": round(100.0 * at_risk / total, 1) if total else 0.0,
            "domains": {
                "open": open_domain,
                "at_risk": [*open_domain, ("hub_sla_risk_at", "<=", now_s)],
                "breached": [*open_domain, ("hub_sla_deadline", "<=", now_s)],
                "unhandled": [
                    *open_domain,
                    ("hub_sla_deadline", "<=", limit_s),
                    ("hub_ticket_ids", "not any", [("state", "=", "in_progress")]),
                ],
            },
        }

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------
    def _ratio(self, key, label, numerator, denominator, domain, help_text, measured=True):
        return {
            "key": key,
            "label": label,
            "measured": measured,
            "numerator": numerator,
            "denominator": denominator,
            "percent": round(100.0 * numerator / denominator, 1) if measured and denominator else None,
            "domain": domain,
            "help": help_text,
        }

    def _kpis(self, ctx):
        self.env.flush_all()
        cr = self.env.cr
        order_fields = self.env["sale.order"]._fields
        base = self._base_domain(ctx)
        kpis = []

        facts = self._order_facts(ctx)
        totals = facts["totals"]
        measured, on_time = totals["pay_measured"], totals["pay_on_time"]
        kpis.append(
            self._ratio(
                "pay_confirm",
                _("Pay-to-confirm SLA attainment"),
                on_time,
                measured,
                [*base, ("hub_paid_at", "!=", False), ("hub_confirmed_at", "!=", False)],
                _("Paid and confirmed orders confirmed within the company's pay-to-confirm minutes."),
            )
        )

        has_ship_promise = facts["promise"]["ship"]
        measured, on_time = totals["ship_measured"], totals["ship_on_time"]
        kpis.append(
            self._ratio(
                "on_time_ship",
                _("On-time shipment rate"),
                on_time,
                measured,
                [*base, ("hub_shipped_at", "!=", False), ("hub_promised_ship_date", "!=", False)]
                if has_ship_promise
                else [],
                _("Shipped orders with a promised ship time that shipped by it."),
                measured=has_ship_promise,
            )
        )

        has_promise = facts["promise"]["delivery"]
        measured, kept = totals["delivery_measured"], totals["delivery_kept"]
        kpis.append(
            self._ratio(
                "promise",
                _("Promise achievement"),
                kept,
                measured,
                [*base, ("hub_delivered_at", "!=", False), ("hub_promised_delivery_date", "!=", False)]
                if has_promise
                else [],
                _("Delivered orders with a promised delivery time that were delivered by it."),
                measured=has_promise,
            )
        )

        cr.execute(
            """SELECT count(*) FILTER (WHERE state <> 'cancelled'), count(*) FILTER (WHERE state = 'resolved')
                 FROM order_hub_ticket
                WHERE create_date >= %s AND company_id IN %s""",
            [ctx["from"], ctx["companies"]],
        )
        tickets, resolved = cr.fetchone()
        kpis.append(
            self._ratio(
                "ticket_completeness",
                _("Ticket completeness"),
                resolved,
                tickets,
                [
                    ("company_id", "in", list(ctx["companies"])),
                    (
                        "hub_ticket_ids",
                        "any",
                        [
                            ("state", "!=", "cancelled"),
                            ("create_date", ">=", fields.Datetime.to_string(ctx["from"])),
                        ],
                    ),
                ],
                _(
                    "Exception tickets of the period resolved with a complete record "
                    "(solution, who handled it, when), out of those not cancelled."
                ),
            )
        )

        exception = self.env["order.hub.stage"].search([("code", "=", "exception")], limit=1)
        cr.execute(
            """SELECT count(*), count(*) FILTER (WHERE h.left_source IN %s)
                 FROM order_hub_stage_history h JOIN sale_order so ON so.id = h.order_id
                WHERE h.stage_id = %s AND h.left_at >= %s
                  AND so.hub_in_scope AND so.company_id IN %s""",
            [HUB_MADE_SOURCES, exception.id or 0, ctx["from"], ctx["companies"]],
        )
        left, healed = cr.fetchone()
        kpis.append(
            self._ratio(
                "self_healed",
                _("Self-healed exception rate"),
                healed,
                left,
                [
                    ("hub_in_scope", "=", True),
                    ("company_id", "in", list(ctx["companies"])),
                    (
                        "hub_stage_history_ids",
                        "any",
                        [
                            ("stage_id", "=", exception.id),
                            ("left_at", ">=", fields.Datetime.to_string(ctx["from"])),
                        ],
                    ),
                ],
                _(
                    "Orders that left the Exception stage in the period by a business event "
                    "(system, scheduled action, webhook) rather than by a person."
                ),
            )
        )

        gifts, delivered = totals["gifts"], totals["gifts_delivered"]
        kpis.append(
            self._ratio(
                "gift_fulfilment",
                _("Gift fulfilment rate"),
                delivered,
                gifts,
                [*base, ("hub_shipped_at", "!=", False), ("order_line", "any", [("hub_is_gift", "=", True)])],
                _("Gift lines of shipped orders delivered in full."),
            )
        )

        kpis.append(
            self._ratio(
                "self_service",
                _("Self-service rate"),
                0,
                0,
                [],
                _("Not measured: Order Hub has no customer self-service portal yet."),
                measured=False,
            )
        )

        has_writeback = "order.hub.writeback" in self.env and "hub_writeback_failed" in order_fields
        failures = 0
        if has_writeback:
            cr.execute(
                """SELECT count(DISTINCT w.sale_order_id) FROM order_hub_writeback w
                    WHERE w.state = 'failed' AND w.company_id IN %s""",
                [ctx["companies"]],
            )
            failures = cr.fetchone()[0]
        kpis.append(
            {
                "key": "writeback_failures",
                "label": _("Write-back failures"),
                "measured": has_writeback,
                "count": failures,
                "percent": None,
                "domain": [("company_id", "in", list(ctx["companies"])), ("hub_writeback_failed", "=", True)]
                if has_writeback
                else [],
                "help": _("Orders whose shipment or cancellation could not be pushed to the platform (now)."),
            }
        )
        return kpis
