from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestStageHistory(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.History = cls.env["order.hub.stage.history"]
        # a Monday-to-Friday office calendar, 09:00-18:00 Shanghai time
        cls.office = cls.env["resource.calendar"].create(
            {
                "name": "Office Mon-Fri 09-18",
                "tz": "Asia/Shanghai",
                "attendance_ids": [
                    Command.clear(),
                    *(
                        Command.create(
                            {"name": str(day), "dayofweek": str(day), "hour_from": 9, "hour_to": 18}
                        )
                        for day in range(5)
                    ),
                ],
            }
        )

    def _stays(self, order):
        return self.History.search([("order_id", "=", order.id)], order="entered_at, id")

    def test_every_move_closes_one_stay_and_opens_the_next(self):
        with freeze_time(self._utc(2026, 3, 10, 9, 0)):
            order = self._order()
        with freeze_time(self._utc(2026, 3, 10, 10, 30)):
            order._hub_move_to("preparing")
        with freeze_time(self._utc(2026, 3, 10, 12, 0)):
            order._hub_move_to("shipped")
        stays = self._stays(order)
        self.assertEqual(stays.stage_id.mapped("code"), ["to_confirm", "preparing", "shipped"])
        self.assertEqual(stays[0].entered_at, self._utc(2026, 3, 10, 9, 0))
        self.assertEqual(stays[0].left_at, self._utc(2026, 3, 10, 10, 30))
        self.assertAlmostEqual(stays[0].duration_hours, 1.5, places=3)
        self.assertAlmostEqual(stays[1].duration_hours, 1.5, places=3)
        self.assertFalse(stays[2].left_at)
        self.assertFalse(stays[2].duration_hours)
        self.assertEqual(order.hub_stage_history_ids, stays)
        # moving to the stage it is already in changes nothing
        order._hub_move_to("shipped")
        self.assertEqual(len(self._stays(order)), 3)

    def test_duration_skips_the_weekend_on_the_working_calendar(self):
        self._stage("preparing").calendar_id = self.office
        # Friday 16:00 -> Monday 11:00: 2 h on Friday, 2 h on Monday (Sat/Sun are not worked)
        with freeze_time(self._utc(2026, 3, 13, 16, 0)):
            order = self._order()
            order._hub_move_to("preparing")
        with freeze_time(self._utc(2026, 3, 16, 11, 0)):
            order._hub_move_to("shipped")
        stay = self._stays(order).filtered(lambda s: s.stage_id.code == "preparing")
        self.assertAlmostEqual(stay.duration_hours, 4.0, places=3)
        # the same weekend on the hub's 7-day calendar (07:00-22:00) counts Saturday and Sunday
        self._stage("preparing").calendar_id = self.calendar
        with freeze_time(self._utc(2026, 3, 13, 16, 0)):
            other = self._order()
            other._hub_move_to("preparing")
        with freeze_time(self._utc(2026, 3, 16, 11, 0)):
            other._hub_move_to("shipped")
        stay = self._stays(other).filtered(lambda s: s.stage_id.code == "preparing")
        self.assertAlmostEqual(stay.duration_hours, 6 + 15 + 15 + 4, places=3)

    def test_working_hours_many_matches_the_calendar(self):
        pairs = [
            (self._utc(2026, 3, 13, 16, 0), self._utc(2026, 3, 16, 11, 0)),
            (self._utc(2026, 3, 14, 10, 0), self._utc(2026, 3, 15, 10, 0)),
            (self._utc(2026, 3, 9, 8, 0), self._utc(2026, 3, 20, 20, 0)),
        ]
        many = self.History._hub_working_hours_many(self.office, pairs)
        single = [self.office.get_work_hours_count(start, end) for start, end in pairs]
        for got, expected in zip(many, single, strict=True):
            self.assertAlmostEqual(got, expected, places=3)
        self.assertEqual(many[1], 0.0)

    def test_backfill_from_the_audit_trail(self):
        with freeze_time(self._utc(2026, 3, 13, 16, 0)):
            order = self._order()
            order._hub_move_to("preparing")
        with freeze_time(self._utc(2026, 3, 16, 11, 0)):
            order._hub_move_to("shipped")
        self._stage("preparing").calendar_id = self.office
        # as in a database from before stage history: the audit trail only
        self.env.cr.execute("DELETE FROM order_hub_stage_history WHERE order_id = %s", [order.id])
        self.History.invalidate_model()
        self.History._backfill_from_audit()
        stays = self._stays(order)
        self.assertEqual(stays.stage_id.mapped("code"), ["to_confirm", "preparing", "shipped"])
        self.assertTrue(all(stays.mapped("backfilled")))
        self.assertAlmostEqual(stays[1].duration_hours, 4.0, places=3)
        self.assertFalse(stays[2].left_at)
        # idempotent: a second run adds nothing
        self.History._backfill_from_audit()
        self.assertEqual(len(self._stays(order)), 3)
