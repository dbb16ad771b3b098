from freezegun import freeze_time

from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestPayToConfirm(LifecycleCommon):
    def _paid_and_confirmed(self, paid, confirmed):
        order = self._order(hub_paid_at=paid)
        with freeze_time(confirmed):
            order.action_confirm()
        return order

    def test_minutes_ignore_the_night(self):
        # paid 21:50, confirmed 07:10 next morning: 10 + 10 working minutes
        order = self._paid_and_confirmed(self._utc(2026, 3, 10, 21, 50), self._utc(2026, 3, 11, 7, 10))
        self.assertEqual(order.hub_confirmed_at, self._utc(2026, 3, 11, 7, 10))
        self.assertAlmostEqual(order.hub_pay_confirm_minutes, 20.0, places=1)
        self.assertTrue(order.hub_pay_confirm_late)
        self.assertEqual(order.hub_pay_confirm_attained, 0.0)

    def test_on_time_across_the_night(self):
        order = self._paid_and_confirmed(self._utc(2026, 3, 10, 21, 55), self._utc(2026, 3, 11, 7, 5))
        self.assertAlmostEqual(order.hub_pay_confirm_minutes, 10.0, places=1)
        self.assertFalse(order.hub_pay_confirm_late)
        self.assertEqual(order.hub_pay_confirm_attained, 100.0)

    def test_paid_at_night_confirmed_before_opening(self):
        order = self._paid_and_confirmed(self._utc(2026, 3, 10, 23, 0), self._utc(2026, 3, 11, 6, 30))
        self.assertEqual(order.hub_pay_confirm_minutes, 0.0)
        self.assertFalse(order.hub_pay_confirm_late)

    def test_target_is_a_company_setting(self):
        self.env.company.order_hub_pay_confirm_minutes = 30
        order = self._paid_and_confirmed(self._utc(2026, 3, 10, 10, 0), self._utc(2026, 3, 10, 10, 20))
        self.assertAlmostEqual(order.hub_pay_confirm_minutes, 20.0, places=1)
        self.assertFalse(order.hub_pay_confirm_late)

    def test_attainment_for_dashboards(self):
        on_time = self._paid_and_confirmed(self._utc(2026, 3, 10, 10, 0), self._utc(2026, 3, 10, 10, 5))
        late = self._paid_and_confirmed(self._utc(2026, 3, 10, 10, 0), self._utc(2026, 3, 10, 11, 0))
        unpaid = self._order()
        unpaid.action_confirm()
        result = self.env["sale.order"].hub_pay_confirm_attainment(
            [("id", "in", (on_time | late | unpaid).ids)]
        )
        self.assertEqual(result, {"measured": 2, "on_time": 1, "percent": 50.0})
        self.assertEqual(
            self.env["sale.order"].hub_pay_confirm_attainment([("id", "=", 0)]),
            {"measured": 0, "on_time": 0, "percent": 0.0},
        )
