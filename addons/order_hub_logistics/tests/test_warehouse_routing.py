from odoo.tests import tagged

from odoo.addons.base_exception.exceptions import BaseExceptionError

from .common import LogisticsCommon


@tagged("post_install", "-at_install")
class TestWarehouseRouting(LogisticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.delta = cls.env.ref("order_hub_logistics.order_hub_region_yangtze_delta")

    def test_first_eligible_warehouse_wins(self):
        self._stock(self.wh_a, self.product, 20)
        self._stock(self.wh_b, self.product, 20)
        rule = self._rule([self.wh_a, self.wh_b], name="Delta", region_ids=[self.delta.id])
        order = self._order([(self.product, 5)])
        order.action_confirm()
        self.assertEqual(order.warehouse_id, self.wh_a)
        self.assertEqual(order.hub_route_rule_id, rule)
        self.assertEqual(order.hub_stock_state, "reserved")
        self.assertEqual(order.hub_stage_code, "preparing")
        self.assertFalse(order.hub_ticket_ids)
        self.assertEqual(order.picking_ids.picking_type_id.warehouse_id, self.wh_a)
        self.assertEqual(self._free(self.wh_a, self.product), 15)
        self.assertEqual(self._free(self.wh_b, self.product), 20)

    def test_warehouse_below_safety_stock_is_skipped(self):
        self._stock(self.wh_a, self.product, 6)  # 6 - safety 3 < 5
        self._stock(self.wh_b, self.product, 20)
        self._rule([self.wh_a, self.wh_b], name="Safe", safety_stock=3)
        order = self._order([(self.product, 5)])
        order.with_user(
            self.user_cs
        ).action_confirm()  # customer service confirms: locks and routing still apply
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertIn("Test Hangzhou skipped", order.hub_route_note)
        self.assertIn("safety stock 3", order.hub_route_note)
        self.assertEqual(
            self._free(self.wh_a, self.product), 6, "the nearer warehouse keeps its safety stock"
        )

    def test_rules_are_ordered_and_conditions_explained(self):
        self._stock(self.wh_a, self.product, 20)
        self._stock(self.wh_b, self.product, 20)
        south = self._rule([self.wh_a], name="South", sequence=1, state_ids=[self.state_gd.id])
        douyin = self._rule([self.wh_a], name="Douyin", sequence=2, channel_codes="douyin")
        other = self._rule([self.wh_b], name="Everyone else", sequence=3)
        order = self._order([(self.product, 1)], hub_source="jd")
        order.action_confirm()
        self.assertEqual(order.hub_route_rule_id, other)
        self.assertEqual(order.warehouse_id, self.wh_b)
        self.assertIn("Rule South skipped: destination province", order.hub_route_note)
        self.assertIn("Rule Douyin skipped: channel jd", order.hub_route_note)
        order2 = self._order([(self.product, 1)], hub_source="douyin")
        order2.action_confirm()
        self.assertEqual(order2.hub_route_rule_id, douyin)
        self.assertFalse(order2.hub_route_rule_id == south)

    def test_category_and_customer_conditions(self):
        self._stock(self.wh_a, self.product, 5)
        self._stock(self.wh_b, self.product, 5)
        other_categ = self.env["product.category"].create({"name": "Other"})
        self._rule([self.wh_a], name="Other goods", sequence=1, categ_ids=[other_categ.id])
        vip_rule = self._rule([self.wh_b], name="This customer", sequence=2, partner_ids=[self.customer.id])
        order = self._order([(self.product, 1)])
        order.action_confirm()
        self.assertEqual(order.hub_route_rule_id, vip_rule)
        self.assertIn("outside the rule's categories", order.hub_route_note)

    def test_no_warehouse_can_serve_flags_out_of_stock(self):
        self._stock(self.wh_a, self.product, 2)
        self._rule([self.wh_a, self.wh_b], name="All")
        order = self._order([(self.product, 5)])
        order.action_confirm()
        self.assertEqual(order.hub_stock_state, "out_of_stock")
        self.assertIn("No warehouse can serve this order.", order.hub_route_note)
        self.assertEqual(
            self._free(self.wh_a, self.product), 2, "nothing reserved from a warehouse that cannot serve"
        )

    def test_without_rules_the_stock_gate_of_order_hub_applies(self):
        order = self._order([(self.product, 1)])
        default = order.warehouse_id
        with self.assertRaises(BaseExceptionError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.warehouse_id, default)

    def test_without_rules_default_warehouse_is_kept(self):
        # without routing the free-stock gate (order_hub) would block this
        # order; a manager may switch that gate off, and then stock waits as usual
        self.env.ref("order_hub.exception_rule_stock_short").active = False
        order = self._order([(self.product, 1)])
        default = order.warehouse_id
        order.action_confirm()
        self.assertEqual(order.warehouse_id, default)
        self.assertFalse(order.hub_route_rule_id)
        self.assertEqual(order.hub_stock_state, "out_of_stock")
        self.assertNotEqual(order.hub_stage_code, "exception", "without routing rules, stock waits as usual")

    def test_rules_of_another_company_are_ignored(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self._stock(self.wh_a, self.product, 5)
        self._rule([self.wh_a], name="Foreign", company_id=other.id)
        order = self._order([(self.product, 1)])
        # no routing applies, so the free-stock gate judges the default warehouse
        self._stock(order.warehouse_id, self.product, 1)
        order.action_confirm()
        self.assertFalse(order.hub_route_rule_id)
        self.assertNotIn("Foreign", order.hub_route_note or "")
