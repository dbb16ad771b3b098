"""The tracking page's routes and the portal's back-office records per role,
over HTTP as each demo login, Odoo's demo portal user and the public."""

from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import out_of_surge
from odoo.addons.order_hub.tests.http_roles import RoleHttpCase

from .common import CSRF_INPUT, RIGHT_PHONE, make_hub_order

SERIAL = "D209902-0001"


@tagged("post_install", "-at_install")
class TestPortalAccessOverHttp(RoleHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out_of_surge(cls.env)
        product = cls.env["product.product"].create({"name": "Wiper blade ACCESS", "type": "consu"})
        cls.order = make_hub_order(cls.env, product, "Access Buyer", RIGHT_PHONE, SERIAL)
        cls.env.flush_all()

    def _csrf(self):
        return CSRF_INPUT.search(self.url_open("/order/track").text).group(1)

    def _request(self, kind="address", message="浙江省杭州市西湖区文三路 1 号"):
        data = {"csrf_token": self._csrf(), "order_id": self.order.id, "kind": kind, "message": message}
        return self.url_open("/order/track/request", data=data)

    def test_tracking_page_is_public_for_everyone(self):
        for role in ("public", "portal", "integration", "customer_service", "warehouse", "manager"):
            with self.subTest(role=role):
                self.login_as(role)
                page = self.url_open("/order/track")
                self.assertEqual(page.status_code, 200)
                found = self.url_open(
                    "/order/track",
                    data={"csrf_token": self._csrf(), "serial": SERIAL, "phone": RIGHT_PHONE[-4:]},
                )
                self.assertEqual(found.status_code, 200)
                self.assertIn(SERIAL, found.text)
        self.env["order.hub.portal.attempt"].sudo().search([]).unlink()

    def test_my_tracking_needs_a_login_and_shows_only_ones_own_orders(self):
        self.login_as("public")
        response = self.url_open("/my/tracking", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        for role in ("portal", "integration", "customer_service", "warehouse", "manager"):
            with self.subTest(role=role):
                self.login_as(role)
                page = self.url_open("/my/tracking")
                self.assertEqual(page.status_code, 200)
                self.assertNotIn(SERIAL, page.text, "not their order")

    def test_a_request_names_only_a_looked_up_or_own_order(self):
        """Nobody (the staff included) opens a customer request on an order
        they did not look up on the page or do not own: 403 and no ticket.
        Before the fix a warehouse clerk or an agent could file "customer"
        requests on any order they can read, counted against the self-service
        rate as if a customer had asked."""
        for role in ("public", "portal", "integration", "warehouse", "customer_service", "manager"):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertEqual(self._request().status_code, 403)
        self.assertFalse(self.order.hub_ticket_ids)
        # looked up with the right pair: accepted, once
        self.login_as("public")
        self.url_open("/order/track", data={"csrf_token": self._csrf(), "serial": SERIAL, "phone": "5678"})
        self.assertEqual(self._request().status_code, 200)
        self.assertEqual(len(self.order.hub_ticket_ids), 1)
        self.assertTrue(self.order.hub_ticket_ids.hub_from_portal)

    def test_back_office_records_per_role(self):
        attempt = (
            self.env["order.hub.portal.attempt"].sudo().create({"ip_address": "192.0.2.1", "serial_key": "x"})
        )
        self.login_as("manager")
        self.call("order.hub.portal.attempt", "read", [attempt.id], ["ip_address"])
        settings = self.call("order.hub.settings", "create", [{}])
        values = self.call(
            "order.hub.settings", "read", settings, ["portal_max_per_serial", "portal_self_service_rate"]
        )
        self.assertGreaterEqual(values[0]["portal_max_per_serial"], 0)
        for role in ("customer_service", "warehouse", "integration", "portal", "public"):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(
                    self.call, "order.hub.portal.attempt", "read", [attempt.id], ["ip_address"]
                )
                self.assertRefused(
                    self.call, "order.hub.settings", "create", [{"portal_max_per_serial": 1000}]
                )
