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

    def _hub_lock_stock(self, nowait=False):
        """Serialise the reservations of these orders' products (extension
        hook: the logistics addon locks one row per product).

        ``nowait``: fail at once with psycopg2's ``LockNotAvailable`` when
        another transaction holds one of the locks, instead of waiting for it
        (a job then runs again a moment later on a fresh snapshot rather than
        waiting, and failing anyway on the holder's commit)."""

    def _hub_reserve(self, lock=True):
        """Reserve the waiting deliveries of confirmed orders; returns the
        orders whose deliveries are not fully reserved.

        ``lock=False``: without the stock locks.  Reserving a confirmed
        order's delivery moves its demand from "promised" to "reserved":
        the quantity free to promise (``product._hub_free_qty``) that the
        stock gate and routing read under the locks does not change, so a
        reservation job need not wait for confirmations, nor they for it
        (reservations still run one after the other in their own lane, as
        they change the same quants)."""
        orders = self.filtered(lambda o: o.state == "sale")
        if lock:
            orders._hub_lock_stock()
        pickings = orders.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state in ("confirmed", "waiting")
        )
        if pickings:  # a job run again finds them reserved already ("nothing to check")
            pickings.with_context(**{DEFER_RESERVATION_KEY: False}).action_assign()
        orders._hub_after_reservation()
        short = self.browse()
        for order in orders:
            reason = order._hub_stock_short_reason()
            if reason:
                order._hub_on_stock_short(reason)
                short |= order
        return short

    def _hub_reservation_moves(self):
        """The moves of the order that its delivery needs reserved: outgoing
        moves of storable products, not cancelled.  Extension hook (the
        logistics addon leaves out gifts whose re-ship date is promised)."""
        self.ensure_one()
        return self.picking_ids.move_ids.filtered(
            lambda m: m.picking_type_id.code == "outgoing"
            and m.product_id.is_storable
            and m.state != "cancel"
        )

    def _hub_short_moves(self):
        """The one judgement of "delivery not fully reserved": the moves of
        ``_hub_reservation_moves`` neither reserved nor done."""
        self.ensure_one()
        return self._hub_reservation_moves().filtered(lambda m: m.state not in ("assigned", "done"))

    def _hub_stock_short_reason(self):
        """Why the order's delivery is not fully reserved, in words, or ""."""
        self.ensure_one()
        parts = [
            self.env._(
                "%(product)s: %(reserved)s of %(qty)s reserved",
                product=move.product_id.display_name,
                reserved=move.quantity,
                qty=move.product_uom_qty,
            )
            for move in self._hub_short_moves()
        ]
        if not parts:
            return ""
        return self.env._(
            "Not enough stock in %(warehouse)s to reserve this order (%(moves)s). "
            "Receive or move stock, then check availability on the delivery.",
            warehouse=self.warehouse_id.name or "",
            moves="; ".join(parts),
        )

    def _hub_on_stock_short(self, reason):
        """Event: the stock cannot cover the confirmed orders' deliveries
        (stock lost, an inventory adjustment, a reservation lost to another
        order): an out-of-stock ticket with ``reason`` (its type says whether
        the order moves to Exception).  Extension hook: the channels addon
        notes it on the received payloads."""
        for order in self:
            order._hub_open_ticket("out_of_stock", reason=reason)

    def _hub_after_reservation(self):
        """Extension hook called once ``_hub_reserve`` reserved the orders."""
