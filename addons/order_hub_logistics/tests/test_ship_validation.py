import threading
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestShipValidation(CarrierCommon):
    """Validating the delivery of a platform order asks for the carrier and
    the tracking number unless the carrier creates the waybill, and never
    opens stock_sms's "confirm by SMS" dialog."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ship = cls.sf.product_id
        cls.own_fleet = cls.env["delivery.carrier"].create(
            {"name": "Own fleet", "delivery_type": "fixed", "product_id": ship.id, "fixed_price": 0}
        )

    def _picking(self, **values):
        order = self._order([(self.product, 1)], warehouse_id=self.wh_a.id, **values)
        order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        return picking

    def _validate_as_warehouse(self, picking):
        return picking.with_user(self.user_warehouse).button_validate()

    def test_platform_delivery_without_carrier_asks_for_it(self):
        picking = self._picking(hub_source="jd")
        action = self._validate_as_warehouse(picking)
        self.assertEqual(action["res_model"], "order.hub.ship.wizard")
        self.assertEqual(picking.state, "assigned", "nothing is shipped before the answer")
        wizard = Form(
            self.env["order.hub.ship.wizard"].with_user(self.user_warehouse).with_context(**action["context"])
        )
        wizard.carrier_id = self.own_fleet
        wizard.tracking_ref = " YT1234567890 "
        wizard.save().action_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_id, self.own_fleet)
        self.assertEqual(picking.carrier_tracking_ref, "YT1234567890")

    def test_a_carrier_without_waybill_api_needs_the_tracking_number(self):
        picking = self._picking(hub_source="douyin")
        wizard = self.env["order.hub.ship.wizard"].create(
            {"picking_ids": [(6, 0, picking.ids)], "carrier_id": self.own_fleet.id}
        )
        with self.assertRaises(UserError):
            wizard.action_validate()
        self.assertEqual(picking.state, "assigned")

    def test_sf_creates_the_waybill_from_the_question(self):
        picking = self._picking(hub_source="jd")
        action = self._validate_as_warehouse(picking)
        wizard = (
            self.env["order.hub.ship.wizard"]
            .with_context(**action["context"])
            .create({"carrier_id": self.sf.id})
        )
        self.assertTrue(wizard.creates_waybill)
        wizard.action_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.carrier_tracking_ref.startswith("SF"))

    def test_platform_delivery_with_a_waybill_carrier_is_not_asked(self):
        order = self._confirmed_order(self.sf, hub_source="jd")
        picking = self._ship(order)
        self.assertEqual(picking.state, "done")

    def test_other_deliveries_validate_as_in_odoo(self):
        picking = self._picking()
        self.assertTrue(self._validate_as_warehouse(picking))
        self.assertEqual(picking.state, "done")

    def test_no_sms_dialog_for_platform_deliveries(self):
        if "confirm.stock.sms" not in self.env:
            self.skipTest("stock_sms is not installed")
        hub = self._picking(hub_source="jd")
        other = self._picking()
        self.env.company.write({"stock_move_sms_validation": True, "has_received_warning_stock_sms": False})
        # the dialog is switched off in test mode: switch it back on
        with (
            patch.object(type(self.env.registry), "in_test_mode", lambda registry: False),
            patch.object(threading.current_thread(), "testing", False),
        ):
            warned = (hub | other)._check_warn_sms()
        self.assertEqual(warned, other)
