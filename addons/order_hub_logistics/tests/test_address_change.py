import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestAddressChange(CarrierCommon):
    def _request(self, order, user=None, attach=True, **values):
        env = self.env(user=user or self.user_cs)
        attachments = []
        if attach:
            attachments = (
                env["ir.attachment"]
                .create({"name": "authorization.png", "datas": base64.b64encode(b"customer says yes")})
                .ids
            )
        return env["order.hub.address.change"].create(
            {
                "order_id": order.id,
                "new_name": "李四",
                "new_phone": "13700000000",
                "new_state_id": self.state_zj.id,
                "new_city": "杭州市",
                "new_street": "西湖路 1 号",
                "reason": "Customer moved",
                "attachment_ids": [(6, 0, attachments)],
                **values,
            }
        )

    def test_before_shipping_applies_to_order_and_delivery(self):
        order = self._confirmed_order(self.sf)
        change = self._request(order)
        self.assertIn("南京东路 8 号", change.original_address)
        change.action_apply()
        self.assertEqual(change.state, "applied")
        self.assertTrue(change.success)
        self.assertEqual(order.partner_shipping_id.street, "西湖路 1 号")
        self.assertEqual(order.picking_ids.partner_id.street, "西湖路 1 号")
        self.assertTrue(any("Customer moved" in body for body in order.message_ids.mapped("body")))
        audit = self.env["order.hub.audit.log"].search(
            [("order_id", "=", order.id), ("field_name", "=", "partner_shipping_id")]
        )
        self.assertTrue(audit, "the address change is audited")
        self.assertIn("李四", audit[0].new_value)
        picking = self._ship(order)
        sent = self.sf_box.orders[picking.hub_carrier_order_code]
        self.assertEqual(sent["contactInfoList"][1]["address"], "西湖路 1 号")

    def test_authorization_is_required(self):
        order = self._confirmed_order(self.sf)
        change = self._request(order, attach=False)
        with self.assertRaises(UserError):
            change.action_apply()
        self.assertEqual(order.partner_shipping_id, self.customer)

    def test_only_customer_service_creates_requests(self):
        order = self._confirmed_order(self.sf)
        with self.assertRaises(AccessError):
            self._request(order, user=self.user_warehouse, attach=False)

    def test_after_shipping_the_carrier_redirects(self):
        order = self._confirmed_order(self.sf)
        picking = self._ship(order)
        change = self._request(order)
        change.action_apply()
        self.assertEqual(change.state, "carrier_done")
        self.assertEqual(self.sf_box.address_changes[-1]["waybill"], picking.carrier_tracking_ref)
        self.assertEqual(self.sf_box.address_changes[-1]["address"]["address"], "西湖路 1 号")
        self.assertEqual(order.partner_shipping_id.street, "西湖路 1 号")

    def test_carrier_refusal_goes_to_the_logistics_specialist(self):
        specialist = self._create_hub_user("warehouse", login="logistics_specialist", name="Specialist")
        self.zto.hub_logistics_user_id = specialist
        order = self._confirmed_order(self.zto)
        picking = self._ship(order)
        self.zto_box.refuse_address_change.add(picking.carrier_tracking_ref)
        change = self._request(order)
        change.action_apply()
        self.assertEqual(change.state, "failed")
        self.assertFalse(change.success)
        self.assertIn("E2002", change.carrier_error)
        self.assertEqual(order.partner_shipping_id, self.customer, "the order keeps its address")
        self.assertEqual(order.hub_stage_code, "address_change")
        activity = change.activity_ids
        self.assertEqual(activity.user_id, specialist)
        message = change.message_ids.filtered("attachment_ids")
        self.assertEqual(message.attachment_ids.datas, change.attachment_ids.datas)
        change.with_user(specialist).action_resolve()
        self.assertEqual(change.state, "resolved")
        self.assertEqual(order.hub_stage_code, "shipped")
        self.assertFalse(change.activity_ids)
        stats = self.env["order.hub.address.change"]._hub_statistics([("id", "=", change.id)])
        self.assertEqual(stats["success_rate"], 0.0)
        self.assertEqual(stats["count"], 1)

    def test_statistics(self):
        order = self._confirmed_order(self.sf)
        ok = self._request(order)
        ok.action_apply()
        stats = self.env["order.hub.address.change"]._hub_statistics([("id", "=", ok.id)])
        self.assertEqual(stats["success_rate"], 1.0)
        self.assertGreaterEqual(stats["avg_handling_minutes"], 0.0)
