import importlib.util
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base_exception.exceptions import BaseExceptionError

from .rules_common import OrderRulesCommon


@tagged("post_install", "-at_install")
class TestGiftPool(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env.ref("order_hub.exception_rule_gift_without_promise")
        cls.Gift = cls.env["order.hub.gift"]

    def _gift_order(self, promise=None, qty=1, user=None, product=None):
        order = self._order()
        if user:
            order.user_id = user
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or self.gift_product).id,
                            "product_uom_qty": qty,
                            "price_unit": 0.0,
                            "hub_is_gift": True,
                            "hub_gift_promise_date": promise,
                        }
                    )
                ]
            }
        )
        return order

    def _confirmed_owed_gift(self, promise, user=None):
        order = self._gift_order(promise=promise, user=user)
        order.action_confirm()
        return order.hub_gift_ids

    def test_short_gift_without_promised_date_blocks(self):
        order = self._gift_order()
        gift_line = order.order_line.filtered("hub_is_gift")
        self.assertEqual(gift_line.hub_gift_source, "manual")
        self.assertTrue(gift_line.hub_gift_short)
        try:
            order.action_confirm()
        except BaseExceptionError:
            pass
        else:
            self.fail("a short gift without a promised date must block the confirmation")
        self.assertEqual(order.state, "draft")
        self.assertIn(self.rule, order.exception_ids)
        self.assertIn("set a promised re-ship date on: Car wax (gift)", order.exceptions_summary)
        self.assertFalse(self.Gift.search([("order_id", "=", order.id)]))

    def test_short_gift_with_promised_date_passes_and_becomes_an_owed_gift(self):
        order = self._gift_order(promise=date(2026, 12, 5), qty=2)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        gift = order.hub_gift_ids
        self.assertRecordValues(
            gift,
            [
                {
                    "order_id": order.id,
                    "partner_id": self.customer.id,
                    "product_id": self.gift_product.id,
                    "quantity": 2.0,
                    "promised_date": date(2026, 12, 5),
                    "state": "owed",
                    "picking_id": False,
                }
            ],
        )
        gift_line = order.order_line.filtered("hub_is_gift")
        self.assertEqual(gift.sale_line_id, gift_line)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", order.id), ("field_name", "=", "hub_gift_ids")]
        )
        self.assertEqual(audit.mapped("new_value"), ["Car wax (gift) x 2, promised 2026-12-05: Owed"])
        gift.promised_date = date(2026, 12, 8)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", order.id), ("field_name", "=", "hub_gift_ids")], order="id desc", limit=1
        )
        self.assertEqual(audit.old_value, "Car wax (gift) x 2, promised 2026-12-05: Owed")
        self.assertEqual(audit.new_value, "Car wax (gift) x 2, promised 2026-12-08: Owed")
        # the first delivery ships the goods and does not wait for the gift
        self.assertEqual(set(gift_line.move_ids.mapped("state")), {"cancel"})
        product_moves = order.order_line.filtered(lambda line: not line.hub_is_gift).move_ids
        self.assertEqual(product_moves.mapped("state"), ["assigned"])

    def test_promise_on_the_line_is_audited(self):
        order = self._gift_order()
        gift_line = order.order_line.filtered("hub_is_gift")
        gift_line.hub_gift_promise_date = date(2026, 12, 5)
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", order.id), ("field_name", "=", "hub_gift_ids")]
        )
        self.assertEqual(audit.old_value, "Car wax (gift) x 1: no promised date")
        self.assertEqual(audit.new_value, "Car wax (gift) x 1: 2026-12-05")

    def test_gift_in_stock_needs_no_promise_and_ships_with_the_order(self):
        self.env["stock.quant"]._update_available_quantity(self.gift_product, self.stock_location, 5)
        order = self._gift_order()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.hub_gift_ids)
        self.assertEqual(order.order_line.filtered("hub_is_gift").move_ids.mapped("state"), ["assigned"])

    def test_reship_delivery_moves_the_gift_along(self):
        gift = self._confirmed_owed_gift(date(2026, 12, 5))
        self.assertFalse(gift.stock_ready)
        self.env["stock.quant"]._update_available_quantity(self.gift_product, self.stock_location, 3)
        self.env.invalidate_all()
        self.assertTrue(gift.stock_ready)
        gift.action_create_reship()
        self.assertEqual(gift.state, "scheduled")
        picking = gift.picking_id
        self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(picking.partner_id, self.customer)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.product_id, self.gift_product)
        self.assertIn(picking, gift.order_id.picking_ids)
        if "carrier_tracking_ref" in picking._fields:
            picking.carrier_tracking_ref = "SF1234567890"
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(gift.state, "shipped")
        self.assertEqual(gift.sale_line_id.qty_delivered, 1)
        with freeze_time("2026-12-03 04:00:00"):
            gift.action_mark_delivered()
        self.assertRecordValues(
            gift,
            [
                {
                    "state": "delivered",
                    "customer_confirmed": True,
                    "delivered_date": date(2026, 12, 3),
                    "on_time": True,
                }
            ],
        )

    def test_cancelling_the_reship_delivery_makes_the_gift_owed_again(self):
        gift = self._confirmed_owed_gift(date(2026, 12, 5))
        gift.action_create_reship()
        gift.picking_id.action_cancel()
        self.assertEqual(gift.state, "owed")
        self.assertFalse(gift.picking_id)

    @freeze_time("2026-12-10 02:00:00")
    def test_overdue_gifts_and_fulfilment_rate(self):
        late = self._confirmed_owed_gift(date(2026, 12, 5))
        on_time = self._confirmed_owed_gift(date(2026, 12, 20))
        upcoming = self._confirmed_owed_gift(date(2026, 12, 25))
        self.assertTrue(late.is_overdue)
        self.assertEqual(late.days_left, -5)
        self.assertFalse(on_time.is_overdue)
        self.assertEqual(
            self.Gift.search([("is_overdue", "=", True), ("id", "in", (late | on_time | upcoming).ids)]), late
        )
        on_time.action_create_reship()
        on_time.action_mark_delivered()
        self.assertTrue(on_time.on_time)
        # promised 5 Dec (owed, late) and 20 Dec (delivered on time): 1 of 2
        self.assertEqual(self.Gift._hub_fulfilment_rate(date(2026, 12, 4), date(2026, 12, 21)), 0.5)
        # nothing promised in the period: no figure rather than 0 %
        self.assertIsNone(self.Gift._hub_fulfilment_rate(date(2027, 1, 1), date(2027, 1, 31)))
        upcoming.action_cancel()
        self.assertEqual(upcoming.state, "cancelled")
        # cancelled gifts do not count as promised
        self.assertEqual(self.Gift._hub_fulfilment_rate(date(2026, 12, 19), date(2026, 12, 31)), 1.0)

    def test_ten_o_clock_digest_lists_exactly_each_salespersons_owed_gifts(self):
        alice = self._create_hub_user(
            "customer_service", name="Alice", login="alice_gifts", email="alice@example.com"
        )
        bob = self._create_hub_user(
            "customer_service", name="Bob", login="bob_gifts", email="bob@example.com"
        )
        alice_gifts = self._confirmed_owed_gift(date(2026, 11, 28), user=alice) | self._confirmed_owed_gift(
            date(2026, 11, 20), user=alice
        )
        bob_gift = self._confirmed_owed_gift(date(2026, 12, 1), user=bob)
        delivered = self._confirmed_owed_gift(date(2026, 11, 30), user=bob)
        delivered.action_create_reship()
        delivered.action_mark_delivered()
        cron = self.env.ref("order_hub.order_hub_gift_cron_digest")
        self.assertEqual(cron.interval_type, "days")
        self.assertEqual(cron.nextcall.strftime("%H:%M"), "02:00")  # 10:00 in China
        with freeze_time("2026-11-23 02:00:00"):
            digest = self.Gift._hub_digest_by_salesperson()
            self.assertEqual(digest[alice], alice_gifts)
            self.assertEqual(digest[bob], bob_gift)
            cron.method_direct_trigger()
        messages = {
            user: self.env["mail.message"].search(
                [("partner_ids", "in", user.partner_id.ids), ("subject", "like", "Owed gifts")]
            )
            for user in (alice, bob)
        }
        self.assertEqual(len(messages[alice]), 1)
        self.assertEqual(len(messages[bob]), 1)
        alice_body, bob_body = str(messages[alice].body), str(messages[bob].body)
        self.assertEqual(messages[alice].subject, "Owed gifts: 2")
        for gift in alice_gifts:
            self.assertIn(gift.order_id.name, alice_body)
            self.assertNotIn(gift.order_id.name, bob_body)
        self.assertIn("5 days left before the promise", alice_body)
        self.assertIn("3 days overdue", alice_body)
        late = alice_gifts.filtered(lambda gift: gift.promised_date == date(2026, 11, 20))
        self.assertRegex(alice_body, rf'<li style="color: ?red;?">{late.order_id.name},')
        self.assertNotRegex(alice_body, rf'<li style="color: ?red;?">{(alice_gifts - late).order_id.name},')
        self.assertIn(bob_gift.order_id.name, bob_body)
        self.assertIn("8 days left before the promise", bob_body)
        self.assertNotIn(delivered.order_id.name, bob_body)
        # the overdue gift got a "Gift Not Arrived" ticket for its salesperson, and only it
        tickets = self.env["order.hub.ticket"].search(
            [("order_id", "in", (alice_gifts | bob_gift | delivered).order_id.ids)]
        )
        self.assertEqual(tickets.order_id, late.order_id)
        self.assertEqual(tickets.type_id.code, "gift_not_arrived")
        self.assertEqual(tickets.user_id, alice)

    def test_digest_goes_to_the_wecom_robot_when_configured(self):
        path = Path(__file__).resolve().parents[3] / "tests" / "sandbox" / "wecom_robot_sandbox.py"
        spec = importlib.util.spec_from_file_location("order_hub_wecom_robot_sandbox_gifts", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        carol = self._create_hub_user("customer_service", name="Carol", login="carol_gifts")
        # the robot speaks the company's language (Chinese in the demo company)
        self.env.company.partner_id.lang = "en_US"
        late = self._confirmed_owed_gift(date(2026, 11, 20), user=carol)
        soon = self._confirmed_owed_gift(date(2026, 11, 28), user=carol)
        cron = self.env.ref("order_hub.order_hub_gift_cron_digest")
        with freeze_time("2026-11-23 02:00:00"):
            cron.method_direct_trigger()  # no robot configured: nothing is posted, nothing fails
            with module.WecomRobotSandbox(keys={"gift-key"}) as robot:
                self.env.company.order_hub_wecom_webhook_url = robot.url("gift-key")
                cron.method_direct_trigger()
        contents = [payload["text"]["content"] for key, payload in robot.messages if key == "gift-key"]
        text = "\n".join(contents)
        self.assertIn("Owed gifts of Carol", text)
        self.assertIn(f"[!] {late.order_id.name}", text)
        self.assertIn("3 days overdue", text)
        self.assertIn(soon.order_id.name, text)
        self.assertNotIn(f"[!] {soon.order_id.name}", text)
        self.assertIn("5 days left before the promise", text)
