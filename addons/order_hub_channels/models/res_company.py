import dataclasses
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..connectors.limits import Limits

DEFAULTS = Limits()
LIMIT_FIELDS = {
    # company field -> attribute of connectors.limits.Limits
    "order_hub_max_lines": "max_lines",
    "order_hub_max_quantity": "max_quantity",
    "order_hub_max_price": "max_price",
    "order_hub_max_payload_kb": "max_payload_bytes",
    "order_hub_max_remark": "max_remark",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    order_hub_max_lines = fields.Integer(
        string="Lines per Order", default=DEFAULTS.max_lines, help="A received order with more lines fails."
    )
    order_hub_max_quantity = fields.Float(
        string="Quantity per Line",
        default=float(DEFAULTS.max_quantity),
        help="A received line with a larger quantity fails the order.",
    )
    order_hub_max_price = fields.Float(
        string="Unit Price Limit",
        default=float(DEFAULTS.max_price),
        help="A received unit price or shipping fee above this amount fails the order.",
    )
    order_hub_max_payload_kb = fields.Integer(
        string="Payload Size per Order (KB)",
        default=DEFAULTS.max_payload_bytes // 1024,
        help="A received order whose payload is larger fails (it is kept as received).",
    )
    order_hub_max_call_mb = fields.Integer(
        string="Payload Size per RPC Call (MB)",
        default=20,
        help="An import_orders call whose orders together are larger is refused whole.",
    )
    order_hub_max_remark = fields.Integer(
        string="Remark Length",
        default=DEFAULTS.max_remark,
        help="A received order with a longer buyer or seller remark fails.",
    )

    @api.constrains(*LIMIT_FIELDS, "order_hub_max_call_mb")
    def _check_order_hub_limits(self):
        for company in self:
            if any(company[name] <= 0 for name in (*LIMIT_FIELDS, "order_hub_max_call_mb")):
                raise ValidationError(_("The limits of received orders must be positive."))

    def _order_hub_limits(self, currency_decimals=None):
        """The bounds of the orders this company receives (``connectors.limits.Limits``)."""
        self.ensure_one()
        company = self.sudo()
        limits = Limits(
            max_lines=company.order_hub_max_lines or DEFAULTS.max_lines,
            max_quantity=Decimal(str(company.order_hub_max_quantity or DEFAULTS.max_quantity)),
            max_price=Decimal(str(company.order_hub_max_price or DEFAULTS.max_price)),
            max_payload_bytes=(company.order_hub_max_payload_kb * 1024) or DEFAULTS.max_payload_bytes,
            max_remark=company.order_hub_max_remark or DEFAULTS.max_remark,
        )
        if currency_decimals is not None:
            limits = dataclasses.replace(limits, currency_decimals=currency_decimals)
        return limits
