from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

# model -> {role: "rwcd"}; see AccessDesignMixin.
ACCESS_DESIGN = {
    "order.hub.channel": {
        "manager": "rwcd",
        "customer_service": "r",
        "warehouse": "r",
        "integration": "r",
    },
    # integration: its import channels' payloads only (record rule), read only;
    # customer service and warehouse: the channels they operate (record rule)
    "order.hub.inbound.order": {
        "manager": "rw",
        "customer_service": "r",
        "warehouse": "r",
        "integration": "r",
    },
    "order.hub.status.map": {"manager": "rwcd"},
    "order.hub.product.map": {"manager": "rwcd"},
    "order.hub.field.map": {"manager": "rwcd"},
    "order.hub.buyer": {"manager": "r"},
}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub_channels", ACCESS_DESIGN)

    def test_manager_follows_import_jobs(self):
        self.assertTrue(self.user_manager.has_group("queue_job.group_queue_job_manager"))
        self.assertFalse(self.user_cs.has_group("queue_job.group_queue_job_manager"))
