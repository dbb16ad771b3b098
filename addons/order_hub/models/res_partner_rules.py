from odoo import fields, models

from .sale_order_invoice import INVOICE_TYPES

CUSTOMER_TIERS = [("normal", "Normal"), ("vip", "VIP")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    hub_invoice_type = fields.Selection(
        INVOICE_TYPES,
        string="Default Invoice Type",
        default="none",
        help="Invoice type proposed on this customer's orders.",
    )
    hub_customer_tier = fields.Selection(
        CUSTOMER_TIERS,
        string="Customer Tier",
        default="normal",
        help="VIP customers raise the health score of their orders and, with the logistics "
        "addon, always ship with SF Express next-morning.",
    )
