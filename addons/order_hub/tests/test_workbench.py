from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestWorkbench(LifecycleCommon):
    def test_customer_service_list_is_sorted_by_tags(self):
        # the desk's tags come from facts: a late gift, an unmatched address, an SLA at risk
        plain = self._order()
        with_gift = self._order()
        self.env["order.hub.gift"].create(
            {
                "order_id": with_gift.id,
                "product_id": self.service.id,
                "promised_date": fields.Date.subtract(fields.Date.today(), days=1),
            }
        )
        with_address = self._order()
        with_address.partner_shipping_id = self.customer.copy({"hub_address_issue": "Province not found"})
        with_overdue = self._order()
        now = fields.Datetime.now()
        with_overdue.write(
            {"hub_sla_risk_at": now - timedelta(hours=1), "hub_sla_deadline": now + timedelta(hours=1)}
        )
        orders = plain | with_gift | with_address | with_overdue
        view = self.env.ref("order_hub.sale_order_view_list_customer_service")
        order_by = etree.fromstring(view.arch).get("default_order")
        self.assertEqual(
            self.env["sale.order"].search([("id", "in", orders.ids)], order=order_by),
            with_overdue | with_address | with_gift | plain,
        )
        self.assertEqual(
            [o.hub_desk_tag_ids for o in (with_overdue, with_address, with_gift)],
            [
                self.env.ref("order_hub.crm_tag_overdue_response"),
                self.env.ref("order_hub.crm_tag_address_anomaly"),
                self.env.ref("order_hub.crm_tag_gift_not_shipped"),
            ],
        )
        action = self.env.ref("order_hub.sale_order_action_customer_service")
        self.assertEqual(action.view_ids.sorted("sequence")[0].view_id, view)

    def test_warehouse_list_shows_today_shipments(self):
        with freeze_time(self._utc(2026, 3, 10, 10, 0)):
            today = self._order(self.storable, qty=1, commitment_date=self._utc(2026, 3, 10, 18, 0))
            today.action_confirm()
            tomorrow = self._order(self.storable, qty=1, commitment_date=self._utc(2026, 3, 11, 9, 0))
            tomorrow.action_confirm()
            shipped = self._order(self.storable, qty=1, commitment_date=self._utc(2026, 3, 10, 9, 0))
            shipped.action_confirm()
            shipped.picking_ids.move_ids.write({"quantity": 1, "picked": True})
            shipped.picking_ids._action_done()
            found = (
                self.env["stock.picking"]
                .with_user(self.user_warehouse)
                .search([("hub_ships_today", "=", True), ("sale_id", "in", (today | tomorrow | shipped).ids)])
            )
            self.assertEqual(found.sale_id, today | shipped)
            not_today = self.env["stock.picking"].search(
                [("hub_ships_today", "=", False), ("sale_id", "in", (today | tomorrow | shipped).ids)]
            )
            self.assertEqual(not_today.sale_id, tomorrow)
            self.assertTrue(today.picking_ids.hub_ships_today)

    def test_manager_kanban_is_by_stage_with_sla_colours(self):
        action = self.env.ref("order_hub.sale_order_action_manager")
        first = action.view_ids.sorted("sequence")[0]
        self.assertEqual(first.view_mode, "kanban")
        arch = self.env["sale.order"].with_user(self.user_manager).get_views([(first.view_id.id, "kanban")])
        kanban = etree.fromstring(arch["views"]["kanban"]["arch"])
        self.assertEqual(kanban.get("default_group_by"), "hub_stage_id")
        self.assertEqual(kanban.get("highlight_color"), "hub_sla_color")
        self.assertTrue(kanban.xpath("//field[@name='hub_open_ticket_summary']"))

    def test_form_shows_the_stage_bar_to_hub_roles(self):
        for user in (self.user_cs, self.user_warehouse):
            views = self.env["sale.order"].with_user(user).get_views([(False, "form")])
            form = etree.fromstring(views["views"]["form"]["arch"])
            bar = form.xpath("//field[@name='hub_stage_id'][@widget='statusbar']")
            self.assertTrue(bar, user.name)

    def test_kanban_card_shows_the_open_ticket(self):
        order = self._order()
        ticket = order._hub_open_ticket("address_problem")
        data = order.with_user(self.user_cs).read(["hub_open_ticket_count", "hub_open_ticket_summary"])[0]
        self.assertEqual(data["hub_open_ticket_count"], 1)
        self.assertIn(ticket.name, data["hub_open_ticket_summary"])
        self.assertIn(self.env.ref("order_hub.crm_tag_address_anomaly"), order.hub_desk_tag_ids)
        self.assertEqual(order.hub_cs_priority, 2)

    def test_settings_hold_provinces_robot_and_target(self):
        # the settings page is for administrators (who are Order Hub managers)
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("order_hub.group_order_hub_manager"))
        settings = self.env["res.config.settings"].with_user(admin).create({})
        settings.order_hub_covered_state_ids = self.env.ref("base.state_cn_SH")
        settings.order_hub_pay_confirm_minutes = 20
        settings.order_hub_wecom_webhook_url = "http://127.0.0.1:1/cgi-bin/webhook/send?key=k"
        settings.execute()
        company = self.env.company
        self.assertEqual(company.order_hub_covered_state_ids, self.env.ref("base.state_cn_SH"))
        self.assertEqual(company.order_hub_pay_confirm_minutes, 20)
        self.assertTrue(company.sudo().order_hub_wecom_webhook_url.endswith("key=k"))

    def test_robot_url_is_for_managers_only(self):
        fields = self.env["res.company"].with_user(self.user_cs).fields_get()
        self.assertNotIn("order_hub_wecom_webhook_url", fields)

    def test_role_actions_show_hub_orders_only(self):
        hub = self._order(hub_source="jd")
        outside = self._order(hub_in_scope=False)
        for xmlid in ("sale_order_action_customer_service", "sale_order_action_manager"):
            action = self.env.ref(f"order_hub.{xmlid}")
            domain = [*safe_eval(action.domain), ("id", "in", (hub | outside).ids)]
            self.assertEqual(self.env["sale.order"].search(domain), hub, xmlid)
        action = self.env.ref("order_hub.sale_order_action_manager")
        self.assertEqual(safe_eval(action.context).get("default_hub_source"), "phone")

    def test_hub_order_form_has_one_status_bar(self):
        views = self.env["sale.order"].with_user(self.user_cs).get_views([(False, "form")])
        form = etree.fromstring(views["views"]["form"]["arch"])
        header = form.xpath("//header")[0]
        bars = header.xpath("./field[@widget='statusbar']")
        self.assertEqual(
            {(bar.get("name"), bar.get("invisible")) for bar in bars},
            {("state", "hub_source"), ("hub_stage_id", "not hub_source")},
        )
        badge = form.xpath("//div[hasclass('o_order_hub_stage_bar')]/field[@name='state']")
        self.assertEqual(badge[0].get("widget"), "badge")

    def test_chinese_addresses_read_province_city_district_street_postcode(self):
        partner = self.env["res.partner"].create(
            {
                "name": "李雷",
                "country_id": self.env.ref("base.cn").id,
                "state_id": self.env.ref("base.state_cn_JS").id,
                "city": "苏州市",
                "street2": "工业园区",
                "street": "星湖街 328 号",
                "zip": "215021",
            }
        )
        lines = partner._display_address().splitlines()
        self.assertEqual(lines[0].split(), ["江苏省", "苏州市", "工业园区", "星湖街", "328", "号"])
        self.assertTrue(lines[1].startswith("215021"))
