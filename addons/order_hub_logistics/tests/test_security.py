from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

# model -> {role: "rwcd"}; see AccessDesignMixin.
ACCESS_DESIGN = {
    # only reached through sudo() inside confirmations
    "order.hub.stock.lock": {},
    "order.hub.region": {"customer_service": "r", "warehouse": "r", "manager": "rwcd", "integration": "r"},
    "order.hub.warehouse.rule": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    "order.hub.warehouse.rule.line": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    "order.hub.carrier.rule": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    "order.hub.tracking.event": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    # created by customer service only; the logistics specialist (warehouse) resolves refusals
    "order.hub.address.change": {"customer_service": "rwc", "warehouse": "rw", "manager": "rwcd"},
    "order.hub.flash.import": {"manager": "rwcd"},
    # asked when a platform delivery is validated without a waybill
    "order.hub.ship.wizard": {"warehouse": "rwc", "manager": "rwc"},
}


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
