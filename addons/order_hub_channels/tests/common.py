import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from odoo import SUPERUSER_ID, Command, api

from odoo.addons.order_hub.tests.common import OrderHubCommon
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

# the repository's tests/ directory: the sandboxes live there
TESTS_DIR = Path(__file__).resolve().parents[3] / "tests"
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

CST = timezone(timedelta(hours=8))
BASE_TIME = datetime(2026, 11, 20, 10, 0, tzinfo=CST)


def canonical_order(external_id, skus=("TST-001",), status="paid", platform="shopify", **values):
    """A canonical order as an external system sends it (JSON form)."""
    minutes = values.pop("minutes", 0)
    receiver = {
        "name": "张伟",
        "phone": "13800138000",
        "province": "广东省",
        "city": "广州市",
        "district": "天河区",
        "detail": "体育西路 100 号",
        **values.pop("receiver", {}),
    }
    order = {
        "order_hub_format": "canonical",
        "platform": platform,
        "external_id": external_id,
        "shop_id": "shop-1",
        "status": status,
        "platform_status": values.pop("platform_status", status),
        "created_at": BASE_TIME.isoformat(),
        "updated_at": (BASE_TIME + timedelta(minutes=minutes)).isoformat(),
        "total_amount": "536.00",
        "buyer_remark": "",
        "receiver": receiver,
        "lines": [
            {
                "platform_sku": f"p-{sku}",
                "merchant_code": sku,
                "name": "",
                "quantity": "2",
                "unit_price": "268.00",
            }
            for sku in skus
        ],
    }
    order.update(values)
    return order


def delete_committed_channel(registry, code, sku, partner_phone_keys=()):
    """Delete, in a transaction of its own, what a test with real (committed)
    transactions left for the channel ``code``: its sale orders, payloads and
    buyers, the channel, the orders' partners (and those with one of
    ``partner_phone_keys``) and the product ``sku``."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        channel = env["order.hub.channel"].search([("code", "=", code)])
        sales = env["sale.order"].search([("channel_id", "=", channel.id)])
        partners = sales.partner_id | sales.partner_shipping_id
        if partner_phone_keys:
            partners |= env["res.partner"].search([("order_hub_phone_key", "in", list(partner_phone_keys))])
        sales.unlink()
        env["order.hub.inbound.order"].search([("channel_id", "=", channel.id)]).unlink()
        env["order.hub.buyer"].search([("partner_id", "in", partners.ids)]).unlink()
        channel.unlink()
        partners.unlink()
        env["product.product"].search([("default_code", "=", sku)]).unlink()


class ChannelsCommon(OrderHubCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"Test part {index}",
                    "default_code": f"TST-00{index}",
                    "barcode": f"69000000000{index}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 100,
                }
                for index in (1, 2, 3)
            ]
        )
        # stock on hand, so that stock-checking exception rules let the orders through
        stock = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(product, stock.lot_stock_id, 1000)
        cls.channel = cls.env["order.hub.channel"].create(
            {
                "name": "Test Shopify",
                "code": "test-shopify",
                "platform": "shopify",
                "app_key": "test-key",
                "app_secret": "test-secret-value",
                "access_token": "test-token-value",
                "webhook_secret": "test-webhook-secret",
                "company_id": cls.company.id,
            }
        )
        cls.Inbound = cls.env["order.hub.inbound.order"]

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test guard compares the timeout with a number; the connectors
        # send (connect, read) tuples.  Requests still go to localhost only.
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)

    # queue_job's tests/common.py does not import on this Odoo 18 build
    # (SETATTR_SOURCES); jobs are stored for real and run like its JobMixin does.
    def new_jobs(self, before):
        return self.env["queue.job"].search([("id", "not in", before.ids)], order="id")

    def run_jobs(self, jobs):
        """Perform stored jobs as the runner would; returns the results."""
        results = []
        for record in jobs:
            job = Job.load(self.env, record.uuid)
            job.set_started()
            results.append(job.perform())
            job.set_done()
            job.store()
        return results

    def run_jobs_once(self, jobs):
        """Perform each job once, as the runner does: a RetryableJobError rolls the
        job back and postpones it (eta = now + its seconds).  Returns the errors."""
        errors = []
        for record in jobs:
            job = Job.load(self.env, record.uuid)
            job.set_started()
            try:
                with self.env.cr.savepoint():
                    job.perform()
            except RetryableJobError as error:
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
                errors.append(error)
            else:
                job.set_done()
            job.store()
        return errors

    @classmethod
    def sandbox_products(cls):
        """Products with the internal references the sandboxes sell."""
        from sandbox.generator import PRODUCTS

        return cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                }
                for code, name, price in PRODUCTS
            ]
        )

    @classmethod
    def sandbox_channel(cls, box, code, **values):
        creds = box.credentials
        return cls.env["order.hub.channel"].create(
            {
                "name": f"Sandbox {box.platform}",
                "code": code,
                "platform": box.platform,
                "api_base_url": box.url,
                "app_key": creds.get("app_key"),
                "app_secret": creds.get("app_secret"),
                "access_token": creds.get("access_token"),
                "refresh_token": creds.get("refresh_token"),
                "shop_id": creds.get("shop_id"),
                "webhook_secret": creds.get("webhook_token"),
                "webhook_aes_key": creds.get("aes_key"),
                "rate_limit": 0,
                **values,
            }
        )

    def start_sandbox_channel(self, platform, orders, code, seed):
        """A running sandbox (stopped at cleanup) and its channel, pulling from three days back."""
        from sandbox import start_sandbox

        box = start_sandbox(platform, orders=orders, seed=seed)
        self.addCleanup(box.stop)
        channel = self.sandbox_channel(box, code)
        channel.watermark = datetime.now() - timedelta(days=3)
        return box, channel

    def store(self, *orders, source="rpc", channel=None):
        return self.Inbound._store_payloads(channel or self.channel, list(orders), source=source)

    def import_now(self, *orders, channel=None):
        """Import, then run the confirmation jobs of the new orders as the job
        runner does once the import committed (see order_hub_order_importer_hub)."""
        before = self.env["queue.job"].search([])
        records = self.store(*orders, channel=channel)
        records._import_batch()
        self.run_channel_actions(before)
        return records

    def run_channel_actions(self, before):
        """Run the confirmation jobs, then the jobs they enqueue (reservations,
        confirmations in the reservation lane), as the runner would."""
        methods = ("_job_hub_channel_action", "_job_hub_channel_action_reserve", "_job_hub_reserve")
        results, done = [], self.env["queue.job"]
        for _round in range(5):
            jobs = self.new_jobs(before).filtered(lambda j: j.method_name in methods) - done
            if not jobs:
                break
            results += self.run_jobs(jobs)
            done |= jobs
        return results

    def sale_orders(self, external_id, channel=None):
        return self.env["sale.order"].search(
            [
                ("channel_id", "=", (channel or self.channel).id),
                ("channel_order_ref", "=", external_id),
            ]
        )

    @staticmethod
    def dumps(order):
        return json.dumps(order, ensure_ascii=False)

    @classmethod
    def set_groups(cls, user, *xmlids):
        user.groups_id = [Command.set([cls.env.ref(x).id for x in ("base.group_user", *xmlids)])]
