from unittest.mock import patch

from odoo.tests import tagged

from .common import LogisticsCommon

DEFER = {"hub_defer_reservation": True}


@tagged("post_install", "-at_install")
class TestDeferredReservation(LogisticsCommon):
    """Bulk confirmations may leave the reservation for later (order_hub's
    ``hub_defer_reservation``); routing that chooses the warehouse from the
    stock never does: it reserves under the locks at once."""

    def test_deferred_order_reserves_later_under_the_locks(self):
        self._stock(self.wh_a, self.product, 10)
        order = self._order([(self.product, 4)], warehouse_id=self.wh_a.id)
        order.with_context(**DEFER).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.state, "confirmed", "delivery made, not reserved")
        self.assertEqual(order.hub_stock_state, "pending")
        self.assertEqual(order.hub_stage_code, "confirmed")
        self.assertEqual(self._free(self.wh_a, self.product), 10)
        short = order._hub_reserve()
        self.assertFalse(short)
        self.assertEqual(order.picking_ids.state, "assigned")
        self.assertEqual(order.hub_stock_state, "reserved")
        self.assertEqual(order.hub_stage_code, "preparing")
        self.assertEqual(self._free(self.wh_a, self.product), 6)
        lock = self.env["order.hub.stock.lock"].search([("product_id", "=", self.product.id)])
        self.assertTrue(lock.version, "the reservation went through the product's lock row")

    def test_reservation_never_exceeds_the_stock(self):
        self._stock(self.wh_a, self.product, 8)
        first = self._order([(self.product, 4)], warehouse_id=self.wh_a.id)
        second = self._order([(self.product, 4)], warehouse_id=self.wh_a.id)
        (first | second).with_context(**DEFER).action_confirm()  # the stock covered both
        self._stock(self.wh_a, self.product, 5)  # 3 units lost before the reservation ran
        short = (first | second)._hub_reserve()
        self.assertEqual(short, second)
        self.assertEqual(first.hub_stock_state, "reserved")
        self.assertEqual(second.hub_stock_state, "out_of_stock")
        self.assertEqual(self._free(self.wh_a, self.product), 0)

    def test_routed_orders_are_never_deferred(self):
        self._stock(self.wh_a, self.product, 20)
        self._stock(self.wh_b, self.product, 20)
        delta = self.env.ref("order_hub_logistics.order_hub_region_yangtze_delta")
        self._rule([self.wh_b, self.wh_a], name="Delta", region_ids=[delta.id])
        order = self._order([(self.product, 5)])
        self.assertEqual(order._hub_routing_at_confirmation(), order)
        order.with_context(**DEFER).action_confirm()
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertEqual(order.hub_stock_state, "reserved", "reserved in the same transaction")
        self.assertEqual(order.picking_ids.state, "assigned")

    def test_stock_lost_before_the_reservation_opens_a_ticket(self):
        """An order confirmed within the stock can still end short (stock
        lost, an inventory adjustment): its reservation opens the
        out-of-stock ticket with the reason, with or without routing."""
        self._stock(self.wh_a, self.product, 10)
        order = self._order([(self.product, 8)], warehouse_id=self.wh_a.id, hub_source="douyin")
        order.with_context(**DEFER).action_confirm()
        self.assertEqual(order.state, "sale")
        self._stock(self.wh_a, self.product, 3)  # counted again: 7 units are gone
        short = order._hub_reserve()
        self.assertEqual(short, order)
        self.assertEqual(order.hub_stock_state, "out_of_stock")
        ticket = order.sudo().hub_ticket_ids.filtered(lambda t: t.type_id.code == "out_of_stock")
        self.assertEqual(len(ticket), 1)
        self.assertIn("3.0 of 8.0 reserved", ticket.reason)
        self.assertIn(self.wh_a.name, ticket.reason)
        self.assertFalse(order._hub_reserve() - order, "a second run opens no second ticket")
        self.assertEqual(len(order.sudo().hub_ticket_ids), 1)

    def test_routed_order_left_short_is_reported_once(self):
        """A routed order whose stock is lost after confirmation: the next
        reservation judges it short once and calls ``_hub_on_stock_short``
        (where the channels addon writes the note on the received payload)
        once, with the routing's reason."""
        self._stock(self.wh_a, self.product, 10)
        rule = self._rule([self.wh_a], name="Only A")
        order = self._order([(self.product, 8)], hub_source="douyin")
        order.action_confirm()
        self.assertEqual(order.hub_route_rule_id, rule)
        self.assertEqual(order.hub_stock_state, "reserved")
        self._stock(self.wh_a, self.product, 3)  # counted again: 5 reserved units are gone
        order_class = type(order)
        original = order_class._hub_on_stock_short
        calls = []

        def spy(records, reason):
            calls.append((records.ids, reason))
            return original(records, reason)

        with patch.object(order_class, "_hub_on_stock_short", spy):
            short = order._hub_reserve()
        self.assertEqual(short, order)
        self.assertEqual(order.hub_stock_state, "out_of_stock")
        self.assertEqual(len(calls), 1, calls)
        self.assertIn("No warehouse has the stock for this order", calls[0][1])
        self.assertEqual(order.hub_stage_code, "exception")
        ticket = order.sudo().hub_ticket_ids.filtered(lambda t: t.type_id.code == "out_of_stock")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.reason, calls[0][1])

    def test_orders_routed_together_share_the_stock(self):
        """Routing of a batch: the second order does not count on the units
        the first one was given, although neither has a delivery yet."""
        self._stock(self.wh_a, self.product, 10)
        self._stock(self.wh_b, self.product, 10)
        delta = self.env.ref("order_hub_logistics.order_hub_region_yangtze_delta")
        self._rule([self.wh_b, self.wh_a], name="Delta", region_ids=[delta.id])
        orders = self._order([(self.product, 6)]) | self._order([(self.product, 6)])
        orders.with_context(**DEFER).action_confirm()
        self.assertEqual(orders[0].warehouse_id, self.wh_b)
        self.assertEqual(orders[1].warehouse_id, self.wh_a, "Shanghai has 4 left after the first order")
        self.assertEqual(set(orders.mapped("hub_stock_state")), {"reserved"})
