"""Calls over HTTP as each demo login, the way the web client makes them.

The demo users (``hub.cs``, ``hub.warehouse``, ``hub.manager``,
``hub.integration``) are the roles as shipped; a test logs in as one of them
with a real session (``self.authenticate``) and calls the server through
``/web/dataset/call_kw`` and ``/web/dataset/call_button`` like a browser.
Needs the demo data (skipped without it, as the tours are).
"""

import unittest

from odoo.tests import HttpCase
from odoo.tests.common import JsonRpcException

DEMO_LOGINS = {
    "customer_service": ("order_hub.user_order_hub_cs_demo", "hub.cs", "orderhub-cs"),
    "warehouse": ("order_hub.user_order_hub_warehouse_demo", "hub.warehouse", "orderhub-warehouse"),
    "manager": ("order_hub.user_order_hub_manager_demo", "hub.manager", "orderhub-manager"),
    "integration": ("order_hub.user_order_hub_integration_demo", "hub.integration", "orderhub-integration"),
}
PORTAL_LOGIN = ("portal", "portal")  # Odoo's demo portal user (base.demo_user0)
REFUSED = ("odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError")
SESSION_EXPIRED = "odoo.http.SessionExpiredException"


class RoleHttpCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref(DEMO_LOGINS["customer_service"][0], raise_if_not_found=False):
            raise unittest.SkipTest("database installed without demo data")
        cls.demo_users = {role: cls.env.ref(xmlid) for role, (xmlid, _login, _pw) in DEMO_LOGINS.items()}
        cls.portal_user = cls.env.ref("base.demo_user0", raise_if_not_found=False)

    def login_as(self, role):
        """A fresh session of the role's demo login (``public``: no login)."""
        if role == "public":
            self.authenticate(None, None)
        elif role == "portal":
            if not self.portal_user:
                self.skipTest("no Odoo demo portal user")
            self.authenticate(*PORTAL_LOGIN)
        else:
            _xmlid, login, password = DEMO_LOGINS[role]
            self.authenticate(login, password)

    def call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def button(self, model, method, ids, context=None):
        """A button of type object, as the web client presses it."""
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": {"context": context or {}},
            },
        )

    def assertRefused(self, call, *args, errors=REFUSED, **kwargs):
        """The call answers an access or user error (never a traceback page):
        returns the error's name."""
        with self.assertRaises(JsonRpcException) as caught:
            call(*args, **kwargs)
        self.assertIn(str(caught.exception), (*errors, SESSION_EXPIRED))
        return str(caught.exception)

    def menu_ids(self):
        """The xmlids of the menus the web client gets for the session's user."""
        response = self.url_open("/web/webclient/load_menus/order-hub-test", allow_redirects=False)
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith(
            "application/json"
        ):
            return set()
        menus = response.json()
        return {menu["xmlid"] for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid")}
