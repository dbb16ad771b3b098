from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base_exception.exceptions import BaseExceptionError

from ..models.sale_order import SaleOrder as LogisticsSaleOrder
from .common import LogisticsCommon


@tagged("post_install", "-at_install")
class TestStockGateAndRouting(LogisticsCommon):
    """order_hub's free-stock gate and logistics routing work together: the
    gate judges the order's warehouse when no routing applies, and defers to
    routing (which picks a warehouse with stock, or flags the order out of
    stock with a ticket) when a flash sale or a warehouse rule decides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gate = cls.env.ref("order_hub.exception_rule_stock_short")
        cls.customer.street = "黄浦区南京东路 8 号"

    def _blocked(self, order):
        """Confirm like the UI does; the gate lists its exceptions on the
        order and raises (no savepoint rollback, so they stay visible)."""
        try:
            order.action_confirm()
        except BaseExceptionError:
            return True
        return False

    def test_without_routing_the_gate_judges_the_order_warehouse(self):
        self._stock(self.wh_b, self.product, 20)
        order = self._order([(self.product, 5)], warehouse_id=self.wh_a.id)
        self.assertFalse(order._hub_routing_applies())
        self.assertTrue(self._blocked(order))
        self.assertEqual(order.state, "draft")
        self.assertIn(self.gate, order.exception_ids)

    def test_rule_routes_to_a_warehouse_with_stock_past_the_gate(self):
        self._stock(self.wh_b, self.product, 20)
        rule = self._rule([self.wh_a, self.wh_b], name="Everyone")
        order = self._order([(self.product, 5)], warehouse_id=self.wh_a.id)
        self.assertTrue(order._hub_routing_applies())
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertNotIn(self.gate, order.exception_ids)
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertEqual(order.hub_route_rule_id, rule)
        self.assertEqual(order.hub_stock_state, "reserved")

    def test_rule_without_stock_anywhere_opens_an_out_of_stock_ticket(self):
        self._rule([self.wh_a, self.wh_b], name="Everyone")
        order = self._order([(self.product, 5)], warehouse_id=self.wh_a.id)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.hub_stock_state, "out_of_stock")
        self.assertEqual(order.hub_stage_code, "exception")
        self.assertEqual(order.hub_ticket_ids.type_id.code, "out_of_stock")
        self.assertIn("No warehouse can serve this order.", order.hub_route_note)

    def test_rule_that_does_not_match_keeps_the_gate(self):
        self._stock(self.wh_b, self.product, 20)
        self._rule([self.wh_b], name="Guangdong only", state_ids=[self.state_gd.id])
        order = self._order([(self.product, 5)], warehouse_id=self.wh_a.id)
        self.assertFalse(order._hub_routing_applies())
        self.assertTrue(self._blocked(order))
        self.assertIn(self.gate, order.exception_ids)

    def test_plain_salesman_confirms_a_routed_order(self):
        salesman = self.env["res.users"].create(
            {
                "name": "Plain routed salesman",
                "login": "test_plain_routed_salesman",
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        self._stock(self.wh_b, self.product, 20)
        rule = self._rule([self.wh_a, self.wh_b], name="Everyone")
        order = self._order([(self.product, 2)], warehouse_id=self.wh_a.id, user_id=salesman.id)
        order.with_user(salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertEqual(order.hub_route_rule_id, rule)
        # the routing configuration itself stays out of the salesman's reach
        self.assertFalse(self.env["order.hub.warehouse.rule"].with_user(salesman).has_access("read"))

    def _count_routing(self):
        """Count the evaluations of "does routing decide this order" per order."""
        counts = {}
        original = LogisticsSaleOrder._hub_routing_applies

        def spy(order):
            counts[order.id] = counts.get(order.id, 0) + 1
            return original(order)

        return counts, patch.object(LogisticsSaleOrder, "_hub_routing_applies", spy)

    def test_routing_is_decided_once_per_order_per_confirmation(self):
        self._stock(self.wh_b, self.product, 20)
        self._rule([self.wh_a, self.wh_b], name="Everyone")
        orders = self._order([(self.product, 2)], warehouse_id=self.wh_a.id) | self._order(
            [(self.product, 1)], warehouse_id=self.wh_a.id
        )
        counts, spy = self._count_routing()
        with spy:
            orders.action_confirm()  # gate, deferral guard and routing read one decision
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(set(orders.mapped("warehouse_id")), {self.wh_b})
        self.assertEqual(counts, {order.id: 1 for order in orders})

    def test_fast_lane_decides_routing_once_per_order(self):
        self._stock(self.wh_b, self.product, 20)
        self._rule([self.wh_a, self.wh_b], name="Everyone")
        self.env.company.hub_auto_confirm = True
        order = self._order([(self.product, 2)], warehouse_id=self.wh_a.id)
        counts, spy = self._count_routing()
        with spy:
            self.assertEqual(order._hub_process_arrival(), order)
        self.assertEqual(counts, {order.id: 1})

    def test_fast_lane_confirms_in_the_routed_warehouse(self):
        self._stock(self.wh_b, self.product, 20)
        rule = self._rule([self.wh_a, self.wh_b], name="Everyone")
        self.env.company.hub_auto_confirm = True
        order = self._order([(self.product, 2)], warehouse_id=self.wh_a.id)
        self.assertEqual(order._hub_process_arrival(), order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertEqual(order.hub_route_rule_id, rule)
        self.assertEqual(order.picking_ids.picking_type_id.warehouse_id, self.wh_b)

    def test_short_gift_with_a_promise_is_owed_not_routed(self):
        self._stock(self.wh_b, self.product, 20)
        self._rule([self.wh_a, self.wh_b], name="Everyone")
        order = self._order([(self.product, 2)], warehouse_id=self.wh_a.id)
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_b.id,
                            "product_uom_qty": 1,
                            "price_unit": 0.0,
                            "hub_is_gift": True,
                            "hub_gift_promise_date": "2099-01-31",
                        }
                    )
                ]
            }
        )
        order.action_confirm()
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertEqual(order.hub_stock_state, "reserved")
        self.assertNotEqual(order.hub_stage_code, "exception")
        self.assertEqual(order.hub_gift_ids.product_id, self.product_b)
