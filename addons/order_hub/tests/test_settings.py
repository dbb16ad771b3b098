from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import OrderHubCommon


@tagged("post_install", "-at_install")
class TestSettings(OrderHubCommon):
    """Managers configure Order Hub from their own settings screen, without
    Odoo's Administration rights."""

    def _open_as(self, user):
        return self.env["order.hub.settings"].with_user(user).create({})

    def test_manager_is_not_an_administrator(self):
        self.assertFalse(self.user_manager.has_group("base.group_system"))
        self.assertFalse(self.user_manager.has_group("base.group_erp_manager"))

    def test_manager_reaches_the_screen_from_the_menu(self):
        menu = self.env.ref("order_hub.order_hub_settings_menu")
        self.assertEqual(menu.action, self.env.ref("order_hub.order_hub_settings_action_open"))
        visible = self.env["ir.ui.menu"].with_user(self.user_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_cs)._visible_menu_ids())

    def test_menu_opens_a_titled_record_not_a_new_one(self):
        """The breadcrumb reads the screen's title, not "New": the menu's
        action opens a settings record whose name is the title."""
        self.env.company.hub_surge_threshold = 120
        server_action = self.env.ref("order_hub.order_hub_settings_action_open")
        action = server_action.with_user(self.user_manager).run()
        self.assertEqual(action["res_model"], "order.hub.settings")
        self.assertTrue(action["res_id"], "an existing record: no 'New' breadcrumb")
        settings = self.env["order.hub.settings"].with_user(self.user_manager).browse(action["res_id"])
        self.assertEqual(settings.display_name, "Order Hub Settings")
        self.assertEqual(action["name"], "Order Hub Settings")
        self.assertEqual(settings.surge_threshold, 120)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.assertEqual(settings.with_context(lang="zh_CN").display_name, "Order Hub 设置")
        with self.assertRaises(AccessError):
            server_action.with_user(self.user_cs).run()

    def test_manager_opens_and_saves_the_company_settings(self):
        company = self.env.company
        company.write({"hub_surge_threshold": 100, "order_hub_pay_confirm_minutes": 15})
        settings = self._open_as(self.user_manager)
        self.assertEqual(settings.surge_threshold, 100)
        self.assertEqual(settings.pay_confirm_minutes, 15)
        province = self.env.ref("base.state_cn_ZJ")
        settings.write(
            {
                "surge_threshold": 250,
                "pay_confirm_minutes": 30,
                "health_threshold": 55,
                "auto_confirm": True,
                "covered_state_ids": [(6, 0, province.ids)],
                "wecom_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            }
        )
        result = settings.action_save()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(company.hub_surge_threshold, 250)
        self.assertEqual(company.order_hub_pay_confirm_minutes, 30)
        self.assertEqual(company.hub_health_threshold, 55)
        self.assertTrue(company.hub_auto_confirm)
        self.assertEqual(company.order_hub_covered_state_ids, province)
        self.assertEqual(
            company.sudo().order_hub_wecom_webhook_url,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        )

    def test_manager_still_cannot_edit_the_company_itself(self):
        with self.assertRaises(AccessError):
            self.env.company.with_user(self.user_manager).write({"name": "Renamed"})

    def test_other_roles_cannot_open_or_save(self):
        with self.assertRaises(AccessError):
            self._open_as(self.user_cs)
        settings = self._open_as(self.user_manager)
        with self.assertRaises(AccessError):
            settings.with_user(self.user_warehouse).action_save()
