from odoo.tests import tagged

from .test_tours import TourCommon


@tagged("post_install", "-at_install", "is_tour")
class TestDashboardTour(TourCommon):
    def test_manager_dashboard(self):
        ticket_type = self.env["order.hub.ticket.type"].search([], limit=1)
        self.hub_order._hub_open_ticket(ticket_type.code)
        self.start_tour(
            "/odoo/action-order_hub.order_hub_dashboard_action",
            "order_hub_manager_dashboard",
            login="hub.manager",
            timeout=300,
        )
