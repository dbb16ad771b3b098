"""A rule of the order health score: a check and the points it adds or removes."""

from odoo import fields, models

HEALTH_CHECKS = [
    ("vague_address", "Vague address (no district or no house number)"),
    ("risky_payment", "High-risk payment method"),
    ("return_rate", "Customer return rate above the limit"),
    ("blacklist", "Blacklisted phone or address"),
    ("vip", "VIP customer"),
    ("known_address", "Same address as previous orders"),
]


class OrderHubHealthRule(models.Model):
    _name = "order.hub.health.rule"
    _description = "Health Score Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    check = fields.Selection(HEALTH_CHECKS, required=True, help="What the rule looks at on the order.")
    points = fields.Integer(
        required=True, help="Added to the score of 100 when the rule fires; negative to lower it."
    )
    rate_limit = fields.Float(
        string="Rate Limit",
        help="Return rate above which the rule fires (0.3 = 30%); used by the return-rate check.",
    )
    payment_methods = fields.Char(
        string="Payment Methods",
        help="Comma-separated payment method codes the risky-payment check fires on, e.g. cod,credit.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", help="Leave empty to apply to every company."
    )
