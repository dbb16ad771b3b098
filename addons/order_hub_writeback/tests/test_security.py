from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

ACCESS_DESIGN = {
    # pushes are written by their jobs (the hub's own records); managers retry them
    "order.hub.writeback": {"customer_service": "r", "warehouse": "r", "manager": "r"},
    "order.hub.carrier.code": {"customer_service": "r", "warehouse": "r", "manager": "rwcd"},
    # conflicts are opened by the hub; managers resolve them through the choice buttons
    "order.hub.conflict": {"customer_service": "r", "warehouse": "r", "manager": "r"},
    # written by the import and the decryption jobs; CS and warehouse retry through a button
    "order.hub.receiver": {"customer_service": "r", "warehouse": "r", "manager": "r"},
    # channel stock rows are written by the publishing jobs; everyone reads them
    "order.hub.stock.state": {"customer_service": "r", "warehouse": "r", "manager": "r"},
    "order.hub.stock.dirty": {"manager": "r"},
    # sentinels are configured by managers (their secret is a manager-only field);
    # reported figures are written by the sentinel itself, read by the warehouse
    "order.hub.inventory.sentinel": {"warehouse": "r", "manager": "rwcd"},
    "order.hub.inventory.report": {"warehouse": "r", "manager": "r"},
}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub_writeback", ACCESS_DESIGN)

    def test_failures_menu_is_for_managers(self):
        menu = self.env.ref("order_hub_writeback.order_hub_writeback_menu")
        for user, visible in ((self.user_manager, True), (self.user_cs, False), (self.user_warehouse, False)):
            menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertEqual(menu.id in menus, visible, user.name)

    def test_conflict_queue_is_for_managers(self):
        menu = self.env.ref("order_hub_writeback.order_hub_conflict_menu")
        for user, visible in ((self.user_manager, True), (self.user_cs, False), (self.user_warehouse, False)):
            menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertEqual(menu.id in menus, visible, user.name)
