import time
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo.tests import HttpCase, tagged

from .common import ChannelsCommon


@tagged("post_install", "-at_install")
class TestWebhook(ChannelsCommon, HttpCase):
    """Signed pushes from the sandboxes to the webhook route of the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from sandbox import send_webhook

        cls.send_webhook = staticmethod(send_webhook)
        cls.sandbox_products()

    def start(self, platform, orders, seed=21):
        return self.start_sandbox_channel(platform, orders, f"hook-{platform}-{seed}", seed)

    def url(self, channel):
        return f"{self.base_url()}/order_hub/webhook/{channel.code}"

    def inbound(self, channel):
        return self.Inbound.search([("channel_id", "=", channel.id)])

    def import_jobs(self, channel):
        return self.env["queue.job"].search(
            [
                ("method_name", "=", "_job_import"),
                ("channel", "=", channel._job_channel()),
                ("state", "=", "pending"),
            ]
        )

    def run_imports(self, channel):
        for _round in range(3):  # notifications enqueue nothing more; orders are done in one
            jobs = self.import_jobs(channel)
            if not jobs:
                break
            self.run_jobs_once(jobs)

    def pull(self, channel):
        before = self.env["queue.job"].search([])
        channel._cron_pull()
        self.run_jobs_once(self.new_jobs(before))

    def test_same_order_pushed_ten_times_at_once_and_pulled_gives_one_sale_order(self):
        box, channel = self.start("shopify", orders=3)
        order_id = next(iter(box.orders))
        url = self.url(channel)

        def push(_index):
            started = time.monotonic()
            response = self.send_webhook(box, order_id, url)
            return response.status_code, time.monotonic() - started

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(push, range(10)))
        self.assertEqual([status for status, _t in answers], [200] * 10)
        self.assertLess(max(elapsed for _s, elapsed in answers), 2.0, answers)
        pushed = self.inbound(channel)
        self.assertEqual(len(pushed), 1, "the same payload is stored once")
        box.update_order(order_id, remark="到了打电话")
        self.pull(channel)
        self.run_imports(channel)
        sales = self.env["sale.order"].search(
            [("channel_id", "=", channel.id), ("channel_order_ref", "=", str(order_id))]
        )
        self.assertEqual(len(sales), 1)
        self.assertEqual(sales.customer_note, "到了打电话")
        self.assertEqual(len(self.env["sale.order"].search([("channel_id", "=", channel.id)])), 3)

    def test_bad_signatures_write_nothing(self):
        box, channel = self.start("shopify", orders=1)
        order_id = next(iter(box.orders))
        url = self.url(channel)
        jobs_before = self.env["queue.job"].search_count([])
        tampered = self.send_webhook(box, order_id, url, tamper=True)
        self.assertEqual(tampered.status_code, 401)
        headers, body, _url = box.webhook(order_id, url=url)
        del headers["X-Shopify-Hmac-Sha256"]
        unsigned = requests.post(url, data=body, headers=headers, timeout=10)
        self.assertEqual(unsigned.status_code, 401)
        big = requests.post(url, data=b"{" + b" " * (600 * 1024) + b"}", headers=headers, timeout=10)
        self.assertEqual(big.status_code, 413)
        self.assertFalse(self.inbound(channel))
        self.assertEqual(self.env["queue.job"].search_count([]), jobs_before)

    def test_replayed_wechat_event_is_refused(self):
        box, channel = self.start("wechat_shop", orders=1)
        order_id = next(iter(box.orders))
        old = time.time() - 3600
        replay = self.send_webhook(box, order_id, self.url(channel), timestamp=old)
        self.assertEqual(replay.status_code, 401)
        self.assertFalse(self.inbound(channel))
        fresh = self.send_webhook(box, order_id, self.url(channel))
        self.assertEqual(fresh.status_code, 200)
        self.assertEqual(fresh.text, "success")
        self.run_imports(channel)
        self.assertEqual(
            self.env["sale.order"].search([("channel_id", "=", channel.id)]).channel_order_ref,
            str(order_id),
        )

    def test_wechat_url_verification_answers_echostr_only_when_signed(self):
        box, channel = self.start("wechat_shop", orders=1)
        url = box.verification_url(self.url(channel), echostr="abc123")
        answer = requests.get(url, timeout=10)
        self.assertEqual((answer.status_code, answer.text), (200, "abc123"))
        forged = requests.get(url.replace("signature=", "signature=0"), timeout=10)
        self.assertEqual(forged.status_code, 401)
        unknown = requests.get(f"{self.url(channel)}x", timeout=10)
        self.assertEqual((unknown.status_code, unknown.text), (forged.status_code, forged.text))
        self.assertFalse(self.inbound(channel))

    def test_unknown_channel_answers_exactly_like_a_bad_signature(self):
        box, channel = self.start("shopify", orders=1)
        order_id = next(iter(box.orders))
        tampered = self.send_webhook(box, order_id, self.url(channel), tamper=True)
        unknown = self.send_webhook(box, order_id, f"{self.url(channel)}-nope")
        inactive = self.env["order.hub.channel"].create(
            {"name": "Closed shop", "code": "hook-closed", "platform": "shopify", "active": False}
        )
        closed = self.send_webhook(box, order_id, self.url(inactive))
        for answer in (unknown, closed):
            self.assertEqual(answer.status_code, 401)
            self.assertEqual(answer.text, tampered.text)
            self.assertEqual(answer.headers["Content-Type"], tampered.headers["Content-Type"])
        self.assertFalse(self.Inbound.search([("channel_id", "in", (channel | inactive).ids)]))

    def test_replay_inside_the_window_is_deduplicated_with_200(self):
        """The documented choice (README, controller): a signed push delivered
        again inside the signature window is answered 200 and stored once."""
        box, channel = self.start("wechat_shop", orders=1)
        order_id = next(iter(box.orders))
        headers, body, url = box.webhook(order_id, url=self.url(channel))
        first = requests.post(url, data=body, headers=headers, timeout=10)
        replay = requests.post(url, data=body, headers=headers, timeout=10)
        self.assertEqual((first.status_code, replay.status_code), (200, 200))
        self.assertEqual(replay.text, "success")
        self.assertEqual(len(self.inbound(channel)), 1)
        self.run_imports(channel)
        self.assertEqual(len(self.env["sale.order"].search([("channel_id", "=", channel.id)])), 1)

    def test_douyin_push_fetches_the_order_and_redelivery_is_not_stored_twice(self):
        box, channel = self.start("douyin", orders=2)
        order_id = next(iter(box.orders))
        headers, body, url = box.webhook(order_id, url=self.url(channel))
        first = requests.post(url, data=body, headers=headers, timeout=10)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json(), {"code": 0, "msg": "success"})
        again = requests.post(url, data=body, headers=headers, timeout=10)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(len(self.inbound(channel)), 1)
        self.run_imports(channel)
        records = self.inbound(channel)
        self.assertEqual(set(records.mapped("kind")), {"notification", "order"})
        self.assertEqual(set(records.mapped("state")), {"done"}, records.mapped("error"))
        sale = records.filtered(lambda r: r.kind == "order").sale_order_id
        self.assertEqual(sale.channel_order_ref, str(order_id))

    def test_dropped_webhooks_are_recovered_by_the_next_pull(self):
        box, channel = self.start("shopify", orders=6)
        ids = list(box.orders)
        for order_id in ids[:3]:  # the other three pushes are lost
            self.assertEqual(self.send_webhook(box, order_id, self.url(channel)).status_code, 200)
        self.run_imports(channel)
        self.assertEqual(len(self.env["sale.order"].search([("channel_id", "=", channel.id)])), 3)
        self.pull(channel)
        self.run_imports(channel)
        sales = self.env["sale.order"].search([("channel_id", "=", channel.id)])
        self.assertEqual(sorted(sales.mapped("channel_order_ref")), sorted(str(i) for i in ids))
