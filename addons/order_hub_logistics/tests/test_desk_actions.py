import base64
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestDeskActions(HttpCase, CarrierCommon):
    def setUp(self):
        super().setUp()
        (self.sf | self.zto).write({"hub_kd100_callback_base": self.base_url()})

    def _audit(self, order, field_name):
        return self.env["order.hub.audit.log"].search(
            [("order_id", "=", order.id), ("field_name", "=", field_name)], order="id"
        )

    # -- 查物流 -------------------------------------------------------------
    def test_track_refreshes_from_the_carrier_when_older_than_15_minutes(self):
        order = self._confirmed_order(
            self.sf, hub_promised_delivery_date=fields.Datetime.now() + timedelta(days=2)
        )
        picking = self._ship(order)
        number = picking.carrier_tracking_ref
        self.kd_box.set_track(
            number,
            "shunfeng",
            0,
            [
                ("2026-11-20 10:00:00", "顺丰速运 已收取快件"),
                ("2026-11-20 18:00:00", "快件到达 杭州转运中心"),
            ],
        )
        self.kd_box.queries.clear()
        action = order.with_user(self.user_cs).action_hub_desk_track()
        self.assertEqual(self.kd_box.queries, [number], "asked the carrier over HTTP")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(len(order.hub_tracking_event_ids), 2)
        self.assertEqual(order.hub_first_scan_at, fields.Datetime.to_datetime("2026-11-20 02:00:00"))
        self.assertIn("Refreshed", self._audit(order, "hub_tracking_event_ids")[-1].new_value)
        # checked a minute ago: no second query
        order.with_user(self.user_cs).action_hub_desk_track()
        self.assertEqual(self.kd_box.queries, [number])
        self.assertEqual(len(self._audit(order, "hub_tracking_event_ids")), 2)
        # 16 minutes later: asked again
        with freeze_time(fields.Datetime.now() + timedelta(minutes=16)):
            order.with_user(self.user_cs).action_hub_desk_track()
        self.assertEqual(self.kd_box.queries, [number, number])
        # the dialog shows the timeline, first scan, promise and deviation
        view = self.env["sale.order"].with_user(self.user_cs).get_views([(action["views"][0][0], "form")])
        form = etree.fromstring(view["views"]["form"]["arch"])
        for name in (
            "hub_tracking_event_ids",
            "hub_first_scan_at",
            "hub_promised_delivery_date",
            "hub_delivery_deviation_hours",
        ):
            self.assertTrue(form.xpath(f"//field[@name='{name}']"), name)

    def test_track_refuses_an_order_without_a_parcel(self):
        order = self._confirmed_order(self.sf)
        self.kd_box.queries.clear()
        with self.assertRaisesRegex(UserError, "no shipped parcel"):
            order.with_user(self.user_cs).action_hub_desk_track()
        self.assertFalse(self._audit(order, "hub_tracking_event_ids"))
        self.assertFalse(self.kd_box.queries)

    # -- 改地址 -------------------------------------------------------------
    def _request(self, order, attach=True):
        env = self.env(user=self.user_cs)
        action = order.with_env(env).action_hub_desk_change_address()
        attachments = []
        if attach:
            attachments = (
                env["ir.attachment"]
                .create({"name": "authorization.png", "datas": base64.b64encode(b"customer agrees")})
                .ids
            )
        return (
            env[action["res_model"]]
            .with_context(action["context"])
            .create(
                {
                    "new_name": "李四",
                    "new_phone": "13700000000",
                    "new_state_id": self.state_zj.id,
                    "new_city": "杭州市",
                    "new_street": "西湖路 1 号",
                    "reason": "Customer moved",
                    "attachment_ids": [Command.set(attachments)],
                }
            )
        )

    def test_change_address_needs_the_customers_authorisation(self):
        order = self._confirmed_order(self.sf)
        change = self._request(order, attach=False)
        with self.assertRaisesRegex(UserError, "authorization"):
            change.action_apply()
        self.assertEqual(change.state, "draft")
        self.assertEqual(order.partner_shipping_id, self.customer)
        change = self._request(order)
        change.action_apply()
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.partner_shipping_id.street, "西湖路 1 号")
        audit = self._audit(order, "hub_address_change_ids")
        self.assertEqual(len(audit), 1)
        self.assertIn("西湖路 1 号", audit.new_value)

    def test_shipped_parcel_refused_intercept_is_an_address_anomaly_until_resolved(self):
        order = self._confirmed_order(self.zto)
        picking = self._ship(order)
        self.zto_box.refuse_address_change.add(picking.carrier_tracking_ref)
        change = self._request(order)
        change.action_apply()
        self.assertEqual(change.state, "failed")
        self.assertTrue(order.hub_desk_address)
        self.assertIn(self.env.ref("order_hub.crm_tag_address_anomaly"), order.hub_desk_tag_ids)
        self.assertIn("E2002", self._audit(order, "hub_address_change_ids")[-1].note)
        change.with_user(self.user_warehouse).action_resolve()
        self.assertFalse(order.hub_desk_address)
        self.assertFalse(order.hub_desk_tag_ids)

    def test_closed_order_address_is_refused(self):
        order = self._confirmed_order(self.sf)
        order._action_cancel()
        with self.assertRaises(UserError):
            order.with_user(self.user_cs).action_hub_desk_change_address()

    def test_access_per_role(self):
        order = self._confirmed_order(self.sf)
        self._ship(order)
        with self.assertRaises(AccessError):
            self._request_as(order, self.user_warehouse)
        salesman = self.env["res.users"].create(
            {
                "name": "Plain Salesman",
                "login": "test_desk_actions_salesman",
                "groups_id": [Command.set([self.env.ref("sales_team.group_sale_salesman_all_leads").id])],
            }
        )
        form = etree.fromstring(
            self.env["sale.order"].with_user(salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertFalse(form.xpath("//button[@name='action_hub_desk_track']"))
        cs_form = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.user_cs)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertTrue(cs_form.xpath("//button[@name='action_hub_desk_track']"))
        kanban = self.env.ref("order_hub.sale_order_view_kanban_desk")
        card = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.user_cs)
            .get_views([(kanban.id, "kanban")])["views"]["kanban"]["arch"]
        )
        for name in ("action_hub_desk_track", "action_hub_desk_change_address", "action_hub_desk_refund"):
            self.assertTrue(card.xpath(f"//button[@name='{name}']"), name)

    def _request_as(self, order, user):
        return (
            self.env["order.hub.address.change"]
            .with_user(user)
            .create({"order_id": order.id, "new_name": "X", "new_street": "Y", "reason": "Z"})
        )
