from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestSla(LifecycleCommon):
    def test_deadline_skips_the_night(self):
        # Preparing: 2 working hours. Entered 21:00 Shanghai -> 1 h tonight,
        # 1 h from 07:00 tomorrow.
        with freeze_time(self._utc(2026, 3, 10, 21, 0)):
            order = self._order()
            order._hub_move_to("preparing")
        self.assertEqual(order.hub_sla_deadline, self._utc(2026, 3, 11, 8, 0))
        # at risk after 80% = 1.6 h: 21:00 + 1 h, then 07:36
        self.assertEqual(order.hub_sla_risk_at, self._utc(2026, 3, 11, 7, 36))
        # ticket threshold: 4 working hours
        self.assertEqual(order.hub_ticket_due_at, self._utc(2026, 3, 11, 10, 0))

    def test_deadline_skips_holidays(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Qingming Festival",
                "calendar_id": self.calendar.id,
                "date_from": self._utc(2026, 4, 5, 0, 0),
                "date_to": self._utc(2026, 4, 5, 23, 59, 59),
            }
        )
        with freeze_time(self._utc(2026, 4, 4, 21, 30)):
            order = self._order()
            order._hub_move_to("preparing")
        # 0.5 h on the 4th, the 5th is a holiday, 1.5 h on the 6th
        self.assertEqual(order.hub_sla_deadline, self._utc(2026, 4, 6, 8, 30))

    def test_status_moves_from_on_time_to_at_risk_to_breached(self):
        with freeze_time(self._utc(2026, 3, 10, 9, 0)):
            order = self._order()
            order._hub_move_to("preparing")
            self.assertEqual(order.hub_sla_status, "on_time")
        with freeze_time(self._utc(2026, 3, 10, 10, 40)):
            order.invalidate_recordset(["hub_sla_status", "hub_stage_hours"])
            self.assertEqual(order.hub_sla_status, "at_risk")
            self.assertEqual(order.hub_sla_color, 2)
            self.assertAlmostEqual(order.hub_stage_hours, 1 + 40 / 60, places=2)
            found = self.env["sale.order"].search([("id", "=", order.id), ("hub_sla_status", "=", "at_risk")])
            self.assertEqual(found, order)
        with freeze_time(self._utc(2026, 3, 10, 11, 0)):
            order.invalidate_recordset(["hub_sla_status"])
            self.assertEqual(order.hub_sla_status, "breached")
            self.assertEqual(
                self.env["sale.order"].search([("id", "=", order.id), ("hub_sla_status", "!=", "breached")]),
                self.env["sale.order"],
            )

    def test_done_has_no_clock(self):
        order = self._order()
        order._hub_move_to("done")
        self.assertFalse(order.hub_sla_deadline)
        self.assertEqual(order.hub_sla_status, "none")

    def test_utc_helper(self):
        self.assertEqual(self._utc(2026, 3, 10, 8, 0), datetime(2026, 3, 10, 0, 0))
