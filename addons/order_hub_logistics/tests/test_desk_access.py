"""The desk's logistics quick actions per role, over HTTP as each demo login:
查物流 (Track) and 改地址 (Change Address) with its wizard, apply and resolve."""

import base64

from odoo.tests import tagged

from odoo.addons.order_hub.tests.http_roles import RoleHttpCase

from .carrier_common import CarrierCommon

CHANGE = "order.hub.address.change"


@tagged("post_install", "-at_install")
class TestDeskActionsAccessOverHttp(RoleHttpCase, CarrierCommon):
    def setUp(self):
        super().setUp()
        (self.sf | self.zto).write({"hub_kd100_callback_base": self.base_url()})

    def _change_as_current_user(self, order, attach=True):
        """改地址 as the web client does it: the button, the wizard saved (with
        the authorisation uploaded), then Apply."""
        action = self.button("sale.order", "action_hub_desk_change_address", [order.id])
        attachments = []
        if attach:
            attachments = self.call(
                "ir.attachment",
                "create",
                [{"name": "authorization.png", "datas": base64.b64encode(b"customer agrees").decode()}],
            )
        return self.call(
            CHANGE,
            "create",
            [
                {
                    "new_name": "李四",
                    "new_phone": "13700000000",
                    "new_state_id": self.state_zj.id,
                    "new_city": "杭州市",
                    "new_street": "西湖路 2 号",
                    "reason": "Customer moved",
                    "attachment_ids": [(6, 0, attachments)],
                }
            ],
            context=action["context"],
        )[0]

    def test_track_per_role(self):
        order = self._confirmed_order(self.sf)
        self.login_as("customer_service")
        # no parcel yet: refused with a readable reason, not a traceback
        self.assertRefused(self.button, "sale.order", "action_hub_desk_track", [order.id])
        picking = self._ship(order)
        self.kd_box.set_track(
            picking.carrier_tracking_ref, "shunfeng", 0, [("2026-11-20 10:00:00", "顺丰速运 已收取快件")]
        )
        self.kd_box.queries.clear()
        action = self.button("sale.order", "action_hub_desk_track", [order.id])
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]), ("sale.order", order.id, "new")
        )
        self.assertEqual(self.kd_box.queries, [picking.carrier_tracking_ref])
        # the dialog's timeline, read as the agent
        events = self.call("sale.order", "read", [order.id], ["hub_tracking_event_ids"])[0]
        self.assertEqual(len(events["hub_tracking_event_ids"]), 1)
        self.kd_box.queries.clear()
        for role in ("warehouse", "integration", "portal"):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(self.button, "sale.order", "action_hub_desk_track", [order.id])
        self.login_as("public")
        self.assertRefused(self.button, "sale.order", "action_hub_desk_track", [order.id])
        self.assertFalse(self.kd_box.queries, "nobody else made the carrier be asked")
        self.login_as("manager")
        self.button("sale.order", "action_hub_desk_track", [order.id])

    def test_change_address_per_role(self):
        order = self._confirmed_order(self.sf)
        self.login_as("customer_service")
        unauthorised = self._change_as_current_user(order, attach=False)
        self.assertRefused(self.button, CHANGE, "action_apply", [unauthorised])
        self.assertEqual(self.env[CHANGE].browse(unauthorised).state, "draft")
        # a warehouse clerk can neither open the wizard nor apply a draft request
        self.login_as("warehouse")
        self.assertRefused(self.button, "sale.order", "action_hub_desk_change_address", [order.id])
        self.assertRefused(
            self.call,
            CHANGE,
            "create",
            [{"order_id": order.id, "new_name": "X", "new_street": "Y", "reason": "Z"}],
        )
        self.assertRefused(self.button, CHANGE, "action_apply", [unauthorised])
        for role in ("integration", "portal", "public"):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(self.button, "sale.order", "action_hub_desk_change_address", [order.id])
                self.assertRefused(self.call, CHANGE, "read", [unauthorised], ["state"])
        self.login_as("customer_service")
        change = self._change_as_current_user(order)
        self.button(CHANGE, "action_apply", [change])
        self.assertEqual(self.env[CHANGE].browse(change).state, "applied")
        self.assertEqual(order.partner_shipping_id.street, "西湖路 2 号")
        # the outcome is the buttons' own: written back to draft it would be applied again
        self.assertRefused(self.call, CHANGE, "write", [change], {"state": "draft"})
        self.assertEqual(self.env[CHANGE].browse(change).state, "applied")

    def test_refused_intercept_is_resolved_by_logistics_only(self):
        order = self._confirmed_order(self.zto)
        picking = self._ship(order)
        self.zto_box.refuse_address_change.add(picking.carrier_tracking_ref)
        self.login_as("customer_service")
        change = self._change_as_current_user(order)
        self.button(CHANGE, "action_apply", [change])
        record = self.env[CHANGE].browse(change)
        self.assertEqual(record.state, "failed")
        self.assertTrue(order.hub_desk_address)
        # customer service cannot close the anomaly itself, by the button or by a write
        self.assertRefused(self.button, CHANGE, "action_resolve", [change])
        self.assertRefused(self.call, CHANGE, "write", [change], {"state": "resolved"})
        record.invalidate_recordset()
        self.assertEqual(record.state, "failed")
        self.assertTrue(order.hub_desk_address)
        self.login_as("warehouse")
        self.button(CHANGE, "action_resolve", [change])
        record.invalidate_recordset()
        self.assertEqual(record.state, "resolved")
        order.invalidate_recordset()
        self.assertFalse(order.hub_desk_address)
