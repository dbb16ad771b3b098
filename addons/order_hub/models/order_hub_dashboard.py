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
# the counts of the funnel and the order KPIs, in the order of the pass over the orders
ORDER_FACTS = (
    "received",
    "paid",
    "confirmed",
    "shipped",
    "delivered",
    "pay_measured",
    "pay_on_time",
    "ship_measured",
    "ship_on_time",
    "delivery_measured",
    "delivery_kept",
    "gifts",
    "gifts_delivered",
)
REPORT_ORDER_TABLE = """
CREATE TABLE IF NOT EXISTS order_hub_report_order (
    bucket timestamp NOT NULL,
    company_id integer NOT NULL DEFAULT 0,
    source varchar NOT NULL DEFAULT '',
    merged boolean NOT NULL DEFAULT FALSE,
    received integer NOT NULL DEFAULT 0,
    paid integer NOT NULL DEFAULT 0,
    confirmed integer NOT NULL DEFAULT 0,
    shipped integer NOT NULL DEFAULT 0,
    delivered integer NOT NULL DEFAULT 0,
    pay_measured integer NOT NULL DEFAULT 0,
    pay_on_time integer NOT NULL DEFAULT 0,
    ship_measured integer NOT NULL DEFAULT 0,
    ship_on_time integer NOT NULL DEFAULT 0,
    delivery_measured integer NOT NULL DEFAULT 0,
    delivery_kept integer NOT NULL DEFAULT 0,
    gifts integer NOT NULL DEFAULT 0,
    gifts_delivered integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS order_hub_report_order_bucket_idx ON order_hub_report_order (bucket, company_id);
CREATE INDEX IF NOT EXISTS order_hub_report_order_unmerged_idx
    ON order_hub_report_order (bucket, company_id, source) WHERE NOT merged;
"""
# the columns of sale_order that the order aggregate reads
REPORT_ORDER_COLUMNS = (
    "create_date",
    "company_id",
    "hub_in_scope",
    "hub_source",
    "hub_paid_at",
    "hub_confirmed_at",
    "hub_shipped_at",
    "hub_delivered_at",
    "hub_pay_confirm_late",
    "hub_promised_ship_date",
    "hub_promised_delivery_date",
    "hub_gift_line_count",
    "hub_gift_line_delivered",
)
# What one order adds to the hourly order aggregate, times ``sign`` (1 or -1),
# read from the order's row as jsonb: the promise columns of
# order_hub_logistics may be missing (then NULL), and no column that goes away
# with an addon can break a write of the orders.
REPORT_ORDER_ROW = """
CREATE OR REPLACE FUNCTION order_hub_report_order_row(j jsonb, sign integer)
RETURNS TABLE (
    bucket timestamp, company_id integer, source varchar, received integer, paid integer,
    confirmed integer, shipped integer, delivered integer, pay_measured integer, pay_on_time integer,
    ship_measured integer, ship_on_time integer, delivery_measured integer, delivery_kept integer,
    gifts integer, gifts_delivered integer
) LANGUAGE sql STABLE AS $fn$
    SELECT date_trunc('hour', (j->>'create_date')::timestamp),
           COALESCE((j->>'company_id')::integer, 0),
           COALESCE(j->>'hub_source', ''),
           sign,
           sign * (j->>'hub_paid_at' IS NOT NULL)::integer,
           sign * (j->>'hub_confirmed_at' IS NOT NULL)::integer,
           sign * (j->>'hub_shipped_at' IS NOT NULL)::integer,
           sign * (j->>'hub_delivered_at' IS NOT NULL)::integer,
           sign * (j->>'hub_paid_at' IS NOT NULL AND j->>'hub_confirmed_at' IS NOT NULL)::integer,
           sign * (j->>'hub_paid_at' IS NOT NULL AND j->>'hub_confirmed_at' IS NOT NULL
                   AND NOT COALESCE((j->>'hub_pay_confirm_late')::boolean, FALSE))::integer,
           sign * (j->>'hub_shipped_at' IS NOT NULL AND j->>'hub_promised_ship_date' IS NOT NULL)::integer,
           sign * COALESCE((j->>'hub_shipped_at')::timestamp
                           <= (j->>'hub_promised_ship_date')::timestamp, FALSE)::integer,
           sign * (j->>'hub_delivered_at' IS NOT NULL
                   AND j->>'hub_promised_delivery_date' IS NOT NULL)::integer,
           sign * COALESCE((j->>'hub_delivered_at')::timestamp
                           <= (j->>'hub_promised_delivery_date')::timestamp, FALSE)::integer,
           CASE WHEN j->>'hub_shipped_at' IS NOT NULL
                THEN sign * COALESCE((j->>'hub_gift_line_count')::integer, 0) ELSE 0 END,
           CASE WHEN j->>'hub_shipped_at' IS NOT NULL
                THEN sign * COALESCE((j->>'hub_gift_line_delivered')::integer, 0) ELSE 0 END
     WHERE COALESCE((j->>'hub_in_scope')::boolean, FALSE)
$fn$;
"""
# insert the sums of ``changes`` (j jsonb, sign) per (hour, company, channel), non-zero ones only;
# OFFSET 0: each row's jsonb is made once (the inlined function reads it 30 times)
_REPORT_ORDER_INSERT = """
    INSERT INTO order_hub_report_order (
        bucket, company_id, source, received, paid, confirmed, shipped, delivered, pay_measured,
        pay_on_time, ship_measured, ship_on_time, delivery_measured, delivery_kept, gifts, gifts_delivered)
    SELECT f.bucket, f.company_id, f.source, sum(f.received), sum(f.paid), sum(f.confirmed),
           sum(f.shipped), sum(f.delivered), sum(f.pay_measured), sum(f.pay_on_time),
           sum(f.ship_measured), sum(f.ship_on_time), sum(f.delivery_measured), sum(f.delivery_kept),
           sum(f.gifts), sum(f.gifts_delivered)
      FROM (SELECT * FROM (CHANGES) AS changes OFFSET 0) AS c
     CROSS JOIN LATERAL order_hub_report_order_row(c.j, c.sign) f
     GROUP BY 1, 2, 3
    HAVING sum(f.received) <> 0 OR sum(f.paid) <> 0 OR sum(f.confirmed) <> 0 OR sum(f.shipped) <> 0
        OR sum(f.delivered) <> 0 OR sum(f.pay_measured) <> 0 OR sum(f.pay_on_time) <> 0
        OR sum(f.ship_measured) <> 0 OR sum(f.ship_on_time) <> 0 OR sum(f.delivery_measured) <> 0
        OR sum(f.delivery_kept) <> 0 OR sum(f.gifts) <> 0 OR sum(f.gifts_delivered) <> 0;
"""
_NEW = "SELECT to_jsonb(n) AS j, 1 AS sign FROM order_hub_new n"
_OLD = "SELECT to_jsonb(o) AS j, -1 AS sign FROM order_hub_old o"
# Statement triggers on sale_order (transition tables): every insert, update
# and delete of orders, by the ORM or in SQL, adds the change of the counts
# as new rows (insert-only: concurrent writers never wait for each other);
# ``_cron_compact_report_orders`` merges them.
REPORT_ORDER_TRIGGERS = (
    """
CREATE OR REPLACE FUNCTION order_hub_report_order_delta() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN"""
    + _REPORT_ORDER_INSERT.replace("CHANGES", _NEW)
    + """
    ELSIF TG_OP = 'DELETE' THEN"""
    + _REPORT_ORDER_INSERT.replace("CHANGES", _OLD)
    + """
    ELSE"""
    + _REPORT_ORDER_INSERT.replace("CHANGES", f"{_OLD} UNION ALL {_NEW}")
    + """
    END IF;
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS order_hub_report_order_insert ON sale_order;
DROP TRIGGER IF EXISTS order_hub_report_order_update ON sale_order;
DROP TRIGGER IF EXISTS order_hub_report_order_delete ON sale_order;
CREATE TRIGGER order_hub_report_order_insert AFTER INSERT ON sale_order
    REFERENCING NEW TABLE AS order_hub_new
    FOR EACH STATEMENT EXECUTE FUNCTION order_hub_report_order_delta();
CREATE TRIGGER order_hub_report_order_update AFTER UPDATE ON sale_order
    REFERENCING OLD TABLE AS order_hub_old NEW TABLE AS order_hub_new
    FOR EACH STATEMENT EXECUTE FUNCTION order_hub_report_order_delta();
CREATE TRIGGER order_hub_report_order_delete AFTER DELETE ON sale_order
    REFERENCING OLD TABLE AS order_hub_old
    FOR EACH STATEMENT EXECUTE FUNCTION order_hub_report_order_delta();
"""
)
REPORT_ORDER_DROP = """
DROP TRIGGER IF EXISTS order_hub_report_order_insert ON sale_order;
DROP TRIGGER IF EXISTS order_hub_report_order_update ON sale_order;
DROP TRIGGER IF EXISTS order_hub_report_order_delete ON sale_order;
DROP FUNCTION IF EXISTS order_hub_report_order_delta();
DROP FUNCTION IF EXISTS order_hub_report_order_row(jsonb, integer);
"""


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
        cr = self.env.cr
        cr.execute("SELECT to_regclass('order_hub_report_order') IS NULL")
        created = cr.fetchone()[0]
        cr.execute(REPORT_ORDER_TABLE)
        cr.execute(REPORT_ORDER_ROW)
        cr.execute(REPORT_ORDER_TRIGGERS)
        if created:
            # once all the columns of the orders exist (end of the module's loading)
            self.pool.post_init(self._rebuild_report_orders)
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
    def _rebuild_report_orders(self):
        """Rebuild the order aggregate from the orders (install, benchmark).
        The rows go through the triggers' own definition
        (``order_hub_report_order_row``), as a jsonb of the columns it reads
        that this database has (not the whole row: much faster)."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'sale_order' "
            "AND column_name IN %s",
            [REPORT_ORDER_COLUMNS],
        )
        columns = sorted(row[0] for row in cr.fetchall())
        row = SQL(", ").join(SQL("%s, so.%s", column, SQL.identifier(column)) for column in columns)
        cr.execute(
            SQL(
                """
                DELETE FROM order_hub_report_order;
                INSERT INTO order_hub_report_order (
                    bucket, company_id, source, merged, received, paid, confirmed, shipped, delivered,
                    pay_measured, pay_on_time, ship_measured, ship_on_time, delivery_measured, delivery_kept,
                    gifts, gifts_delivered)
                SELECT f.bucket, f.company_id, f.source, TRUE, sum(f.received), sum(f.paid), sum(f.confirmed),
                       sum(f.shipped), sum(f.delivered), sum(f.pay_measured), sum(f.pay_on_time),
                       sum(f.ship_measured), sum(f.ship_on_time), sum(f.delivery_measured),
                       sum(f.delivery_kept), sum(f.gifts), sum(f.gifts_delivered)
                  FROM (SELECT jsonb_build_object(%s) AS j FROM sale_order so
                         WHERE so.hub_in_scope OFFSET 0) c
                 CROSS JOIN LATERAL order_hub_report_order_row(c.j, 1) f
                 GROUP BY 1, 2, 3
                """,
                row,
            )
        )

    @api.model
    def _cron_compact_report_orders(self):
        """Merge the rows added since the last run into one per (hour,
        company, channel). Rows written meanwhile by other transactions are
        not seen here and stay for the next run."""
        self.env.cr.execute(
            """
            WITH changed AS (
                SELECT DISTINCT bucket, company_id, source FROM order_hub_report_order WHERE NOT merged
            ), gone AS (
                DELETE FROM order_hub_report_order r USING changed c
                 WHERE r.bucket = c.bucket AND r.company_id = c.company_id AND r.source = c.source
             RETURNING r.*
            )
            INSERT INTO order_hub_report_order (
                bucket, company_id, source, merged, received, paid, confirmed, shipped, delivered,
                pay_measured, pay_on_time, ship_measured, ship_on_time, delivery_measured, delivery_kept,
                gifts, gifts_delivered)
            SELECT bucket, company_id, source, TRUE, sum(received), sum(paid), sum(confirmed), sum(shipped),
                   sum(delivered), sum(pay_measured), sum(pay_on_time), sum(ship_measured),
                   sum(ship_on_time), sum(delivery_measured), sum(delivery_kept), sum(gifts),
                   sum(gifts_delivered)
              FROM gone
             GROUP BY 1, 2, 3
            HAVING sum(received) <> 0 OR sum(paid) <> 0 OR sum(confirmed) <> 0 OR sum(shipped) <> 0
                OR sum(delivered) <> 0 OR sum(pay_measured) <> 0 OR sum(pay_on_time) <> 0
                OR sum(ship_measured) <> 0 OR sum(ship_on_time) <> 0 OR sum(delivery_measured) <> 0
                OR sum(delivery_kept) <> 0 OR sum(gifts) <> 0 OR sum(gifts_delivered) <> 0
            """
        )

    @api.model
    def _cron_compact(self):
        self._cron_compact_dwell()
        self._cron_compact_report_orders()

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
        """The funnel counts and the KPI counts of the hub's orders received
        in the period, per channel. Kept in ``ctx`` for the funnel and the KPIs.

        The whole hours of the period come from the order aggregate
        (``order_hub_report_order``: the counts per creation hour, company
        and channel, kept by triggers on the orders, so that an order received
        months ago and shipped today moves its hour's counts); the minutes
        before the period's first whole hour from the orders themselves (the
        covering index). Both are exact at any time."""
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
        date_from = ctx["from"]
        first_hour = date_from.replace(minute=0, second=0, microsecond=0)
        if first_hour < date_from:
            first_hour += timedelta(hours=1)
        sums = SQL(", ").join(SQL("sum(%s)::bigint", SQL.identifier(name)) for name in ORDER_FACTS)
        self.env.cr.execute(
            SQL(
                """
                SELECT source, %(sums)s
                  FROM (
                    SELECT source, %(sums)s
                      FROM order_hub_report_order
                     WHERE bucket >= %(first_hour)s AND company_id IN %(companies)s
                     GROUP BY source
                    UNION ALL
                    SELECT COALESCE(hub_source, ''), count(*), count(hub_paid_at), count(hub_confirmed_at),
                           count(hub_shipped_at), count(hub_delivered_at),
                           count(*) FILTER (WHERE hub_paid_at IS NOT NULL AND hub_confirmed_at IS NOT NULL),
                           count(*) FILTER (WHERE hub_paid_at IS NOT NULL AND hub_confirmed_at IS NOT NULL
                                              AND NOT COALESCE(hub_pay_confirm_late, FALSE)),
                           %(ship)s, %(delivery)s,
                           COALESCE(sum(hub_gift_line_count) FILTER (WHERE hub_shipped_at IS NOT NULL), 0),
                           COALESCE(sum(hub_gift_line_delivered) FILTER (WHERE hub_shipped_at IS NOT NULL), 0)
                      FROM sale_order
                     WHERE hub_in_scope AND company_id IN %(companies)s
                       AND create_date >= %(date_from)s AND create_date < %(first_hour)s
                     GROUP BY 1
                  ) AS received (source, %(names)s)
                 GROUP BY source
                HAVING sum(received) > 0
                 ORDER BY 2 DESC, 1
                """,
                sums=sums,
                names=SQL(", ").join(SQL.identifier(name) for name in ORDER_FACTS),
                ship=ship,
                delivery=delivery,
                companies=ctx["companies"],
                first_hour=first_hour,
                date_from=date_from,
            )
        )
        rows = self.env.cr.fetchall()
        totals = [sum(row[index] for row in rows) for index in range(6, 14)]
        ctx["facts"] = {
            "rows": rows,
            "promise": promise,
            "totals": dict(zip(ORDER_FACTS[5:], totals, strict=True)),
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

    def _kpi_self_service(self, ctx):
        """Not measured here: the customer portal (order_hub_portal) measures it."""
        return self._ratio(
            "self_service",
            _("Self-service rate"),
            0,
            0,
            [],
            _("Not measured: Order Hub has no customer self-service portal yet."),
            measured=False,
        )

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

        kpis.append(self._kpi_self_service(ctx))

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
