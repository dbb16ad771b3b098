from odoo import fields, models

from .order_hub_carrier_rule import CUSTOMER_TIERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    hub_customer_tier = fields.Selection(CUSTOMER_TIERS, string="Customer Tier", default="normal")
