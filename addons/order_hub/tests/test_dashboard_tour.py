from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

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

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_server_refuses_the_figures_to_others_managers_open_every_figure(self):
        """Over the web client's RPC: pickers and customer service are refused
        the dashboard's figures by the server; a manager gets them and every
        figure's link opens its orders (as the dashboard opens them)."""
        ticket_type = self.env["order.hub.ticket.type"].search([], limit=1)
        self.hub_order._hub_open_ticket(ticket_type.code)
        for login, password in (("hub.warehouse", "orderhub-warehouse"), ("hub.cs", "orderhub-cs")):
            self.authenticate(login, password)
            with self.assertRaises(JsonRpcException) as caught:
                self._call("order.hub.dashboard", "get_dashboard_data", "30d")
            self.assertIn("AccessError", str(caught.exception), login)
        self.authenticate("hub.manager", "orderhub-manager")
        data = self._call("order.hub.dashboard", "get_dashboard_data", "30d")
        domains = [step["domain"] for row in data["funnel"] for step in row["steps"]]
        domains += [row["domain"] for row in data["dwell"] + data["tickets"]]
        domains += list(data["health"]["domains"].values())
        domains += [kpi["domain"] for kpi in data["kpis"] if kpi["measured"]]
        self.assertTrue(data["funnel"] and data["tickets"])
        self.assertTrue(all(domains), "every measured figure has the domain of its orders")
        for domain in domains:
            result = self._call(
                "sale.order", "web_search_read", domain=domain, specification={"display_name": {}}, limit=80
            )
            self.assertIn("records", result)
        received = data["funnel"][0]["steps"][0]
        result = self._call(
            "sale.order", "web_search_read", domain=received["domain"], specification={}, count_limit=100001
        )
        self.assertEqual(result["length"], received["count"])
