from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

# model -> {role: "rwcd"}; see AccessDesignMixin.
ACCESS_DESIGN = {}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub_logistics", ACCESS_DESIGN)

    def test_carriers_menu_is_for_managers(self):
        menu = self.env.ref("order_hub_logistics.order_hub_logistics_menu_carriers")
        visible = self.env["ir.ui.menu"].with_user(self.user_cs)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.user_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
