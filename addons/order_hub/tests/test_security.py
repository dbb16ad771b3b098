from odoo.tests import tagged

from .common import AccessDesignMixin, OrderHubCommon

# model -> {role: "rwcd"}; see AccessDesignMixin.
ACCESS_DESIGN = {
    "order.hub.stage": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    "order.hub.ticket.type": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "rwcd",
        "integration": "r",
    },
    "order.hub.ticket": {
        "customer_service": "rwc",
        "warehouse": "rwc",
        "manager": "rwcd",
        "integration": "r",
    },
    # append-only: also refused in Python for everyone (see test_audit_log)
    "order.hub.audit.log": {
        "customer_service": "r",
        "warehouse": "r",
        "manager": "r",
        "integration": "r",
    },
    "order.hub.gift": {"customer_service": "rwc", "warehouse": "rw", "manager": "rwcd", "integration": "rwc"},
    "order.hub.health.rule": {"customer_service": "r", "manager": "rwcd", "integration": "r"},
    "order.hub.blacklist": {"customer_service": "r", "manager": "rwcd", "integration": "r"},
    "order.hub.surge.log": {"customer_service": "r", "manager": "r"},
    # written by the login itself (sudo); administrators (base.group_system) read it
    "order.hub.login.failure": {},
    # claims of running confirmations: written by the hub itself (sudo), read by managers
    "order.hub.stock.claim": {"manager": "r"},
    # a settings screen: writes the company's Order Hub fields in action_save
    "order.hub.settings": {"manager": "rwc"},
    # written by the stage-move code only (sudo); read next to the order
    "order.hub.stage.history": {"customer_service": "r", "warehouse": "r", "manager": "r"},
    # price difference refunds: customer service asks, managers approve
    "order.hub.refund": {"customer_service": "rwc", "manager": "rwcd"},
}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub", ACCESS_DESIGN)

    def test_roles_are_in_the_order_hub_category(self):
        category = self.env.ref("order_hub.module_category_order_hub")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        self.assertEqual(
            set(groups.mapped("name")),
            {"Customer Service", "Warehouse", "Manager", "Integration"},
        )
