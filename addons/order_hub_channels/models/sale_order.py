from odoo import api, fields, models

from .order_hub_channel import PLATFORM_SELECTION

CHINA_TZ = "Asia/Shanghai"
FULFILMENT_SELECTION = [
    ("open", "Open"),
    ("shipped", "Shipped on Platform"),
    ("completed", "Completed on Platform"),
]


def _source_other(orders):
    orders.write({"hub_source": "other"})


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # the platforms join order_hub's one list of channels, before its own sources
    hub_source = fields.Selection(
        selection_add=[*PLATFORM_SELECTION, ("wecom",)],
        ondelete={platform: _source_other for platform, _label in PLATFORM_SELECTION},
    )
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
    platform_status = fields.Char(string="Platform Status Code", readonly=True, copy=False)
    platform_status_label = fields.Char(
        string="Platform Status",
        compute="_compute_platform_status_label",
        help="The platform's status code with its meaning (Status Mappings), e.g. 20 · To ship.",
    )
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
    # platform-specific fields (JD installation, ...): declared per platform by
    # the field mappings, see order.hub.channel.order_properties_definition
    channel_properties = fields.Properties(
        string="Platform Fields",
        definition="channel_id.order_properties_definition",
        copy=False,
    )
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

    @api.depends("platform_status", "channel_id.platform")
    @api.depends_context("lang")
    def _compute_platform_status_label(self):
        maps = self.env["order.hub.status.map"].sudo()
        meanings = {}
        for order in self:
            code, platform = order.platform_status, order.channel_id.platform
            if not code:
                order.platform_status_label = False
                continue
            if platform not in meanings:
                meanings[platform] = {
                    rec.platform_status: rec.name for rec in maps.search([("platform", "=", platform)])
                }
            meaning = meanings[platform].get(code)
            order.platform_status_label = f"{code} · {meaning}" if meaning else code

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        # the month of the serial is the user's calendar month (China's for jobs without a user time zone)
        tz = self.env.context.get("tz") or self.env.user.tz or CHINA_TZ
        today = fields.Date.context_today(self.with_context(tz=tz))
        for vals in vals_list:
            if not vals.get("hub_serial"):
                company = vals.get("company_id") or self.env.company.id
                vals["hub_serial"] = sequence.with_company(company).next_by_code(
                    "order.hub.serial", sequence_date=today
                )
        return super().create(vals_list)
