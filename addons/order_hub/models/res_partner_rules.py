from odoo import fields, models

from .sale_order_invoice import INVOICE_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

    hub_invoice_type = fields.Selection(
        INVOICE_TYPES,
        string="Default Invoice Type",
        default="none",
        help="Invoice type proposed on this customer's orders.",
    )
    hub_is_vip = fields.Boolean(
        string="VIP Customer", help="Raises the health score of the customer's orders."
    )
