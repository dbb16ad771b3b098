from odoo import models

from .stock_move import DEFER_RESERVATION_KEY

# the routing decision of the orders of one confirmation, carried in the
# context so that the gates, the deferral guard and the routing itself read
# one evaluation per order: ids checked, and among them the routed ones
ROUTING_CHECKED_KEY = "order_hub_routing_checked"
ROUTING_APPLIES_KEY = "order_hub_routing_applies"


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

    def action_confirm(self):
        # decide the routing of every order once for the whole confirmation
        return super(SaleOrder, self._hub_with_routing_known()).action_confirm()

    def _hub_routing_at_confirmation(self):
        """The orders whose confirmation chooses their warehouse from the
        stock, so must reserve in the same transaction.  Read from the
        decision the confirmation carries (``_hub_with_routing_known``),
        evaluated (``_hub_routing_decide``) only for orders it lacks."""
        checked = set(self.env.context.get(ROUTING_CHECKED_KEY) or ())
        applies = set(self.env.context.get(ROUTING_APPLIES_KEY) or ())
        known = self.filtered(lambda o: o.id in checked)
        return known.filtered(lambda o: o.id in applies) | (self - known)._hub_routing_decide()

    def _hub_with_routing_known(self, routed=None):
        """These orders with the routing decision of each in their context.

        ``routed``: the orders the caller already knows to be routed (a job
        whose lane was chosen from it); all of ``self`` then count as checked.
        """
        context = self.env.context
        checked = set(context.get(ROUTING_CHECKED_KEY) or ())
        applies = set(context.get(ROUTING_APPLIES_KEY) or ())
        if routed is None:
            todo = self.filtered(lambda o: o.id not in checked and o.state in ("draft", "sent"))
            if not todo:
                return self
            applies |= set(todo._hub_routing_decide().ids)
            checked |= set(todo.ids)
        else:
            applies |= set(routed.ids)
            checked |= set(self.ids)
        return self.with_context(
            **{ROUTING_CHECKED_KEY: tuple(sorted(checked)), ROUTING_APPLIES_KEY: tuple(sorted(applies))}
        )

    def _hub_routing_decide(self):
        """Evaluate which of these orders are routed at confirmation
        (extension hook: the logistics addon returns the orders its routing
        applies to).  Call ``_hub_routing_at_confirmation`` instead."""
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
        if pickings:  # action_assign refuses an empty set ("nothing to check")
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
