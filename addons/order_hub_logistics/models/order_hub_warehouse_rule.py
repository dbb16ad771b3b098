from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


def channel_codes(env):
    """Channels an order can come from: the values of order_hub's
    ``sale.order.hub_source`` (the channels addon adds its platforms)."""
    return set(env["sale.order"]._fields["hub_source"].get_values(env))


def split_codes(text):
    return {code.strip() for code in (text or "").split(",") if code.strip()}


class OrderHubWarehouseRule(models.Model):
    """Ordered rule: when its conditions match an order, the first preferred
    warehouse whose free quantity minus the safety stock covers every line wins."""

    _name = "order.hub.warehouse.rule"
    _description = "Order Hub Warehouse Routing Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    state_ids = fields.Many2many("res.country.state", string="Destination Provinces")
    region_ids = fields.Many2many("order.hub.region", string="Regions")
    channel_codes = fields.Char(
        "Channels",
        help="Comma-separated channel codes (douyin, jd, wechat_shop, shopify, shopee, wecom, phone, other).",
    )
    partner_ids = fields.Many2many("res.partner", string="Customers")
    line_ids = fields.One2many("order.hub.warehouse.rule.line", "rule_id", "Preferred Warehouses", copy=True)
    safety_stock = fields.Float(
        default=0.0, help="Units each warehouse must keep per product: it serves only what exceeds this."
    )

    @api.constrains("channel_codes")
    def _check_channel_codes(self):
        known = channel_codes(self.env)
        for rule in self:
            unknown = split_codes(rule.channel_codes) - known
            if unknown:
                raise ValidationError(
                    _(
                        "Unknown channel codes %(codes)s: use %(known)s.",
                        codes=", ".join(sorted(unknown)),
                        known=", ".join(sorted(known)),
                    )
                )

    @api.constrains("safety_stock")
    def _check_safety_stock(self):
        if any(rule.safety_stock < 0 for rule in self):
            raise ValidationError(_("The safety stock cannot be negative: enter zero or more units."))

    def _mismatch(self, order):
        """Why this rule does not apply to ``order`` (a sentence), or "" when it does."""
        self.ensure_one()
        state = order.partner_shipping_id.state_id
        states = self.state_ids | self.region_ids.state_ids
        if states and state not in states:
            return _("destination province %(state)s not covered", state=state.name or _("(none)"))
        codes = split_codes(self.channel_codes)
        if codes and order._hub_logistics_channel_code() not in codes:
            return _("channel %(code)s not covered", code=order._hub_logistics_channel_code() or _("(none)"))
        if (
            self.partner_ids
            and order.partner_id.commercial_partner_id not in self.partner_ids.commercial_partner_id
        ):
            return _("customer not listed")
        if self.categ_ids:
            categs = order.order_line.product_id.categ_id
            if any(
                not categ.search_count([("id", "parent_of", categ.id), ("id", "in", self.categ_ids.ids)])
                for categ in categs
            ):
                return _("a product is outside the rule's categories")
        return ""
