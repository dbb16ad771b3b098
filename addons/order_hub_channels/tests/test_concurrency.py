import threading
import time
import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.queue_job.exception import RetryableJobError

from .common import canonical_order, delete_committed_channel


@tagged("post_install", "-at_install")
class TestConcurrentImport(BaseCase):
    """Two workers import the same platform order at the same moment, each in
    its own transaction (committed data, cleaned up afterwards): the unique
    constraint refuses the second sale order, whose job retries as an update."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.code = f"conc-{uuid.uuid4().hex[:8]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.product = env["product.product"].create(
                {"name": "Concurrency part", "default_code": f"CC-{self.code}", "type": "consu"}
            )
            self.channel = env["order.hub.channel"].create(
                {"name": "Concurrency", "code": self.code, "platform": "shopify"}
            )
            first = canonical_order(
                "C-1",
                skus=(f"CC-{self.code}",),
                status="unpaid",
                buyer_remark="from the webhook",
                receiver={"phone": "13900000001"},
            )
            second = canonical_order(
                "C-1",
                skus=(f"CC-{self.code}",),
                status="unpaid",
                buyer_remark="from the pull",
                minutes=1,
                receiver={"phone": "13900000001"},
            )
            inbox = env["order.hub.inbound.order"]
            self.records = [
                inbox._store_payloads(self.channel, [first], source="webhook").id,
                inbox._store_payloads(self.channel, [second], source="pull").id,
            ]
        self.addCleanup(self.cleanup)

    def cleanup(self):
        delete_committed_channel(
            self.registry, self.code, f"CC-{self.code}", partner_phone_keys=("13900000001", "13900000002")
        )

    def import_in_own_transaction(self, record_id, outcome, start, hold=0.0, delay=0.0, batch=1):
        start.wait()
        time.sleep(delay)
        with self.registry.cursor() as cr:
            # batch=1: each job imports only its own payload, so both create
            env = api.Environment(cr, SUPERUSER_ID, {"order_hub_import_batch": batch})
            try:
                env["order.hub.inbound.order"].browse(record_id)._job_import()
                time.sleep(hold)  # still uncommitted while the other worker inserts
                # the job runner commits each job in its own transaction; so does this "worker"
                cr.commit()  # pylint: disable=invalid-commit
                outcome[record_id] = "done"
            except RetryableJobError:
                cr.rollback()
                outcome[record_id] = "retry"

    def test_two_workers_one_sale_order(self):
        outcome, start = {}, threading.Barrier(2)
        first = threading.Thread(
            target=self.import_in_own_transaction, args=(self.records[0], outcome, start, 1.5)
        )
        second = threading.Thread(
            target=self.import_in_own_transaction, args=(self.records[1], outcome, start, 0, 0.4)
        )
        first.start()
        second.start()
        first.join(30)
        second.join(30)
        self.assertEqual(outcome, {self.records[0]: "done", self.records[1]: "retry"})
        # the runner retries the job later, in a new transaction: now an update
        retry_start = threading.Barrier(1)
        self.import_in_own_transaction(self.records[1], outcome, retry_start)
        self.assertEqual(outcome[self.records[1]], "done")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sales = env["sale.order"].search(
                [("channel_id.code", "=", self.code), ("channel_order_ref", "=", "C-1")]
            )
            self.assertEqual(len(sales), 1)
            self.assertEqual(sales.customer_note, "from the pull")
            records = env["order.hub.inbound.order"].browse(self.records)
            self.assertEqual(records.mapped("state"), ["done", "done"])
            self.assertEqual(sorted(records.mapped("result")), ["created", "updated"])

    def test_batching_job_takes_the_other_payload_and_its_job_ends_at_once(self):
        outcome, start = {}, threading.Barrier(2)
        first = threading.Thread(
            target=self.import_in_own_transaction,
            args=(self.records[0], outcome, start, 1.5, 0, 50),
        )
        second = threading.Thread(
            target=self.import_in_own_transaction,
            args=(self.records[1], outcome, start, 0, 0.4, 50),
        )
        first.start()
        second.start()
        first.join(30)
        second.join(30)
        self.assertEqual(outcome, {self.records[0]: "done", self.records[1]: "done"})
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sales = env["sale.order"].search([("channel_id.code", "=", self.code)])
            self.assertEqual(len(sales), 1)
            self.assertEqual(sales.customer_note, "from the pull")
            records = env["order.hub.inbound.order"].browse(self.records)
            self.assertEqual(records.mapped("state"), ["ignored", "done"])

    def test_two_workers_one_new_buyer(self):
        """Two different orders of the same new buyer, imported at the same
        moment: one customer (the database refuses the second buyer row, whose
        job retries and then finds the first one's customer)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            channel = env["order.hub.channel"].search([("code", "=", self.code)])
            inbox = env["order.hub.inbound.order"]
            records = [
                inbox._store_payloads(
                    channel,
                    [
                        canonical_order(
                            ref,
                            skus=(f"CC-{self.code}",),
                            status="unpaid",
                            receiver={"phone": "+86 139-0000-0002"},
                        )
                    ],
                    source="pull",
                ).id
                for ref in ("C-2", "C-3")
            ]
        outcome, start = {}, threading.Barrier(2)
        first = threading.Thread(
            target=self.import_in_own_transaction, args=(records[0], outcome, start, 1.5)
        )
        second = threading.Thread(
            target=self.import_in_own_transaction, args=(records[1], outcome, start, 0, 0.4)
        )
        first.start()
        second.start()
        first.join(30)
        second.join(30)
        self.assertEqual(outcome, {records[0]: "done", records[1]: "retry"})
        self.import_in_own_transaction(records[1], outcome, threading.Barrier(1))
        self.assertEqual(outcome[records[1]], "done")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sales = env["sale.order"].search([("channel_id.code", "=", self.code)])
            self.assertEqual(sorted(sales.mapped("channel_order_ref")), ["C-2", "C-3"])
            self.assertEqual(len(sales.partner_id), 1, "one customer for the repeat buyer")
            customers = env["res.partner"].search(
                [("order_hub_phone_key", "=", "13900000002"), ("parent_id", "=", False)]
            )
            self.assertEqual(customers, sales.partner_id)
            buyer = env["order.hub.buyer"].search([("key", "=", "13900000002")])
            self.assertEqual(buyer.partner_id, customers)
