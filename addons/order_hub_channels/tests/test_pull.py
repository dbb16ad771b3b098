import time
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ChannelsCommon


@tagged("post_install", "-at_install")
class TestPull(ChannelsCommon):
    """Real HTTP to the localhost sandboxes (tests/sandbox)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox_products()

    def start(self, platform, orders, seed=11):
        return self.start_sandbox_channel(platform, orders, f"pull-{platform}-{seed}", seed)

    def pull(self, channel):
        before = self.env["queue.job"].search([])
        errors = self.run_jobs_once(self.pull_job(channel))
        return errors, self.new_jobs(before).filtered(lambda j: j.method_name == "_job_import")

    def pull_job(self, channel):
        before = self.env["queue.job"].search([])
        channel._cron_pull()
        return self.new_jobs(before)

    def imported(self, channel):
        return self.env["sale.order"].search([("channel_id", "=", channel.id)])

    def test_pull_brings_every_page_and_imports_each_order_once(self):
        box, channel = self.start("douyin", orders=45)
        errors, jobs = self.pull(channel)
        self.assertFalse(errors)
        self.assertEqual(len(jobs), 45)
        self.assertEqual(len(set(jobs.mapped("identity_key"))), 45)
        self.assertEqual(set(jobs.mapped("channel")), {"root.order_hub.douyin"})
        self.assertFalse(self.run_jobs_once(jobs))
        inbound = self.Inbound.search([("channel_id", "=", channel.id)])
        self.assertEqual(len(inbound), 45)
        self.assertEqual(set(inbound.mapped("state")), {"done"}, inbound.mapped("error"))
        self.assertEqual(len(self.imported(channel)), len(box.orders))
        self.assertTrue(channel.watermark > datetime.now() - timedelta(minutes=5))
        # a second pull (overlap window) stores nothing new and creates nothing
        errors, jobs = self.pull(channel)
        self.assertFalse(jobs)
        self.assertEqual(len(self.imported(channel)), 45)

    def test_server_errors_retry_and_nothing_is_lost(self):
        box, channel = self.start("jd", orders=30)
        mark = channel.watermark
        box.behave(server_errors=2)
        pull_jobs = self.pull_job(channel)
        errors = self.run_jobs_once(pull_jobs)
        self.assertEqual(len(errors), 1)
        self.assertEqual(pull_jobs.state, "pending")
        self.assertEqual(channel.watermark, mark, "the watermark must not move on a failed page")
        self.assertFalse(self.Inbound.search([("channel_id", "=", channel.id)]))
        self.assertFalse(self.run_jobs_once(pull_jobs) and self.run_jobs_once(pull_jobs))
        self.assertEqual(pull_jobs.state, "done")
        imports = self.env["queue.job"].search(
            [("method_name", "=", "_job_import"), ("channel", "=", "root.order_hub.jd")]
        )
        self.run_jobs_once(imports)
        self.assertEqual(len(self.imported(channel)), 30)

    def test_rate_limit_honours_retry_after(self):
        box, channel = self.start("shopify", orders=20)
        box.behave(rate_limited=1, retry_after=7)
        pull_jobs = self.pull_job(channel)
        errors = self.run_jobs_once(pull_jobs)
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0].seconds, 7)
        wait = (pull_jobs.eta - datetime.now()).total_seconds()
        self.assertGreater(wait, 5)
        self.assertLessEqual(wait, 8)
        self.assertEqual(len(box.api_requests()), 1)
        pull_jobs.eta = False
        self.assertFalse(self.run_jobs_once(pull_jobs))
        imports = self.env["queue.job"].search(
            [("method_name", "=", "_job_import"), ("channel", "=", "root.order_hub.shopify")]
        )
        self.run_jobs_once(imports)
        self.assertEqual(len(self.imported(channel)), 20)

    def test_order_updated_on_platform_updates_sale_order(self):
        box, channel = self.start("shopee", orders=5, seed=5)
        _errors, jobs = self.pull(channel)
        self.run_jobs_once(jobs)
        order_id = next(oid for oid, o in box.orders.items() if o.status in ("paid", "unpaid"))
        sale = self.imported(channel).filtered(lambda s: s.channel_order_ref == str(order_id))
        self.assertEqual(len(sale), 1)
        box.update_order(order_id, address="新地址 88 号", remark="改到公司收货")
        _errors, jobs = self.pull(channel)
        self.assertEqual(len(jobs), 1)
        self.run_jobs_once(jobs)
        # Shopee masks the receiver: the new (masked) address still replaces the old one
        self.assertIn("新地址", sale.partner_shipping_id.street or "")
        time.sleep(1.1)  # the sandbox stamps updates in whole seconds; stay in the past
        box.update_order(order_id, status="cancelled")
        _errors, jobs = self.pull(channel)
        self.run_jobs_once(jobs)
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(
            len(self.imported(channel).filtered(lambda s: s.channel_order_ref == str(order_id))), 1
        )

    def test_malformed_page_is_pulled_again(self):
        box, channel = self.start("wechat_shop", orders=8)
        box.behave(malformed=1)
        pull_jobs = self.pull_job(channel)
        self.assertEqual(len(self.run_jobs_once(pull_jobs)), 1)
        self.assertFalse(self.run_jobs_once(pull_jobs))
        imports = self.env["queue.job"].search(
            [("method_name", "=", "_job_import"), ("channel", "=", "root.order_hub.wechat_shop")]
        )
        self.run_jobs_once(imports)
        self.assertEqual(len(self.imported(channel)), 8)

    def test_connection_button_reports_in_words(self):
        box, channel = self.start("jd", orders=1, seed=31)
        action = channel.with_user(self.user_manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(action["params"]["message"])
        channel.app_secret = "wrong-secret-value"
        with self.assertRaises(UserError) as caught:
            channel.with_user(self.user_manager).action_test_connection()
        self.assertIn("Check the credentials", str(caught.exception))
        self.assertNotIn("wrong-secret-value", str(caught.exception))
        with self.assertRaises(AccessError):
            channel.with_user(self.user_cs).action_test_connection()
