from odoo import api, fields, models

FULFILMENT_SELECTION = [
    ("open", "Open"),
    ("shipped", "Shipped on Platform"),
    ("completed", "Completed on Platform"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_serial = fields.Char(
        string="Hub Serial",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Short serial (D + year and month + sequence) to quote on the phone.",
    )
    channel_id = fields.Many2one(
        "order.hub.channel",
        string="Sales Channel",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    channel_order_ref = fields.Char(string="Platform Order ID", readonly=True, copy=False)
    platform_status = fields.Char(readonly=True, copy=False)
    channel_updated_at = fields.Datetime(
        string="Platform Update Time",
        readonly=True,
        copy=False,
        help="Update time of the platform payload the order reflects; older payloads are ignored.",
    )
    channel_fulfilment = fields.Selection(
        FULFILMENT_SELECTION, string="Platform Fulfilment", default="open", copy=False
    )
    customer_note = fields.Text(help="Remark the buyer left on the platform.")
    channel_notes = fields.Text(
        string="Platform Notes", help="Platform fields mapped to notes (invoice request, etc.)."
    )
    installation_service = fields.Boolean(help="The buyer asked for installation (JD service flag).")
    # the raw payloads are for Order Hub managers: other users read the order
    # (form, export, RPC read) as in standard Odoo
    inbound_order_ids = fields.One2many(
        "order.hub.inbound.order",
        "sale_order_id",
        string="Received Payloads",
        readonly=True,
        groups="order_hub.group_order_hub_manager",
    )

    _sql_constraints = [
        (
            "channel_order_unique",
            "UNIQUE(channel_id, channel_order_ref)",
            "This platform order was already imported for this channel.",
        ),
    ]

    @api.depends("channel_id")
    def _compute_hub_in_scope(self):
        return super()._compute_hub_in_scope()

    def _hub_scope_origin(self):
        # an order imported from a sales channel (platform API or file) is the hub's
        return super()._hub_scope_origin() or bool(self.channel_id)

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if not vals.get("hub_serial"):
                company = vals.get("company_id") or self.env.company.id
                vals["hub_serial"] = sequence.with_company(company).next_by_code("order.hub.serial")
        return super().create(vals_list)
