from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

ACCESS_DESIGN = {
    # managers switch events and set template codes; customer service reads them
    "order.hub.notify.template": {"customer_service": "r", "manager": "rwcd"},
    # written by the hub and its jobs; managers retry failed ones through the button
    "order.hub.notification": {"customer_service": "r", "manager": "r"},
}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub_notify", ACCESS_DESIGN)

    def test_menus_are_for_managers(self):
        for xmlid in (
            "order_hub_notify.order_hub_notification_menu",
            "order_hub_notify.order_hub_notify_template_menu",
        ):
            menu = self.env.ref(xmlid)
            for user, visible in (
                (self.user_manager, True),
                (self.user_cs, False),
                (self.user_warehouse, False),
            ):
                with self.subTest(menu=xmlid, user=user.name):
                    menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                    self.assertEqual(menu.id in menus, visible)

    def test_actions_and_settings_fields(self):
        for xmlid in (
            "order_hub_notify.order_hub_notification_action",
            "order_hub_notify.order_hub_notify_template_action",
        ):
            action = self.env.ref(xmlid)
            self.assertTrue(self.env[action.res_model].with_user(self.user_manager).has_access("read"))
            self.assertFalse(self.env[action.res_model].with_user(self.user_warehouse).has_access("read"))
        fields = self.env["order.hub.settings"].with_user(self.user_manager).fields_get()
        self.assertIn("sms_access_key_secret", fields)

    def test_order_form_page_for_customer_service_only(self):
        orders = self.env["sale.order"]
        self.assertIn(
            "hub_notification_ids", orders.with_user(self.user_cs).get_view(view_type="form")["arch"]
        )
        self.assertNotIn(
            "hub_notification_ids", orders.with_user(self.user_warehouse).get_view(view_type="form")["arch"]
        )
