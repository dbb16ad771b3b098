import xmlrpc.client
from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestRpcEntryPoint(ChannelsCommon, HttpCase):
    def api_key(self, user):
        expiry = datetime.now() + timedelta(days=1)
        return self.env["res.users.apikeys"].with_user(user)._generate("rpc", "test", expiry)

    def call(self, user, key, *args):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, key, "order.hub.channel", "import_orders", list(args)
        )

    def test_integration_user_imports_idempotently_with_per_order_results(self):
        key = self.api_key(self.user_integration)
        orders = [
            canonical_order("R-1"),
            canonical_order("R-2", skus=("TST-002", "UNKNOWN-9")),
        ]
        results = self.call(self.user_integration, key, "test-shopify", orders)
        self.assertEqual([r["external_id"] for r in results], ["R-1", "R-2"])
        self.assertEqual(results[0]["result"], "created")
        self.assertTrue(results[0]["hub_serial"].startswith("D"))
        self.assertEqual(results[1]["result"], "failed")
        self.assertIn("Unknown SKU UNKNOWN-9 on channel Test Shopify", results[1]["reason"])
        again = self.call(self.user_integration, key, "test-shopify", orders[:1])
        self.assertEqual(again[0]["result"], "updated")
        self.assertEqual(again[0]["sale_order"], results[0]["sale_order"])
        changed = canonical_order("R-1", minutes=3, buyer_remark="改地址")
        third = self.call(self.user_integration, key, "test-shopify", [changed])
        self.assertEqual(third[0]["result"], "updated")
        self.assertEqual(len(self.sale_orders("R-1")), 1)
        self.assertEqual(self.sale_orders("R-1").customer_note, "改地址")

    def test_customer_service_user_is_refused(self):
        key = self.api_key(self.user_cs)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(self.user_cs, key, "test-shopify", [canonical_order("R-3")])
        self.assertIn("Only Integration users", caught.exception.faultString)
        self.assertFalse(self.sale_orders("R-3"))

    def test_unknown_channel_code_is_a_readable_error(self):
        key = self.api_key(self.user_integration)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(self.user_integration, key, "no-such-channel", [])
        self.assertIn("No active channel has the code no-such-channel", caught.exception.faultString)
