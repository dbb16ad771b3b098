from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install", "is_tour")
class TestTrackingTour(PortalCommon):
    """The public tracking page in headless Chromium, in Chinese: the look-up,
    the plain-words stage and an address change request (desktop size)."""

    def _run(self):
        self.order._hub_move_to("preparing")
        self.start_tour("/order/track?lang=zh_CN", "order_hub_portal_track", login=None, timeout=240)
        ticket = self.order.hub_ticket_ids
        self.assertEqual(ticket.type_id.code, "portal_address_change")
        self.assertIn("西湖区", ticket.reason)

    def test_tracking_page(self):
        self._run()


@tagged("post_install", "-at_install", "is_tour")
class TestTrackingTourPhone(TestTrackingTour):
    """The same on a 390-px phone."""

    browser_size = "390x844"
