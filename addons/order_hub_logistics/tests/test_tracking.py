from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestTracking(HttpCase, CarrierCommon):
    def setUp(self):
        super().setUp()
        (self.sf | self.zto).write({"hub_kd100_callback_base": self.base_url()})

    def _shipped(self, carrier=None, **values):
        order = self._confirmed_order(carrier or self.sf, **values)
        picking = self._ship(order)
        return order, picking

    def test_poll_picks_up_then_push_signs(self):
        order, picking = self._shipped(hub_promised_delivery_date=fields.Datetime.now() + timedelta(days=2))
        number = picking.carrier_tracking_ref
        self.kd_box.set_track(number, "shunfeng", 1, [("2026-11-20 10:00:00", "顺丰速运 已收取快件")])
        self.env["stock.picking"]._cron_hub_poll_tracking()
        self.assertEqual(picking.hub_tracking_event, "in_transit", picking.hub_tracking_error)
        self.assertEqual(picking.hub_tracking_state, "1")
        self.assertEqual(order.hub_stage_code, "in_transit")
        self.assertEqual(order.hub_tracking_event_ids.mapped("description"), ["顺丰速运 已收取快件"])
        self.assertEqual(
            order.hub_tracking_event_ids.event_time, fields.Datetime.to_datetime("2026-11-20 02:00:00")
        )
        # a push with a bad sign writes nothing
        self.kd_box.set_track(
            number,
            "shunfeng",
            3,
            [("2026-11-20 10:00:00", "顺丰速运 已收取快件"), ("2026-11-21 09:30:00", "已签收")],
        )
        response = self.kd_box.push(number, bad_sign=True)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["result"], False)
        self.assertEqual(len(order.hub_tracking_event_ids), 1)
        self.assertEqual(picking.hub_tracking_event, "in_transit")
        self.assertEqual(order.hub_stage_code, "in_transit")
        self.assertFalse(order.hub_signed_date)
        # the good push updates at once
        response = self.kd_box.push(number)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": True, "returnCode": "200", "message": "成功"})
        self.env.invalidate_all()
        self.assertEqual(picking.hub_tracking_event, "delivered")
        self.assertEqual(order.hub_stage_code, "done")
        self.assertEqual(len(order.hub_tracking_event_ids), 2)
        self.assertEqual(order.hub_signed_date, fields.Datetime.to_datetime("2026-11-21 01:30:00"))
        expected = (order.hub_signed_date - order.hub_promised_delivery_date).total_seconds() / 3600
        self.assertAlmostEqual(order.hub_delivery_deviation_hours, expected, places=2)
        # the same push again adds nothing
        self.kd_box.push(number)
        self.env.invalidate_all()
        self.assertEqual(len(order.hub_tracking_event_ids), 2)

    def test_problem_codes_raise_exceptions(self):
        order, picking = self._shipped(self.zto)
        self.kd_box.set_track(
            picking.carrier_tracking_ref, "zhongtong", 14, [("2026-11-20 10:00:00", "客户拒签")]
        )
        picking._hub_poll_tracking()
        self.assertEqual(picking.hub_tracking_event, "exception")
        ticket = order.hub_ticket_ids
        self.assertEqual(ticket.type_id.code, "refused_by_customer")
        self.assertIn("Refused", ticket.reason)
        self.assertEqual(order.hub_stage_code, "exception")
        # the problem code 2 opens a stalled-logistics ticket
        order2, picking2 = self._shipped(self.zto)
        self.kd_box.set_track(
            picking2.carrier_tracking_ref, "zhongtong", 2, [("2026-11-20 10:00:00", "疑难件")]
        )
        picking2._hub_poll_tracking()
        self.assertEqual(order2.hub_ticket_ids.type_id.code, "logistics_stalled")

    def test_cron_batches_within_the_rate_limit_and_survives_errors(self):
        self.sf.hub_tracking_batch = 2
        pickings = self.env["stock.picking"]
        for _i in range(3):
            pickings |= self._shipped()[1]
            self.kd_box.set_track(
                pickings[-1].carrier_tracking_ref, "shunfeng", 0, [("2026-11-20 10:00:00", "运输中")]
            )
        self.kd_box.queries.clear()
        self.env["stock.picking"]._cron_hub_poll_tracking()
        self.assertEqual(len(self.kd_box.queries), 2)
        self.env["stock.picking"]._cron_hub_poll_tracking()
        self.assertEqual(len(self.kd_box.queries), 3, "the checked ones wait 30 minutes")
        self.assertEqual(set(self.kd_box.queries), set(pickings.mapped("carrier_tracking_ref")))
        # a 5xx is stored on the shipment, the run goes on
        self.kd_box.fail_next(503)
        with self._later(31):
            pickings[:2]._hub_poll_tracking()
        self.assertIn("503", pickings[0].hub_tracking_error)
        self.assertFalse(pickings[1].hub_tracking_error)
        # flow control stops the batch
        self.kd_box.busy = True
        self.kd_box.queries.clear()
        self.assertFalse(pickings._hub_poll_tracking())
        self.assertTrue(pickings[0].hub_tracking_error)

    def _later(self, minutes):
        from freezegun import freeze_time

        return freeze_time(fields.Datetime.now() + timedelta(minutes=minutes))

    def test_callback_for_unknown_carrier_or_garbage(self):
        response = self.url_open("/order_hub/tracking/kuaidi100/999999", data={"param": "{}", "sign": "x"})
        self.assertEqual(response.status_code, 404)
        response = self.url_open(
            f"/order_hub/tracking/kuaidi100/{self.sf.id}", data={"param": "{}", "sign": "x"}
        )
        self.assertEqual(response.status_code, 401)

    def test_callback_refuses_oversized_bodies(self):
        response = self.url_open(
            f"/order_hub/tracking/kuaidi100/{self.sf.id}",
            data={"param": "x" * (1024 * 1024 + 10), "sign": "x"},
        )
        self.assertEqual(response.status_code, 413)
