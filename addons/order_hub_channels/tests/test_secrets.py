from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ChannelsCommon, canonical_order

SECRET_FIELDS = [
    "app_key",
    "app_secret",
    "access_token",
    "refresh_token",
    "token_expires_at",
    "webhook_secret",
    "webhook_aes_key",
    "api_base_url",
]


@tagged("post_install", "-at_install")
class TestSecrets(ChannelsCommon):
    def test_cs_and_warehouse_cannot_read_secrets(self):
        export_group = self.env.ref("base.group_allow_export")
        for user in (self.user_cs, self.user_warehouse, self.user_integration):
            # with export rights, so that the field groups are what refuses
            user.groups_id = [(4, export_group.id)]
            channel = self.channel.with_user(user)
            self.assertEqual(channel.read(["name"])[0]["name"], "Test Shopify")
            for field in SECRET_FIELDS:
                with self.subTest(user=user.login, field=field), self.assertRaises(AccessError):
                    channel.read([field])
            values = channel.read()[0]
            self.assertFalse(set(SECRET_FIELDS) & set(values), user.login)
            with self.assertRaises(AccessError):
                channel.export_data(["name", "app_secret"])
            exported = channel.export_data(["name", "code"])["datas"]
            self.assertNotIn("test-secret-value", str(exported))
            with self.assertRaises(AccessError):
                channel.search_read([], ["access_token"])

    def test_manager_reads_secrets(self):
        channel = self.channel.with_user(self.user_manager)
        self.assertEqual(channel.app_secret, "test-secret-value")

    def test_jobs_carry_record_ids_only(self):
        before = self.env["queue.job"].search([])
        records = self.store(canonical_order("S-1"))
        records._enqueue_import()
        self.channel._cron_pull()
        jobs = self.new_jobs(before)
        self.assertEqual(len(jobs), 2)
        for job in jobs:
            self.assertEqual(job.args, [])
            self.assertEqual(job.kwargs, {})
            text = " ".join(
                str(value)
                for value in job.read(["args", "kwargs", "name", "func_string", "records"])[0].values()
            )
            for secret in ("test-secret-value", "test-token-value", "test-webhook-secret"):
                self.assertNotIn(secret, text)
        imports = jobs.filtered(lambda j: j.method_name == "_job_import")
        self.assertEqual(imports.records, records)
        self.assertEqual(imports.identity_key, f"order_hub_inbound_{records.id}")
        self.assertEqual(imports.channel, "root.order_hub.shopify")
        self.assertEqual(jobs.filtered(lambda j: j.method_name == "_job_pull").records, self.channel)

    def test_cs_cannot_read_received_payloads(self):
        records = self.store(canonical_order("S-2"))
        with self.assertRaises(AccessError):
            records.with_user(self.user_cs).read(["payload"])
