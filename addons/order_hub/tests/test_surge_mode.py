from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .rules_common import OrderRulesCommon

START = datetime(2026, 11, 11, 0, 0, 0)


@tagged("post_install", "-at_install")
class TestSurgeMode(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "hub_surge_threshold": 5,
                "hub_surge_window": 10,
                "hub_surge_quiet_minutes": 30,
                # out of any surge the database is in (a benchmark run on it)
                "hub_surge_active": False,
                "hub_surge_quiet_since": False,
            }
        )
        cls.Log = cls.env["order.hub.surge.log"]
        # the switches this test makes (not those of a surge the database saw before)
        cls.last_log_before = cls.Log.search([], order="id desc", limit=1).id or 0
        cls.customer.street = "余杭区文一西路 998 号"

    def _arrive(self, count):
        orders = self.env["sale.order"]
        for __ in range(count):
            orders |= self._order()
        return orders

    def _check(self):
        self.Log._cron_check_surge()
        return self.company.hub_surge_active

    def _logs(self):
        return self.Log.search(
            [("company_id", "=", self.company.id), ("id", ">", self.last_log_before)], order="id"
        )

    def test_surge_turns_on_above_the_rate_and_off_after_the_quiet_period(self):
        with freeze_time(START) as frozen:
            self._arrive(5)
            self.assertFalse(self._check(), "5 orders in 10 minutes is not above a threshold of 5")
            frozen.tick(timedelta(minutes=5))
            self._arrive(1)
            self.assertTrue(self._check())
            self.assertRecordValues(self._logs(), [{"switched_on": True, "order_count": 6, "threshold": 5}])
            manager_notes = self.env["mail.message"].search(
                [("partner_ids", "in", self.user_manager.partner_id.ids), ("subject", "=", "Surge mode on")]
            )
            self.assertEqual(len(manager_notes), 1)
            self.assertIn("6 orders arrived in 10 minutes", str(manager_notes.body))
            # healthy orders now confirm by themselves and get a warehouse
            fast = self._order(warehouse_id=False)
            self.assertEqual(fast._hub_process_arrival(), fast)
            self.assertEqual(fast.state, "sale")
            self.assertEqual(fast.warehouse_id, self.warehouse)
            self.assertTrue(fast.hub_surge_active)
            # the rate falls: the quiet period starts
            frozen.tick(timedelta(minutes=11))
            self.assertTrue(self._check())
            quiet_since = self.company.hub_surge_quiet_since
            self.assertEqual(quiet_since, START + timedelta(minutes=16))
            frozen.tick(timedelta(minutes=29))
            self.assertTrue(self._check(), "29 quiet minutes are not enough")
            frozen.tick(timedelta(minutes=1))
            self.assertFalse(self._check())
            self.assertEqual(self._logs().mapped("switched_on"), [True, False])
            self.assertEqual(
                self.env["mail.message"].search_count(
                    [
                        ("partner_ids", "in", self.user_manager.partner_id.ids),
                        ("subject", "=", "Surge mode off"),
                    ]
                ),
                1,
            )
            # outside surge mode (and without automatic confirmation) orders wait
            calm = self._order()
            self.assertFalse(calm._hub_process_arrival())
            self.assertEqual(calm.state, "draft")

    def test_a_new_peak_during_the_quiet_period_keeps_surge_mode_on(self):
        with freeze_time(START) as frozen:
            self._arrive(6)
            self.assertTrue(self._check())
            frozen.tick(timedelta(minutes=15))
            self.assertTrue(self._check())
            self.assertTrue(self.company.hub_surge_quiet_since)
            frozen.tick(timedelta(minutes=20))
            self._arrive(6)
            self.assertTrue(self._check())
            self.assertFalse(self.company.hub_surge_quiet_since)
            frozen.tick(timedelta(minutes=25))
            self.assertTrue(self._check(), "the quiet period restarted with the new peak")
            self.assertEqual(len(self._logs()), 1)

    def test_surge_does_not_confirm_low_score_or_blocked_orders(self):
        with freeze_time(START):
            self._arrive(6)
            self.env["order.hub.blacklist"].create({"kind": "phone", "value": "13800138000"})
            risky = self._order()
            self.assertFalse(risky._hub_process_arrival())
            self.assertTrue(self.company.hub_surge_active)
            self.assertEqual(risky.hub_review_state, "pending")
            self.assertEqual(risky.state, "draft")
            self.env["order.hub.blacklist"].search([]).unlink()
            special = self._order()
            special.hub_invoice_type = "special"
            self.assertFalse(special._hub_process_arrival())
            self.assertEqual(special.state, "draft")
            self.assertIn(
                self.env.ref("order_hub.exception_rule_special_invoice_incomplete"), special.exception_ids
            )
