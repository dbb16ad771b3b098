import bisect
import logging
from datetime import timedelta

from pytz import utc

from odoo import api, fields, models

from .order_hub_audit_log import AUDIT_SOURCES

# first entry into one of these stages sets the order's milestone (reporting)
SHIPPED_CODES = ("shipped", "in_transit", "done")
DELIVERED_CODES = ("done",)

_logger = logging.getLogger(__name__)


class OrderHubStageHistory(models.Model):
    """One stay of an order in a stage: when it entered, when it left and the
    working hours in between (the stage's SLA calendar, nights, weekends and
    public holidays excluded, as for the SLA clock).

    Rows are written only by ``sale.order._hub_move_to`` (every stage move)
    and by ``sale.order.create`` (the first stage); existing orders are
    backfilled from the audit trail (:meth:`_backfill_from_audit`). Nobody
    edits them by hand.
    """

    _name = "order.hub.stage.history"
    _description = "Order Hub Stage History"
    _order = "entered_at desc, id desc"
    _rec_name = "stage_id"

    order_id = fields.Many2one("sale.order", string="Order", required=True, ondelete="cascade", readonly=True)
    stage_id = fields.Many2one(
        "order.hub.stage", string="Stage", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    entered_at = fields.Datetime(string="Entered", required=True, readonly=True)
    left_at = fields.Datetime(string="Left", readonly=True)
    duration_hours = fields.Float(
        string="Duration (working hours)",
        readonly=True,
        aggregator="avg",
        help="Working hours between entering and leaving the stage, on the stage's calendar; "
        "empty while the order is still in the stage.",
    )
    left_source = fields.Selection(
        AUDIT_SOURCES,
        string="Left By",
        readonly=True,
        help="Where the move out of the stage came from (as on its audit line): "
        "a person (Web, RPC) or the hub itself (Scheduled Action, Webhook, System).",
    )
    backfilled = fields.Boolean(
        string="From Audit Trail",
        readonly=True,
        help="Rebuilt from the audit trail when stage history was added.",
    )

    def init(self):
        cr = self.env.cr
        # one open stay per order; the order's timeline; dwell per stage over a period
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS order_hub_stage_history_open_uniq
                ON order_hub_stage_history (order_id) WHERE left_at IS NULL;
            CREATE INDEX IF NOT EXISTS order_hub_stage_history_order_entered_idx
                ON order_hub_stage_history (order_id, entered_at);
            CREATE INDEX IF NOT EXISTS order_hub_stage_history_left_stage_idx
                ON order_hub_stage_history (left_at, stage_id) INCLUDE (duration_hours)
                WHERE left_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS order_hub_stage_history_stage_entered_idx
                ON order_hub_stage_history (stage_id, entered_at);
            """
        )

    # ------------------------------------------------------------------
    # Writing (called by the stage-move code only)
    # ------------------------------------------------------------------
    @api.model
    def _hub_record_moves(self, orders, now, source=None):
        """Close the open stay of each order of ``orders`` at ``now`` and open a
        stay in its current stage (already written on the order). Keeps the
        reporting layer up to date: the orders' shipped/delivered milestones
        and the daily dwell aggregate of the hub's orders."""
        if not orders:
            return
        cr = self.env.cr
        history = self.sudo()
        if source is None:
            source = self.env["order.hub.audit.log"]._detect_source()[0]
        # only what the query reads: a flush of everything here, in the middle
        # of a standard flow (a picking validated), computed other fields
        # early (Odoo's sale_stock test_return_with_mto_and_multisteps_old_pull)
        history.flush_model(["order_id", "stage_id", "entered_at", "company_id", "left_at"])
        orders.flush_recordset(["hub_in_scope"])
        cr.execute(
            "SELECT h.id, h.stage_id, h.entered_at, h.company_id, so.hub_in_scope "
            "FROM order_hub_stage_history h JOIN sale_order so ON so.id = h.order_id "
            "WHERE h.order_id IN %s AND h.left_at IS NULL",
            [tuple(orders.ids)],
        )
        open_rows = cr.fetchall()
        stages = self.env["order.hub.stage"].sudo().browse({row[1] for row in open_rows})
        for stage in stages:
            rows = [row for row in open_rows if row[1] == stage.id]
            hours = self._hub_working_hours_many(stage._get_calendar(), [(row[2], now) for row in rows])
            cr.execute(
                "UPDATE order_hub_stage_history h "
                "SET left_at = %s, duration_hours = v.hours, left_source = %s, "
                "write_uid = %s, write_date = now() at time zone 'UTC' "
                "FROM unnest(%s::int[], %s::float8[]) AS v(id, hours) WHERE h.id = v.id",
                [now, source, self.env.uid, [row[0] for row in rows], hours],
            )
            in_scope = [(row[3], hours[index]) for index, row in enumerate(rows) if row[4]]
            self.env["order.hub.dashboard"]._add_dwell(now, stage.id, in_scope)
        self.invalidate_model(["left_at", "duration_hours", "left_source"])
        history.create(
            [
                {
                    "order_id": order.id,
                    "stage_id": order.hub_stage_id.id,
                    "company_id": order.company_id.id,
                    "entered_at": order.hub_stage_entered_at or now,
                }
                for order in orders
                if order.hub_stage_id
            ]
        )
        milestones = {}
        for order in orders:
            code = order.hub_stage_id.code
            vals = {}
            if code in SHIPPED_CODES and not order.hub_shipped_at:
                vals["hub_shipped_at"] = now
            if code in DELIVERED_CODES and not order.hub_delivered_at:
                vals["hub_delivered_at"] = now
            if vals:
                milestones.setdefault(tuple(sorted(vals)), self.env["sale.order"])
                milestones[tuple(sorted(vals))] |= order
        for names, group in milestones.items():
            group.sudo().with_context(mail_notrack=True).write(dict.fromkeys(names, now))

    # ------------------------------------------------------------------
    # Working time of many intervals on one calendar
    # ------------------------------------------------------------------
    @api.model
    def _hub_working_hours_many(self, calendar, pairs):
        """Working hours of each ``(start, end)`` pair (naive UTC datetimes).

        The calendar's working intervals (attendances minus its leaves, as for
        the SLA clock) are computed once over the whole span, then each pair
        is two binary searches in their cumulated durations.
        """
        if not pairs:
            return []
        if not calendar:
            return [max((end - start).total_seconds() / 3600, 0.0) for start, end in pairs]
        span_start = min(start for start, _end in pairs) - timedelta(days=1)
        span_end = max(end for _start, end in pairs) + timedelta(days=1)
        intervals = calendar.sudo()._work_intervals_batch(
            span_start.replace(tzinfo=utc), span_end.replace(tzinfo=utc)
        )[False]
        starts, ends, cumulated = [], [], [0.0]
        for start, stop, _meta in intervals:
            start, stop = (
                start.astimezone(utc).replace(tzinfo=None),
                stop.astimezone(utc).replace(tzinfo=None),
            )
            starts.append(start)
            ends.append(stop)
            cumulated.append(cumulated[-1] + (stop - start).total_seconds())

        def worked_until(moment):
            # seconds worked from span_start to moment
            index = bisect.bisect_right(starts, moment)
            if not index:
                return 0.0
            done = cumulated[index - 1]
            return done + (min(moment, ends[index - 1]) - starts[index - 1]).total_seconds()

        return [
            round(max(worked_until(end) - worked_until(start), 0.0) / 3600, 4) if end > start else 0.0
            for start, end in pairs
        ]

    # ------------------------------------------------------------------
    # Backfill from the audit trail
    # ------------------------------------------------------------------
    @api.model
    def _backfill_from_audit(self):
        """Rebuild the stays of orders that have none, in SQL, from the audit
        lines of their stage moves (a stage is found by any translation of its
        name); an order with no such line gets one open stay from its current
        stage and entry time. Durations are then computed per calendar."""
        cr = self.env.cr
        cr.execute(
            """
            WITH moves AS (
                SELECT a.order_id, a.logged_at, a.id, a.source,
                       (SELECT s.id FROM order_hub_stage s
                         WHERE EXISTS (SELECT 1 FROM jsonb_each_text(s.name) t WHERE t.value = a.new_value)
                         ORDER BY s.id LIMIT 1) AS stage_id
                  FROM order_hub_audit_log a
                 WHERE a.field_name = 'hub_stage_id' AND a.order_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM order_hub_stage_history h WHERE h.order_id = a.order_id)
            ), stays AS (
                SELECT m.order_id, m.stage_id, m.logged_at AS entered_at,
                       lead(m.logged_at) OVER (PARTITION BY m.order_id ORDER BY m.logged_at, m.id) AS left_at,
                       lead(m.source) OVER (PARTITION BY m.order_id ORDER BY m.logged_at, m.id) AS left_source
                  FROM moves m
                 WHERE m.stage_id IS NOT NULL
            )
            INSERT INTO order_hub_stage_history
                (order_id, stage_id, company_id, entered_at, left_at, left_source, backfilled,
                 create_uid, write_uid, create_date, write_date)
            SELECT st.order_id, st.stage_id, so.company_id, st.entered_at,
                   -- the last stay is open only when it is the order's current stage
                   CASE WHEN st.left_at IS NULL AND st.stage_id IS DISTINCT FROM so.hub_stage_id
                        THEN st.entered_at ELSE st.left_at END,
                   COALESCE(st.left_source, CASE WHEN st.stage_id IS DISTINCT FROM so.hub_stage_id
                                                 THEN 'system' END),
                   TRUE, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM stays st JOIN sale_order so ON so.id = st.order_id
            """
        )
        from_audit = cr.rowcount
        # an order without an open stay (no audit trail, or one whose last move
        # is not the current stage): a stay in its current stage
        cr.execute(
            """
            INSERT INTO order_hub_stage_history
                (order_id, stage_id, company_id, entered_at, backfilled,
                 create_uid, write_uid, create_date, write_date)
            SELECT so.id, so.hub_stage_id, so.company_id,
                   COALESCE(so.hub_stage_entered_at, so.create_date), TRUE,
                   1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM sale_order so
             WHERE so.hub_stage_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM order_hub_stage_history h
                                WHERE h.order_id = so.id AND h.left_at IS NULL)
            """
        )
        current_only = cr.rowcount
        self._hub_fill_durations()
        self._hub_backfill_reporting()
        _logger.info(
            "Stage history backfilled: %s stays from the audit trail, %s orders from their current stage",
            from_audit,
            current_only,
        )

    @api.model
    def _hub_backfill_reporting(self):
        """Milestones and the daily dwell aggregate, rebuilt from the history."""
        cr = self.env.cr
        cr.execute(
            """
            UPDATE sale_order so
               SET hub_shipped_at = m.shipped, hub_delivered_at = COALESCE(so.hub_delivered_at, m.delivered)
              FROM (SELECT h.order_id,
                           min(h.entered_at) FILTER (WHERE s.code IN %s) AS shipped,
                           min(h.entered_at) FILTER (WHERE s.code IN %s) AS delivered
                      FROM order_hub_stage_history h JOIN order_hub_stage s ON s.id = h.stage_id
                     WHERE s.code IN %s
                     GROUP BY h.order_id) m
             WHERE so.id = m.order_id AND so.hub_shipped_at IS NULL
            """,
            [SHIPPED_CODES, DELIVERED_CODES, SHIPPED_CODES],
        )
        self.env["order.hub.dashboard"]._rebuild_dwell()
        self.env["sale.order"].invalidate_model(["hub_shipped_at", "hub_delivered_at"])

    @api.model
    def _hub_fill_durations(self, batch=50000):
        """Working hours of closed stays that have none yet, per stage calendar."""
        cr = self.env.cr
        stages = self.env["order.hub.stage"].sudo().with_context(active_test=False).search([])
        for stage in stages:
            while True:
                cr.execute(
                    "SELECT id, entered_at, left_at FROM order_hub_stage_history "
                    "WHERE stage_id = %s AND left_at IS NOT NULL AND duration_hours IS NULL "
                    "ORDER BY id LIMIT %s",
                    [stage.id, batch],
                )
                rows = cr.fetchall()
                if not rows:
                    break
                hours = self._hub_working_hours_many(stage._get_calendar(), [(r[1], r[2]) for r in rows])
                cr.execute(
                    "UPDATE order_hub_stage_history h SET duration_hours = v.hours "
                    "FROM unnest(%s::int[], %s::float8[]) AS v(id, hours) WHERE h.id = v.id",
                    [[r[0] for r in rows], hours],
                )
        self.invalidate_model(["duration_hours"])
