"""Health score of an order: 100 plus the points of every rule that fires.

Rules are ``order.hub.health.rule`` records; each ``check`` is evaluated by a
method ``_hub_health_<check>(rule)`` returning True when the rule fires, so a
new check is a selection value plus a method.
"""

import re

from odoo import _, api, fields, models

from .order_hub_blacklist import normalise_address

DISTRICT = re.compile(r"[区县旗镇乡]")
PAYMENT_METHODS = [
    ("prepaid", "Paid Online"),
    ("cod", "Cash on Delivery"),
    ("credit", "Buy Now Pay Later"),
    ("transfer", "Bank Transfer"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_payment_method = fields.Selection(
        PAYMENT_METHODS, string="Payment Method", help="How the buyer pays, as the channel reports it."
    )
    hub_health_score = fields.Integer(
        string="Health Score",
        compute="_compute_hub_health",
        store=True,
        help="0-100; below the company's threshold the order waits for a manual review.",
    )
    hub_health_explanation = fields.Text(
        string="Score Explanation", compute="_compute_hub_health", store=True, help="The rules that fired."
    )

    @api.depends(
        "partner_id",
        "partner_shipping_id",
        "partner_shipping_id.street",
        "partner_shipping_id.street2",
        "partner_shipping_id.phone",
        "partner_shipping_id.mobile",
        "hub_payment_method",
        "hub_in_scope",
    )
    def _compute_hub_health(self):
        for order in self:
            if not order.hub_in_scope:
                # the score feeds the review queue of the hub's orders only
                order.hub_health_score, order.hub_health_explanation = 100, False
                continue
            order.hub_health_score, order.hub_health_explanation = order._hub_health_evaluate()

    def action_hub_recompute_health(self):
        self._compute_hub_health()

    def _hub_health_rules(self):
        return (
            self.env["order.hub.health.rule"]
            .sudo()
            .search([("company_id", "in", (False, self.company_id.id))])
        )

    def _hub_health_evaluate(self):
        """Return ``(score, explanation)``; the explanation lists the rules that fired."""
        self.ensure_one()
        score = 100
        fired = []
        for rule in self._hub_health_rules():
            if getattr(self, f"_hub_health_{rule.check}")(rule):
                score += rule.points
                fired.append(f"{rule.points:+d} {rule.name}")
        return max(0, min(100, score)), "\n".join(fired) or _("No rule fired.")

    # -- checks ------------------------------------------------------------
    def _hub_health_vague_address(self, rule):
        address = self.partner_shipping_id
        if address.country_id and address.country_id.code != "CN":
            return False
        text = " ".join(part for part in (address.street, address.street2) if part)
        has_district = bool(DISTRICT.search(text))
        has_detail = bool(re.search(r"\d", text))
        return not (has_district and has_detail)

    def _hub_health_risky_payment(self, rule):
        methods = {code.strip() for code in (rule.payment_methods or "").split(",") if code.strip()}
        return bool(self.hub_payment_method and self.hub_payment_method in methods)

    def _hub_health_return_rate(self, rule):
        customer = self.partner_id.commercial_partner_id
        if not customer:
            return False
        pickings = self.env["stock.picking"].sudo()
        base = [("partner_id", "child_of", customer.id), ("state", "=", "done")]
        shipped = pickings.search_count([*base, ("picking_type_code", "=", "outgoing")])
        if not shipped:
            return False
        returned = pickings.search_count(
            [*base, ("picking_type_code", "=", "incoming"), ("return_id", "!=", False)]
        )
        return returned / shipped > rule.rate_limit

    def _hub_health_blacklist(self, rule):
        address = self.partner_shipping_id
        street = " ".join(part for part in (address.city, address.street, address.street2) if part)
        return bool(
            self.env["order.hub.blacklist"].sudo()._hub_matches([address.phone, address.mobile], street)
        )

    def _hub_health_vip(self, rule):
        partner = self.partner_id
        return "vip" in (partner.commercial_partner_id.hub_customer_tier, partner.hub_customer_tier)

    def _hub_health_known_address(self, rule):
        customer = self.partner_id.commercial_partner_id
        address = normalise_address(
            " ".join(p for p in (self.partner_shipping_id.street, self.partner_shipping_id.street2) if p)
        )
        if not (customer and address):
            return False
        previous = self.search(
            [
                ("partner_id", "child_of", customer.id),
                ("state", "=", "sale"),
                ("id", "not in", self.ids if isinstance(self.id, int) else []),
            ]
        )
        return any(
            normalise_address(
                " ".join(p for p in (o.partner_shipping_id.street, o.partner_shipping_id.street2) if p)
            )
            == address
            for o in previous
        )

    # -- review ------------------------------------------------------------
    def _hub_review_reasons(self):
        reasons = super()._hub_review_reasons()
        self._compute_hub_health()
        threshold = self.company_id.hub_health_threshold
        if self.hub_health_score < threshold:
            reasons.append(
                _(
                    "Health score %(score)s is below %(threshold)s: %(why)s",
                    score=self.hub_health_score,
                    threshold=threshold,
                    why="; ".join((self.hub_health_explanation or "").splitlines()),
                )
            )
        return reasons
