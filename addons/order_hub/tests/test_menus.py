from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import OrderHubCommon

MENUS = {
    "root": "order_hub.order_hub_menu_root",
    "customer_service": "order_hub.order_hub_menu_customer_service",
    "warehouse": "order_hub.order_hub_menu_warehouse",
    "manager": "order_hub.order_hub_menu_manager",
    "configuration": "order_hub.order_hub_menu_configuration",
}


@tagged("post_install", "-at_install")
class TestMenus(OrderHubCommon):
    def _visible(self, user):
        menu_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        return {key for key, xmlid in MENUS.items() if self.env.ref(xmlid).id in menu_ids}

    def test_manager_sees_every_part(self):
        self.assertEqual(self._visible(self.user_manager), set(MENUS))

    def test_customer_service_sees_only_its_part(self):
        self.assertEqual(self._visible(self.user_cs), {"root", "customer_service"})

    def test_warehouse_sees_only_its_part(self):
        self.assertEqual(self._visible(self.user_warehouse), {"root", "warehouse"})

    def test_integration_has_no_menu(self):
        # a portal user (least privilege): it cannot even read the menus
        with self.assertRaises(AccessError):
            self._visible(self.user_integration)

    def test_manager_implies_the_other_roles(self):
        manager = self.user_manager
        self.assertTrue(manager.has_group("order_hub.group_order_hub_customer_service"))
        self.assertTrue(manager.has_group("order_hub.group_order_hub_warehouse"))
        self.assertFalse(self.user_cs.has_group("order_hub.group_order_hub_warehouse"))
        self.assertFalse(self.user_warehouse.has_group("order_hub.group_order_hub_customer_service"))

    def test_every_order_hub_menu_below_configuration_is_for_managers(self):
        configuration = self.env.ref(MENUS["configuration"])
        children = self.env["ir.ui.menu"].search([("id", "child_of", configuration.id)]) - configuration
        self.assertTrue(children)
        for user in (self.user_cs, self.user_warehouse):
            visible = set(self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
            self.assertFalse(visible & set(children.ids), user.name)
