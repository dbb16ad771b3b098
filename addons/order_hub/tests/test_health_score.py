from odoo.tests import tagged

from .rules_common import OrderRulesCommon


@tagged("post_install", "-at_install")
class TestHealthScore(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rules = {
            check: cls.env.ref(f"order_hub.order_hub_health_rule_{check}")
            for check in (
                "vague_address",
                "risky_payment",
                "return_rate",
                "blacklist",
                "vip",
                "known_address",
            )
        }

    def _customer(self, **values):
        return self.env["res.partner"].create(
            {
                "name": "上海佳途汽车维修有限公司",
                "street": "闵行区七莘路 1288 号",
                "city": "上海市",
                "country_id": self.env.ref("base.cn").id,
                "mobile": "13900001111",
                **values,
            }
        )

    def assertScore(self, order, score, fired):
        self.assertEqual(order.hub_health_score, score)
        expected = (
            "\n".join(f"{self.rules[c].points:+d} {self.rules[c].name}" for c in fired) or "No rule fired."
        )
        self.assertEqual(order.hub_health_explanation, expected)

    def test_clean_order_scores_100(self):
        self.assertScore(self._order(self._customer()), 100, [])

    def test_vague_address(self):
        for street in ("七莘路", "闵行区七莘路", "七莘路 1288 号"):
            with self.subTest(street=street):
                self.assertScore(self._order(self._customer(street=street)), 85, ["vague_address"])

    def test_foreign_address_is_not_judged_on_chinese_districts(self):
        customer = self._customer(street="1 Infinite Loop", country_id=self.env.ref("base.us").id)
        self.assertScore(self._order(customer), 100, [])

    def test_high_risk_payment_method(self):
        self.assertScore(self._order(self._customer(), hub_payment_method="cod"), 80, ["risky_payment"])
        self.assertScore(self._order(self._customer(), hub_payment_method="prepaid"), 100, [])

    def test_return_rate_over_30_percent(self):
        customer = self._customer()
        for __ in range(2):
            order = self._order(customer)
            order.action_confirm()
            picking = order.picking_ids
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
            picking.button_validate()
        self.assertScore(self._order(customer.copy({"street": "徐汇区漕溪北路 88 号"})), 100, [])
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        return_picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        return_picking.move_ids.quantity = 1
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        # 1 return for 2 deliveries: 50 % > 30 %; the address is known from the earlier orders
        self.assertScore(self._order(customer), 90, ["return_rate", "known_address"])
        self.rules["return_rate"].rate_limit = 0.5
        self.assertScore(self._order(customer), 100, ["known_address"])

    def test_blacklisted_phone_or_address(self):
        self.env["order.hub.blacklist"].create(
            {"kind": "phone", "value": "+86 139-0000-1111", "reason": "fraud"}
        )
        self.assertScore(self._order(self._customer()), 0, ["blacklist"])
        self.env["order.hub.blacklist"].create({"kind": "address", "value": "徐汇区 漕溪北路 88号"})
        other = self._customer(mobile="13700002222", street="徐汇区漕溪北路88号 3 楼")
        self.assertScore(self._order(other), 0, ["blacklist"])
        self.assertScore(self._order(self._customer(mobile="13700002222")), 100, [])

    def test_vip_customer(self):
        customer = self._customer(street="七莘路", hub_customer_tier="vip")
        self.assertScore(self._order(customer), 95, ["vague_address", "vip"])

    def test_same_address_as_previous_orders(self):
        customer = self._customer()
        first = self._order(customer, hub_payment_method="cod")
        self.assertScore(first, 80, ["risky_payment"])
        first.action_confirm()
        self.assertScore(
            self._order(customer, hub_payment_method="cod"), 95, ["risky_payment", "known_address"]
        )
        moved = self._customer(street="徐汇区漕溪北路 88 号", parent_id=customer.id, type="delivery")
        order = self._order(customer, partner_shipping_id=moved.id, hub_payment_method="cod")
        self.assertScore(order, 80, ["risky_payment"])

    def test_points_are_configurable(self):
        self.rules["vague_address"].points = -50
        self.assertScore(self._order(self._customer(street="七莘路")), 50, ["vague_address"])
        self.rules["vague_address"].active = False
        self.assertScore(self._order(self._customer(street="七莘路")), 100, [])

    def test_low_score_goes_to_review_instead_of_being_confirmed(self):
        self.company.hub_auto_confirm = True
        self.env["order.hub.blacklist"].create({"kind": "phone", "value": "13900001111"})
        risky = self._order(self._customer())
        healthy = self._order(self._customer(mobile="13600003333"))
        confirmed = (risky | healthy)._hub_process_arrival()
        self.assertEqual(confirmed, healthy)
        self.assertEqual(healthy.state, "sale")
        self.assertEqual(healthy.hub_review_state, "none")
        self.assertEqual(risky.state, "draft")
        self.assertEqual(risky.hub_review_state, "pending")
        self.assertIn("Health score 0 is below 60", risky.hub_review_reason)
        self.assertIn("Blacklisted phone or address", risky.hub_review_reason)
        # held: the lifecycle puts it in Exception, with the reason on the audit line
        self.assertEqual(risky.hub_stage_code, "exception")
        self.assertEqual(healthy.hub_stage_code, "preparing")
        move = self.env["order.hub.audit.log"].search(
            [("order_id", "=", risky.id), ("field_name", "=", "hub_stage_id")], order="id desc", limit=1
        )
        self.assertEqual(move.new_value, "Exception")
        self.assertIn("Health score 0 is below 60", move.note)
        review = self.env.ref("order_hub.sale_order_action_review")
        self.assertIn(risky, self.env["sale.order"].search([("hub_review_state", "=", "pending")]))
        self.assertEqual(review.domain, "[('hub_review_state', '=', 'pending')]")
        risky.with_user(self.user_cs).action_hub_review_approve()
        self.assertEqual(risky.state, "sale")
        self.assertEqual(risky.hub_review_state, "approved")
        self.assertEqual(risky.hub_stage_code, "preparing")

    def test_threshold_is_configurable(self):
        self.company.hub_auto_confirm = True
        self.company.hub_health_threshold = 90
        order = self._order(self._customer(street="七莘路"))
        order._hub_process_arrival()
        self.assertEqual(order.hub_review_state, "pending")
        order.action_hub_review_reject()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.hub_review_state, "rejected")
        self.assertEqual(order.hub_stage_code, "cancelled")
