import xmlrpc.client
from datetime import datetime, timedelta

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestLeastPrivilege(ChannelsCommon, HttpCase):
    """The Integration group gets only what import_orders needs; API keys can
    be limited to channels; pull, test and retry are for managers, enforced on
    the server whatever the client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_channel = cls.env["order.hub.channel"].create(
            {"name": "Other shop", "code": "test-other", "platform": "shopify", "company_id": cls.company.id}
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Stranger", "phone": "13500000000", "street": "1 Secret Road"}
        )
        cls.key = cls.api_key(cls.user_integration)

    @classmethod
    def api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate("rpc", "test", datetime.now() + timedelta(days=1))
        )

    def rpc(self, model, method, *args, user=None, key=None):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            (user or self.user_integration).id,
            key or self.key,
            model,
            method,
            list(args),
        )

    def import_orders(self, code, *orders):
        return self.rpc("order.hub.channel", "import_orders", code, list(orders))

    def test_the_group_implies_no_sales_rights_and_its_users_are_portal_users(self):
        group = self.env.ref("order_hub.group_order_hub_integration")
        self.assertFalse(group.implied_ids)
        self.assertFalse(self.user_integration.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(self.user_integration.has_group("base.group_user"))
        demo = self.env.ref("order_hub.user_order_hub_integration_demo", raise_if_not_found=False)
        if demo:  # demo data installed: the README's RPC example runs as this user
            self.assertTrue(demo.share)
            self.assertFalse(demo.has_group("sales_team.group_sale_salesman"))

    def test_demo_integration_user_runs_the_readme_example_and_nothing_more(self):
        demo = self.env.ref("order_hub.user_order_hub_integration_demo", raise_if_not_found=False)
        channel = self.env.ref("order_hub_channels.order_hub_channel_jd_demo", raise_if_not_found=False)
        if not (demo and channel):
            self.skipTest("demo data not installed")
        common = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/common")
        uid = common.authenticate(self.env.cr.dbname, "hub.integration", "orderhub-integration", {})
        self.assertEqual(uid, demo.id)
        order = canonical_order("300012345678-LP", skus=("BRK-2026-01", "FLT-2026-01"), platform="jd")
        results = self.rpc(
            "order.hub.channel", "import_orders", "jd-demo", [order], user=demo, key="orderhub-integration"
        )
        self.assertEqual(results[0]["result"], "created", results)
        with self.assertRaises(xmlrpc.client.Fault):
            self.rpc(
                "res.partner", "read", [self.stranger.id], ["phone"], user=demo, key="orderhub-integration"
            )

    def test_integration_user_imports_and_reads_only_its_channels_orders(self):
        results = self.import_orders("test-shopify", canonical_order("LP-1"))
        self.assertEqual(results[0]["result"], "created", results)
        mine = self.sale_orders("LP-1")
        other = (
            self.env["order.hub.inbound.order"]
            .sudo()
            ._import_rpc(self.other_channel, [canonical_order("LP-2")])
        )
        theirs = self.sale_orders("LP-2", channel=self.other_channel)
        self.assertEqual(other[0]["result"], "created", other)
        self.user_integration.order_hub_channel_ids = self.channel
        found = self.rpc("sale.order", "search_read", [("id", "in", (mine | theirs).ids)], ["name"])
        self.assertEqual([row["name"] for row in found], [mine.name])
        for model in ("order.hub.channel", "order.hub.inbound.order"):
            names = self.rpc(model, "search_read", [], ["display_name"])
            self.assertTrue(names, model)
            self.assertNotIn("Other shop", str(names))
            self.assertNotIn("LP-2", str(names))

    def test_integration_user_cannot_read_partners_outside_its_orders(self):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.rpc("res.partner", "read", [self.stranger.id], ["phone", "street"])
        self.assertIn("doesn't have 'read' access to:\n- Contact (res.partner)", caught.exception.faultString)
        visible = self.rpc("res.partner", "search_read", [], ["id"])
        self.assertEqual({row["id"] for row in visible}, {self.user_integration.partner_id.id})

    def test_integration_user_cannot_write_orders_nor_read_invoices_or_pickings(self):
        self.import_orders("test-shopify", canonical_order("LP-3"))
        sale = self.sale_orders("LP-3")
        with self.assertRaises(xmlrpc.client.Fault):
            self.rpc("sale.order", "write", [sale.id], {"client_order_ref": "hijacked"})
        self.assertNotEqual(sale.client_order_ref, "hijacked")
        self.stranger.message_post(body="private note about the stranger", message_type="comment")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.env["stock.picking"].create(
            {"picking_type_id": warehouse.out_type_id.id, "partner_id": self.stranger.id}
        )
        self.env["account.move"].create({"move_type": "out_invoice", "partner_id": self.stranger.id})
        user = self.user_integration
        for model, domain in (
            ("stock.picking", []),
            ("account.move", []),
            ("mail.message", [("model", "=", "res.partner"), ("res_id", "=", self.stranger.id)]),
        ):
            try:
                seen = self.env[model].with_user(user).search_count(domain)
            except AccessError:
                seen = 0
            self.assertTrue(self.env[model].search_count(domain), model)
            self.assertEqual(seen, 0, model)

    def test_api_key_limited_to_channels(self):
        self.user_integration.order_hub_channel_ids = self.other_channel
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self.import_orders("test-shopify", canonical_order("LP-4"))
        with self.assertRaises(xmlrpc.client.Fault) as unknown:
            self.import_orders("no-such-channel", canonical_order("LP-4"))
        # a channel the key may not use reads like one that does not exist
        refusal = "No active channel has the code test-shopify for this user"
        self.assertIn(refusal, refused.exception.faultString)
        self.assertEqual(
            refused.exception.faultString.replace("test-shopify", "X"),
            unknown.exception.faultString.replace("no-such-channel", "X"),
        )
        self.assertFalse(self.Inbound.search([("external_id", "=", "LP-4")]))
        results = self.import_orders("test-other", canonical_order("LP-4"))
        self.assertEqual(results[0]["result"], "created", results)

    def test_pull_and_test_connection_are_for_managers_only(self):
        """(and pulling for the channel's operators: see the operator tests)"""
        for user in (self.user_cs, self.user_warehouse, self.user_integration):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.channel.with_user(user).action_pull_now()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.channel.with_user(user).action_test_connection()
        before = self.env["queue.job"].search_count([("method_name", "=", "_job_pull")])
        self.channel.with_user(self.user_manager).action_pull_now()
        self.assertEqual(self.env["queue.job"].search_count([("method_name", "=", "_job_pull")]), before + 1)
        # the job stores what it pulls: it runs as the scheduled pull does, not
        # as the manager (who may not create received payloads)
        job = self.env["queue.job"].search([("method_name", "=", "_job_pull")], order="id desc", limit=1)
        self.assertEqual(job.user_id.id, SUPERUSER_ID)

    def test_warehouse_user_cannot_pull_over_rpc(self):
        key = self.api_key(self.user_warehouse)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.rpc(
                "order.hub.channel", "action_pull_now", [self.channel.id], user=self.user_warehouse, key=key
            )
        self.assertIn(
            "Only Order Hub managers and the channel's operators can pull", caught.exception.faultString
        )

    def test_retry_and_ignore_are_for_managers_only(self):
        results = self.import_orders("test-shopify", canonical_order("LP-5", skus=("UNKNOWN-1",)))
        self.assertEqual(results[0]["result"], "failed")
        record = self.Inbound.search([("external_id", "=", "LP-5")])
        for user in (self.user_cs, self.user_warehouse, self.user_integration):
            for action in ("action_retry", "action_ignore"):
                with self.subTest(user=user.login, action=action), self.assertRaises(AccessError):
                    getattr(record.with_user(user), action)()
        self.assertEqual(record.state, "failed")
        record.with_user(self.user_manager).action_retry()
        self.assertEqual(record.state, "pending")

    # ------------------------------------------------------------------
    # channel operators
    # ------------------------------------------------------------------
    def test_operator_pulls_retries_and_ignores_only_its_channel(self):
        """A customer-service user named operator of a channel pulls it and
        retries or ignores its received orders (the jobs run as the
        scheduled pull does, so they can import); other channels stay
        closed to them, over RPC too, and their payloads unreadable."""
        self.channel.operator_ids = self.user_cs
        mine = self.channel.with_user(self.user_cs)
        self.assertTrue(mine.hub_can_operate)
        self.assertFalse(self.other_channel.with_user(self.user_cs).hub_can_operate)
        self.assertFalse(self.channel.with_user(self.user_warehouse).hub_can_operate)
        # pull: a job that runs as the superuser, like the scheduled pull
        mine.action_pull_now()
        job = self.env["queue.job"].search([("method_name", "=", "_job_pull")], order="id desc", limit=1)
        self.assertEqual(job.records, self.channel)
        self.assertEqual(job.user_id.id, SUPERUSER_ID)
        with self.assertRaises(AccessError):
            self.other_channel.with_user(self.user_cs).action_pull_now()
        with self.assertRaises(AccessError):  # testing the connection reads the credentials
            mine.action_test_connection()
        # payloads: readable and operable for its channel only
        self.import_orders("test-shopify", canonical_order("OP-1", skus=("UNKNOWN-1",)))
        self.import_orders("test-other", canonical_order("OP-2", skus=("UNKNOWN-1",)))
        record = self.Inbound.search([("external_id", "=", "OP-1")])
        other = self.Inbound.search([("external_id", "=", "OP-2")])
        self.assertEqual((record | other).mapped("state"), ["failed", "failed"])
        seen = self.Inbound.with_user(self.user_cs).search([("external_id", "in", ("OP-1", "OP-2"))])
        self.assertEqual(seen, record)
        self.assertTrue(seen.hub_can_operate)
        seen.action_retry()
        self.assertEqual(record.state, "pending")
        retry_job = self.env["queue.job"].search(
            [("method_name", "=", "_job_import")], order="id desc", limit=1
        )
        self.assertEqual(retry_job.records, record)
        self.assertEqual(retry_job.user_id.id, SUPERUSER_ID)
        seen.action_ignore()
        self.assertEqual(record.state, "ignored")
        self.assertIn(self.user_cs.name, record.error)
        for action in ("action_retry", "action_ignore"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(other.with_user(self.user_cs), action)()
        # the same refusal over RPC
        key = self.api_key(self.user_cs)
        with self.assertRaises(xmlrpc.client.Fault):
            self.rpc("order.hub.inbound.order", "action_retry", [other.id], user=self.user_cs, key=key)
        self.assertEqual(other.state, "failed")

    def test_operator_menu_lists_the_channels_one_operates(self):
        self.channel.operator_ids = self.user_warehouse
        action = self.env.ref("order_hub_channels.order_hub_channel_action_operator")
        menu = self.env.ref("order_hub_channels.order_hub_channel_menu_operator")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_warehouse)._visible_menu_ids())
        domain = safe_eval(action.domain, {"uid": self.user_warehouse.id})
        channels = self.env["order.hub.channel"].with_user(self.user_warehouse).search(domain)
        self.assertEqual(channels, self.channel)

    def test_demo_customer_service_operates_the_douyin_shop(self):
        channel = self.env.ref("order_hub_channels.order_hub_channel_douyin_demo", raise_if_not_found=False)
        if not channel:
            self.skipTest("no demo data")
        cs = self.env.ref("order_hub.user_order_hub_cs_demo")
        self.assertIn(cs, channel.operator_ids)
        self.assertTrue(channel.with_user(cs).hub_can_operate)
