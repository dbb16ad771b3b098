from odoo import models

from .stock_move import DEFER_RESERVATION_KEY


class SaleOrder(models.Model):
    """Confirmation without reservation, reservation later in one lane.

    Reserving stock is the one part of a confirmation that concurrent
    confirmations cannot do at the same time (they change the same quants).
    Bulk confirmations (channel imports) therefore confirm with the context key
    ``hub_defer_reservation``: the deliveries are created, waiting, and
    ``_hub_reserve`` reserves them afterwards, one batch after the other.
    Orders whose warehouse is chosen from the stock at confirmation
    (``_hub_routing_at_confirmation``) are never deferred.
    """

    _inherit = "sale.order"

    def _hub_routing_at_confirmation(self):
        """The orders whose confirmation chooses their warehouse from the
        stock, so must reserve in the same transaction (extension hook: the
        logistics addon returns the orders its routing applies to)."""
        return self.browse()

    def _hub_lock_stock(self):
        """Serialise the reservations of these orders' products (extension
        hook: the logistics addon locks one row per product)."""

    def _hub_reserve(self):
        """Reserve the waiting deliveries of confirmed orders; returns the
        orders whose deliveries are not fully reserved."""
        orders = self.filtered(lambda o: o.state == "sale")
        orders._hub_lock_stock()
        pickings = orders.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state in ("confirmed", "waiting")
        )
        pickings.with_context(**{DEFER_RESERVATION_KEY: False}).action_assign()
        orders._hub_after_reservation()
        return orders.filtered(
            lambda o: any(
                move.state not in ("assigned", "done")
                for move in o.picking_ids.move_ids
                if move.picking_type_id.code == "outgoing"
                and move.product_id.is_storable
                and move.state != "cancel"
            )
        )

    def _hub_after_reservation(self):
        """Extension hook called once ``_hub_reserve`` reserved the orders."""
