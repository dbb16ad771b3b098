from odoo import _, fields, models

from odoo.addons.order_hub.models.res_partner_rules import CUSTOMER_TIERS


class OrderHubCarrierRule(models.Model):
    """Carrier routing and delivery promise.

    Every active rule whose conditions match is a candidate; the cheapest
    candidate that keeps the order's promised delivery time wins (sequence
    breaks ties).  VIP customers always get SF Express next-morning, whatever
    the rules say (``sale.order._hub_route_carrier``).
    """

    _name = "order.hub.carrier.rule"
    _description = "Order Hub Carrier Routing Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)
    carrier_id = fields.Many2one("delivery.carrier", required=True, ondelete="cascade")
    state_ids = fields.Many2many("res.country.state", string="Destination Provinces")
    region_ids = fields.Many2many("order.hub.region", string="Regions")
    warehouse_ids = fields.Many2many("stock.warehouse", string="From Warehouses")
    weight_min = fields.Float("Min Weight (kg)")
    weight_max = fields.Float("Max Weight (kg)", help="Zero means no upper limit.")
    customer_tier = fields.Selection(
        [("any", "Any")] + CUSTOMER_TIERS, default="any", required=True, string="Customer Tier"
    )
    cost = fields.Float(help="Expected cost of one parcel; the cheapest matching rule wins.")
    ship_hours = fields.Float("Ships Within (hours)", default=24.0)
    delivery_hours = fields.Float(
        "Delivered Within (hours)", default=72.0, help="From shipping to signature."
    )

    def _mismatch(self, order, weight):
        """Why this rule does not apply (a sentence), or "" when it does."""
        self.ensure_one()
        state = order.partner_shipping_id.state_id
        states = self.state_ids | self.region_ids.state_ids
        if states and state not in states:
            return _("destination province %(state)s not covered", state=state.name or _("(none)"))
        if self.warehouse_ids and order.warehouse_id not in self.warehouse_ids:
            return _("warehouse %(wh)s not covered", wh=order.warehouse_id.name)
        if weight < self.weight_min or (self.weight_max and weight > self.weight_max):
            return _("weight %(weight).2f kg outside the rule's range", weight=weight)
        if (
            self.customer_tier != "any"
            and order.partner_id.commercial_partner_id.hub_customer_tier != self.customer_tier
        ):
            return _("customer tier differs")
        if order.hub_promised_delivery_date:
            start = fields.Datetime.now()
            hours = (order.hub_promised_delivery_date - start).total_seconds() / 3600
            if self.ship_hours + self.delivery_hours > hours:
                return _("cannot keep the promised delivery time")
        return ""
