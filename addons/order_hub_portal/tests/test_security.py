from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import AccessDesignMixin, OrderHubCommon

ACCESS_DESIGN = {
    # written by the tracking page itself (sudo); managers read the look-ups behind the rate
    "order.hub.portal.attempt": {"manager": "r"},
}


@tagged("post_install", "-at_install")
class TestSecurity(AccessDesignMixin, OrderHubCommon):
    def test_access_design(self):
        self.assertAccessDesign("order_hub_portal", ACCESS_DESIGN)

    def test_settings_block_is_for_managers(self):
        settings = self.env["order.hub.settings"].with_user(self.user_manager).create({})
        self.assertGreaterEqual(settings.portal_max_per_serial, 0)
        view = self.env["order.hub.settings"].with_user(self.user_manager).get_view()["arch"]
        self.assertIn("portal_self_service_rate", view)
        for user in (self.user_cs, self.user_warehouse):
            self.assertFalse(self.env["order.hub.settings"].with_user(user).has_access("read"))

    def test_portal_fields_on_hub_models_follow_their_models(self):
        # the new ticket flag is read with its ticket (CS reads tickets, portal users never)
        ticket_model = self.env["order.hub.ticket"]
        self.assertTrue(ticket_model.with_user(self.user_cs).has_access("read"))
        self.assertFalse(ticket_model.with_user(self.env.ref("base.public_user")).has_access("read"))

    def test_desk_sees_where_a_ticket_came_from(self):
        tickets = self.env["order.hub.ticket"].with_user(self.user_cs)
        for view_type in ("list", "form", "search"):
            with self.subTest(view_type=view_type):
                self.assertIn("hub_from_portal", tickets.get_view(view_type=view_type)["arch"])
        types = self.env["order.hub.ticket.type"].with_user(self.user_manager)
        self.assertIn("hub_customer_request", types.get_view(view_type="form")["arch"])
