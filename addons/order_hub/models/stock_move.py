from odoo import models

# context key: confirm without reserving (see sale_order_reservation.py)
DEFER_RESERVATION_KEY = "hub_defer_reservation"


class StockMove(models.Model):
    """Reports preparation progress of sale deliveries to the order's stage;
    leaves the reservation of a deferred confirmation to ``_hub_reserve``."""

    _inherit = "stock.move"

    def _should_assign_at_confirm(self):
        if self.env.context.get(DEFER_RESERVATION_KEY):
            return self._should_bypass_reservation()
        return super()._should_assign_at_confirm()

    def _trigger_scheduler(self):
        # Odoo searches an automatic orderpoint for each move, one query per
        # move of every confirmation; when none of the products has one (most
        # sold goods), one query says so and the result is the same
        if self and not self.env["stock.warehouse.orderpoint"].search_count(
            [
                ("product_id", "in", self.product_id.ids),
                ("trigger", "=", "auto"),
                ("company_id", "in", self.company_id.ids),
            ],
            limit=1,
        ):
            return None
        return super()._trigger_scheduler()

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self.picking_id._hub_notify_preparation()
        return res

    def write(self, vals):
        res = super().write(vals)
        if vals.get("picked"):
            self.picking_id._hub_notify_preparation()
        return res
