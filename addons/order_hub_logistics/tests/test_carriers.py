from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestCarrierWaybills(CarrierCommon):
    def test_sf_waybill_on_validation(self):
        order = self._confirmed_order(self.sf)
        picking = self._ship(order)
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.carrier_tracking_ref.startswith("SF"))
        sent = self.sf_box.orders[picking.hub_carrier_order_code]
        self.assertEqual(sent["expressTypeId"], 1)
        receiver = [c for c in sent["contactInfoList"] if c["contactType"] == 2][0]
        self.assertEqual(receiver["address"], "南京东路 8 号")
        self.assertEqual(receiver["province"], self.state_sh.name)
        digits = picking.carrier_tracking_ref[2:]
        self.assertEqual(
            picking.hub_public_tracking_ref,
            "SF " + " ".join([digits[:4], digits[4:8], digits[8:12], digits[12:]]),
        )
        self.assertNotEqual(picking.hub_public_tracking_ref, picking.hub_carrier_order_code)
        self.assertEqual(order.hub_public_tracking_ref, picking.hub_public_tracking_ref)
        self.assertIn(picking.carrier_tracking_ref, self.kd_box.subscriptions, "tracking subscribed")
        self.assertIn(
            f"/order_hub/tracking/kuaidi100/{self.sf.id}",
            self.kd_box.subscriptions[picking.carrier_tracking_ref]["callbackurl"],
        )

    def test_zto_waybill_on_validation(self):
        order = self._confirmed_order(self.zto)
        picking = self._ship(order)
        self.assertTrue(picking.carrier_tracking_ref.startswith("7859"))
        self.assertEqual(len(picking.hub_public_tracking_ref.split(" ")), 3)
        self.assertIn(picking.hub_carrier_order_code, self.zto_box.orders)

    def test_carrier_5xx_keeps_the_delivery_open_and_retry_works(self):
        order = self._confirmed_order(self.sf)
        self.sf_box.fail_next(502)
        with self.assertRaises(UserError) as info:
            self._ship(order)
        self.assertIn("Try again", str(info.exception))
        self.assertNotIn("sandbox-check-word", str(info.exception))
        picking = order.picking_ids
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.carrier_tracking_ref)
        self._ship(order)
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.carrier_tracking_ref)

    def test_bad_credentials_give_a_readable_error(self):
        self.zto.hub_zto_app_secret = "wrong-zto-secret"
        order = self._confirmed_order(self.zto)
        with self.assertRaises(UserError) as info:
            self._ship(order)
        self.assertIn("signature", str(info.exception))
        self.assertNotIn("wrong-zto-secret", str(info.exception))

    def test_rate_shipment_and_tracking_link(self):
        order = self._order([(self.product, 1)])
        rate = self.sf.rate_shipment(order)
        self.assertTrue(rate["success"])
        order = self._confirmed_order(self.sf)
        picking = self._ship(order)
        self.assertIn(picking.carrier_tracking_ref, self.sf.get_tracking_link(picking))

    def test_credentials_are_for_managers_only(self):
        for user in (self.user_cs, self.user_warehouse):
            with self.assertRaises(AccessError):
                self.sf.with_user(user).read(["hub_sf_check_word"])
            with self.assertRaises(AccessError):
                self.zto.with_user(user).read(["hub_zto_app_secret"])
            with self.assertRaises(AccessError):
                self.sf.with_user(user).read(["hub_kd100_key"])
        self.assertEqual(self.sf.with_user(self.user_manager).hub_sf_check_word, "sandbox-check-word")
        self.assertNotIn("sandbox-check-word", repr(self.sf._hub_client()))

    def test_a_retried_validation_gets_the_same_waybill(self):
        order = self._confirmed_order(self.sf)
        picking = order.picking_ids
        code = picking._hub_carrier_order_code()
        # an earlier validation created the shipment, then its transaction was rolled back
        receiver = self.sf._hub_address(self.customer)
        first = self.sf._hub_client().create_order(code, receiver, receiver, [])["waybill"]
        created = len(self.sf_box.orders)
        self._ship(order)
        self.assertEqual(picking.carrier_tracking_ref, first)
        self.assertEqual(len(self.sf_box.orders), created, "no second parcel")
