from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import ChannelsCommon


@tagged("post_install", "-at_install")
class TestHardeningProbe(ChannelsCommon, HttpCase):
    """The outside probe of tests/probes (XML-RPC, JSON-RPC, webhooks) against
    the test server, logged in as a portal Integration user with an API key."""

    def test_probe_holds(self):
        from probes import probe_hardening

        self.user_integration.password = "Probe-2026!"
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_integration)
            ._generate("rpc", "probe", datetime.now() + timedelta(days=1))
        )
        failures = probe_hardening.run(
            self.base_url(),
            self.env.cr.dbname,
            self.user_integration.login,
            key,
            "test-shopify",
            "shopify",
            "TST-001",
        )
        self.assertEqual(failures, [])
