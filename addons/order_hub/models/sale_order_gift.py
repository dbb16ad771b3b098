"""Gifts promised on an order and the gate that keeps them from being forgotten.

At confirmation a gift line the warehouse cannot ship needs a promised
re-ship date (exception rule ``order_hub.exception_rule_gift_without_promise``);
with one, the gift leaves the normal delivery and becomes an owed gift
(``order.hub.gift``) shipped later by its own re-ship delivery.
"""

from odoo import _, fields, models

from .sale_order import HUB_ROLE_GROUPS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # the gift pool is Order Hub's: salespeople without a hub role never read it
    hub_gift_ids = fields.One2many("order.hub.gift", "order_id", string="Owed Gifts", groups=HUB_ROLE_GROUPS)
    hub_gift_count = fields.Integer(
        compute="_compute_hub_gift_count", string="Owed Gift Count", groups=HUB_ROLE_GROUPS
    )

    def _compute_hub_gift_count(self):
        for order in self:
            order.hub_gift_count = len(order.hub_gift_ids)

    def _hub_gift_lines_without_promise(self):
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: line.hub_is_gift
            and not line.hub_gift_promise_date
            and line._hub_gift_free_shortage() > 0
        )

    def _hub_detect_gift_without_promise(self):
        """Gate of an exception rule: quotations with a short gift and no promised re-ship date."""
        return self.filtered(
            lambda order: order.state in ("draft", "sent") and order._hub_gift_lines_without_promise()
        )

    def _hub_exception_details(self):
        details = super()._hub_exception_details()
        rule = self.env.ref("order_hub.exception_rule_gift_without_promise", raise_if_not_found=False)
        if rule and rule in self.exception_ids:
            details[rule.id] = _(
                "Out of stock, set a promised re-ship date on: %(products)s.",
                products=", ".join(self._hub_gift_lines_without_promise().product_id.mapped("display_name")),
            )
        return details

    def action_confirm(self):
        # the shortage must be measured before the confirmation reserves stock
        owed = {
            line: line._hub_gift_free_shortage()
            for line in self.order_line.filtered(lambda line: line.hub_is_gift and line.hub_gift_promise_date)
        }
        result = super().action_confirm()
        self._hub_create_owed_gifts({line: qty for line, qty in owed.items() if qty > 0})
        return result

    def _hub_create_owed_gifts(self, shortages):
        """Turn short gift lines into owed gifts and take them out of the first delivery.

        The whole line is owed (a gift is not split between two shipments).
        """
        # the pool is the hub's bookkeeping of a confirmation: whoever confirms
        # needs no Order Hub role for it (only the gifts are written as superuser)
        gifts = self.env["order.hub.gift"].sudo()
        for line in shortages:
            line.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))._action_cancel()
            gifts |= gifts.create(
                {
                    "order_id": line.order_id.id,
                    "sale_line_id": line.id,
                    "product_id": line.product_id.id,
                    "quantity": line.product_uom._compute_quantity(
                        line.product_uom_qty, line.product_id.uom_id
                    ),
                    "promised_date": line.hub_gift_promise_date,
                }
            )
        return gifts.with_env(self.env)

    def action_view_hub_gifts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_hub.order_hub_gift_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
