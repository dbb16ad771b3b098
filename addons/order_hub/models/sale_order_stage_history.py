from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .sale_order import HUB_ROLE_GROUPS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_stage_history_ids = fields.One2many(
        "order.hub.stage.history", "order_id", string="Stage History", readonly=True, groups=HUB_ROLE_GROUPS
    )
    # milestones for the manager dashboard, set by the stage-move code
    # (order.hub.stage.history._hub_record_moves) on the first entry
    hub_shipped_at = fields.Datetime(
        string="Shipped At",
        readonly=True,
        copy=False,
        help="When the order first entered Shipped (or later).",
    )
    hub_delivered_at = fields.Datetime(
        string="Delivered At", readonly=True, copy=False, help="When the order first entered Done."
    )

    # gift lines, kept on the order for the dashboard's gift fulfilment rate
    hub_gift_line_count = fields.Integer(
        string="Gift Lines", compute="_compute_hub_gift_line_counts", store=True, readonly=True
    )
    hub_gift_line_delivered = fields.Integer(
        string="Gift Lines Delivered", compute="_compute_hub_gift_line_counts", store=True, readonly=True
    )

    @api.depends("order_line.hub_is_gift", "order_line.qty_delivered", "order_line.product_uom_qty")
    def _compute_hub_gift_line_counts(self):
        for order in self:
            gifts = order.order_line.filtered("hub_is_gift")
            order.hub_gift_line_count = len(gifts)
            order.hub_gift_line_delivered = len(
                gifts.filtered(lambda line: line.qty_delivered >= line.product_uom_qty)
            )

    def _auto_init(self):
        # filled in SQL, not computed order by order, when the columns are added
        cr = self.env.cr
        if not column_exists(cr, "sale_order", "hub_gift_line_count"):
            create_column(cr, "sale_order", "hub_gift_line_count", "int4")
            create_column(cr, "sale_order", "hub_gift_line_delivered", "int4")
            cr.execute("UPDATE sale_order SET hub_gift_line_count = 0, hub_gift_line_delivered = 0")
            if column_exists(cr, "sale_order_line", "hub_is_gift"):
                cr.execute(
                    """
                    UPDATE sale_order so
                       SET hub_gift_line_count = g.total, hub_gift_line_delivered = g.delivered
                      FROM (SELECT order_id, count(*) AS total,
                                   count(*) FILTER (WHERE qty_delivered >= product_uom_qty) AS delivered
                              FROM sale_order_line WHERE hub_is_gift GROUP BY order_id) g
                     WHERE so.id = g.order_id
                    """
                )
        return super()._auto_init()

    def init(self):
        super().init()
        # the manager dashboard's reporting indexes (see order.hub.dashboard):
        # the funnel and KPIs of a period read only this index (index-only scan)
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'sale_order' "
            "AND column_name IN ('hub_promised_ship_date', 'hub_promised_delivery_date')"
        )
        extra = sorted(row[0] for row in cr.fetchall())
        include = [
            "company_id",
            "hub_source",
            "hub_paid_at",
            "hub_confirmed_at",
            "hub_shipped_at",
            "hub_delivered_at",
            "hub_pay_confirm_late",
            "hub_gift_line_count",
            "hub_gift_line_delivered",
            *extra,
        ]
        name = "sale_order_hub_report_idx" + ("_promise" if extra else "")
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON sale_order (create_date) INCLUDE (%s) WHERE hub_in_scope",
                SQL.identifier(name),
                SQL(", ").join(SQL.identifier(column) for column in include),
            )
        )
        cr.execute(
            """
            -- the first page of the customer service desk and of All Orders (their default order)
            CREATE INDEX IF NOT EXISTS sale_order_hub_cs_desk_idx
                ON sale_order (hub_cs_priority DESC, hub_sla_deadline, date_order DESC) WHERE hub_in_scope;
            CREATE INDEX IF NOT EXISTS sale_order_hub_desk_idx
                ON sale_order (hub_desk_tier DESC, hub_sla_deadline, date_order DESC) WHERE hub_desk_needed;
            CREATE INDEX IF NOT EXISTS sale_order_hub_manager_list_idx
                ON sale_order (hub_sla_deadline, date_order DESC) WHERE hub_in_scope;
            CREATE INDEX IF NOT EXISTS sale_order_hub_health_idx
                ON sale_order (hub_sla_deadline) INCLUDE (hub_sla_risk_at, company_id, id)
                WHERE hub_in_scope AND hub_sla_deadline IS NOT NULL;
            DROP INDEX IF EXISTS sale_order_hub_report_sla_idx;
            DROP INDEX IF EXISTS sale_order_hub_report_period_idx;
            DROP INDEX IF EXISTS sale_order_hub_report_period_idx_promise;
            """
        )
        if extra:
            cr.execute("DROP INDEX IF EXISTS sale_order_hub_report_idx")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def init(self):
        super().init()
        # gift fulfilment on the manager dashboard
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS sale_order_line_hub_gift_idx "
            "ON sale_order_line (order_id) INCLUDE (product_uom_qty, qty_delivered) WHERE hub_is_gift"
        )
