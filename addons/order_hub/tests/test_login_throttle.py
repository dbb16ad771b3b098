from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import OrderHubCommon

PASSWORD = "Order-Hub-2026!"


@tagged("post_install", "-at_install")
class TestLoginThrottle(OrderHubCommon, HttpCase):
    """Per-account throttling on top of Odoo's per-IP pause: after N failed
    logins for one login within the window, that login is refused whatever
    the IP and even with the right password; other accounts log in."""

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("order_hub.login_max_failures", 3)
        params.set_param("order_hub.login_window_minutes", 15)
        # Odoo's per-IP pause off: every request of the test comes from 127.0.0.1
        params.set_param("base.login_cooldown_after", 0)
        self.addCleanup(lambda: getattr(self.registry, "_login_failures", {}).clear())
        for user in (self.user_cs, self.user_warehouse):
            user.password = PASSWORD

    def login(self, user, password):
        return self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})

    def test_an_account_is_throttled_after_n_failures_from_any_ip(self):
        self.assertEqual(self.login(self.user_cs, PASSWORD), self.user_cs.id)
        failures = self.env["order.hub.login.failure"]
        # failures from other addresses count for the same account
        failures._record(self.user_cs.login, "203.0.113.7")
        failures._record(self.user_cs.login.upper(), "198.51.100.9")
        self.assertFalse(self.login(self.user_cs, "wrong"))
        self.assertEqual(failures.search_count([("login", "=", self.user_cs.login)]), 3)
        # throttled: even the right password is refused, and the refusal is not counted
        self.assertFalse(self.login(self.user_cs, PASSWORD))
        self.assertEqual(failures.search_count([("login", "=", self.user_cs.login)]), 3)
        # another account is not locked out by the attack on this one
        self.assertEqual(self.login(self.user_warehouse, PASSWORD), self.user_warehouse.id)
        # once the failures leave the window, the account logs in again
        with freeze_time(datetime.now() + timedelta(minutes=16)):
            self.assertEqual(self.login(self.user_cs, PASSWORD), self.user_cs.id)

    def test_failures_of_unknown_logins_are_throttled_too_and_cleaned_up(self):
        for _attempt in range(3):
            self.assertFalse(self.xmlrpc_common.authenticate(self.env.cr.dbname, "nobody", "guess", {}))
        failures = self.env["order.hub.login.failure"]
        self.assertTrue(failures._is_throttled("nobody"))
        self.assertFalse(failures._is_throttled(self.user_cs.login))
        with freeze_time(datetime.now() + timedelta(days=2)):
            failures._gc_failures()
        self.assertFalse(failures.search([("login", "=", "nobody")]))

    def test_setting_zero_disables_the_throttle(self):
        self.env["ir.config_parameter"].sudo().set_param("order_hub.login_max_failures", 0)
        for _attempt in range(4):
            self.assertFalse(self.login(self.user_cs, "wrong"))
        self.assertEqual(self.login(self.user_cs, PASSWORD), self.user_cs.id)
