from odoo import _, api, fields, models
from odoo.tools import float_compare

from .sale_order import HUB_ROLE_GROUPS

GIFT_SOURCES = [
    ("channel", "Channel Gift"),
    ("promotion", "Promotion Reward"),
    ("manual", "Added by Hand"),
]


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    hub_is_gift = fields.Boolean(string="Gift", copy=True)
    hub_gift_source = fields.Selection(GIFT_SOURCES, string="Gift Source", copy=True)
    hub_gift_promise_date = fields.Date(
        string="Promised Re-ship Date",
        copy=False,
        help="When the gift will be shipped if it is out of stock at confirmation.",
    )
    hub_gift_short = fields.Boolean(
        string="Gift Out of Stock",
        compute="_compute_hub_gift_short",
        help="The free stock of the warehouse does not cover this gift.",
    )
    hub_gift_ids = fields.One2many(
        "order.hub.gift", "sale_line_id", string="Owed Gifts", groups=HUB_ROLE_GROUPS
    )

    @api.onchange("hub_is_gift")
    def _onchange_hub_is_gift(self):
        for line in self:
            if line.hub_is_gift and not line.hub_gift_source:
                line.hub_gift_source = "manual"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("hub_is_gift") and not vals.get("hub_gift_source"):
                vals["hub_gift_source"] = "manual"
        lines = super().create(vals_list)
        lines._hub_mark_promotion_gifts()
        return lines

    def write(self, vals):
        watched = {"hub_is_gift", "hub_gift_promise_date"} & set(vals)
        before = {line.id: line._hub_gift_promise_label() for line in self} if watched else {}
        result = super().write(vals)
        if watched:
            audit = self.env["order.hub.audit.log"]
            for line in self:
                after = line._hub_gift_promise_label()
                if after != before[line.id]:
                    audit._record(line.order_id, "hub_gift_ids", before[line.id], after)
        return result

    def _hub_gift_promise_label(self):
        """The gift promise of the line as the audit trail shows it (False when not a gift)."""
        self.ensure_one()
        if not self.hub_is_gift:
            return False
        promise = self.hub_gift_promise_date or _("no promised date")
        return f"{self.product_id.display_name} x {self.product_uom_qty:g}: {promise}"

    def _hub_mark_promotion_gifts(self):
        """Lines given by a free-product promotion (sale_loyalty) are gifts."""
        if "reward_id" not in self._fields:
            return
        for line in self.filtered(lambda line: not line.hub_is_gift and line.reward_id):
            if line.reward_id.reward_type == "product":
                line.write({"hub_is_gift": True, "hub_gift_source": "promotion"})

    @api.depends("hub_is_gift", "product_id", "product_uom_qty", "order_id.warehouse_id", "state")
    def _compute_hub_gift_short(self):
        for line in self:
            line.hub_gift_short = line._hub_gift_free_shortage() > 0

    def _hub_gift_free_shortage(self):
        """Quantity (product unit) of this gift line the warehouse cannot ship now."""
        self.ensure_one()
        if not (self.hub_is_gift and self.product_id.is_storable) or self.state not in ("draft", "sent"):
            return 0.0
        product = self.product_id.with_context(warehouse_id=self.order_id.warehouse_id.id)
        wanted = self.product_uom._compute_quantity(self.product_uom_qty, self.product_id.uom_id)
        shortage = wanted - max(product.free_qty, 0.0)
        if float_compare(shortage, 0.0, precision_rounding=self.product_id.uom_id.rounding) <= 0:
            return 0.0
        return shortage
