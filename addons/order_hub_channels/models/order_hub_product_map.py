from odoo import fields, models

from .order_hub_channel import PLATFORM_SELECTION


class OrderHubProductMap(models.Model):
    _name = "order.hub.product.map"
    _description = "Platform SKU Mapping"
    _order = "platform, code"
    _rec_name = "code"

    platform = fields.Selection(PLATFORM_SELECTION, required=True)
    channel_id = fields.Many2one(
        "order.hub.channel",
        ondelete="cascade",
        help="Leave empty to use the mapping on every channel of the platform.",
    )
    code = fields.Char(string="Platform SKU or Merchant Code", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(platform, channel_id, code)",
            "This SKU is already mapped for this platform and channel.",
        ),
    ]
