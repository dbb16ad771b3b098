from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_hub.models.sale_order import HUB_ROLE_GROUPS
from odoo.addons.order_hub_channels.connectors.writeback import NO_SELLER_CANCEL

# set while a platform's own status is applied (shipped, cancelled): the
# platform already knows, nothing is written back
FROM_PLATFORM_CONTEXT_KEY = "order_hub_from_platform"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_writeback_ids = fields.One2many(
        "order.hub.writeback", "sale_order_id", "Write-backs", groups=HUB_ROLE_GROUPS
    )
    hub_writeback_failed = fields.Boolean(
        "Write-back Failed",
        compute="_compute_hub_writeback_failed",
        search="_search_hub_writeback_failed",
        groups=HUB_ROLE_GROUPS,
    )

    def _compute_hub_writeback_failed(self):
        failed = self.env["order.hub.writeback"].search(
            [("sale_order_id", "in", self.ids), ("state", "=", "failed")]
        )
        for order in self:
            order.hub_writeback_failed = order in failed.sale_order_id

    def _search_hub_writeback_failed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on Write-back Failed."))
        failed = self.env["order.hub.writeback"]._search([("state", "=", "failed")])
        inside = (operator == "=") == value
        return [("id", "in" if inside else "not in", failed.subselect("sale_order_id"))]

    def _hub_outgoing_pickings(self):
        self.ensure_one()
        return self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state != "cancel")

    def _hub_writes_back(self):
        """The orders whose shipments and cancellations go back to their platform:
        in-scope hub orders of a sales channel, outside the platform's own status."""
        if self.env.context.get(FROM_PLATFORM_CONTEXT_KEY):
            return self.browse()
        return self.sudo().filtered(lambda o: o.hub_in_scope and o.channel_id and o.channel_order_ref)

    def _hub_apply_platform_status(self, action):
        return super(
            SaleOrder, self.with_context(**{FROM_PLATFORM_CONTEXT_KEY: True})
        )._hub_apply_platform_status(action)

    # ------------------------------------------------------------------
    # cancellation before shipment
    # ------------------------------------------------------------------
    def _hub_cancel_to_push(self):
        """Platform orders not shipped yet that the platform holds as sold:
        confirmed in Odoo, or still a quotation here (held for review, blocked
        by a gate) while their platform status says paid.  Their cancellation
        goes to the platform."""
        StatusMap = self.env["order.hub.status.map"]
        cache = {}

        def sold_on_platform(order):
            if order.state == "sale":
                return True
            action = StatusMap._action_for(order.channel_id.platform, order.platform_status, None, cache)
            return order.state in ("draft", "sent") and action == "confirm"

        return self._hub_writes_back().filtered(
            lambda o: sold_on_platform(o)
            and not o.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        )

    def _hub_cancel_error_message(self):
        """Why these orders cannot be cancelled in Odoo: their platform does not
        take a seller's cancellation (False when they can)."""
        for order in self._hub_cancel_to_push():
            reason = NO_SELLER_CANCEL.get(order.channel_id.platform)
            if reason:
                return _(
                    "Order %(order)s cannot be cancelled here: %(reason)s Ask the buyer to cancel it "
                    "on the platform; Order Hub then cancels it by itself.",
                    order=order.name,
                    reason=reason,
                )
        return False

    def action_cancel(self):
        message = self._hub_cancel_error_message()
        if message:
            raise UserError(message)
        return super().action_cancel()

    def action_hub_review_reject(self):
        # a rejection cancels the order: refused like a cancellation where the
        # platform takes none, pushed where it does (_action_cancel)
        message = self._hub_cancel_error_message()
        if message:
            raise UserError(message)
        return super().action_hub_review_reject()

    def _action_cancel(self):
        to_push = self._hub_cancel_to_push()
        res = super()._action_cancel()
        pushed = to_push.filtered(lambda o: o.state == "cancel")
        if pushed:
            self.env["order.hub.writeback"]._hub_push_cancellations(pushed)
        return res
