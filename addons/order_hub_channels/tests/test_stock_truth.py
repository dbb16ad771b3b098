"""Stock truth under deferred reservations, entered through ``import_orders``.

Every import runs in its own committed transaction (several callers at once,
retried on serialisation failures exactly as Odoo's RPC layer retries them),
and the jobs the imports enqueue run as the job runner runs them: each in its
own transaction, two at a time, a job failing on a concurrency error or a
RetryableJobError being run again later.  A product with 10 free units then
never gets more than 10 confirmed one-unit orders, however the orders are
batched; the others stay quotations blocked by the free-stock gate, with the
reason on the order and on the received payload.
"""

import functools
import threading
import time
import uuid

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import canonical_order

JOB_METHODS = ("_job_import", "_job_hub_channel_action", "_job_hub_reserve")


@tagged("post_install", "-at_install")
class TestStockTruth(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]
        self.channels = {}
        with self.registry.cursor() as cr:  # the jobs of this test come after
            cr.execute("SELECT coalesce(max(id), 0) FROM queue_job")
            self.first_job = cr.fetchone()[0] + 1
        self.addCleanup(self.cleanup)

    # ------------------------------------------------------------------
    # committed fixtures
    # ------------------------------------------------------------------
    def env_run(self, func):
        """Run ``func(env)`` in a transaction of its own, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return retrying(functools.partial(func, env), env)

    def make_channel(self, name, stock):
        """A channel shipping from a warehouse of its own holding ``stock``
        units of the product (one product shared by every channel)."""

        def create(env):
            product = env["product.product"].search([("default_code", "=", f"ST-{self.tag}")])
            if not product:
                product = env["product.product"].create(
                    {
                        "name": f"Stock truth part {self.tag}",
                        "default_code": f"ST-{self.tag}",
                        "type": "consu",
                        "is_storable": True,
                    }
                )
            code = f"st{len(self.channels)}{self.tag}"
            short_name = uuid.uuid4().hex[:5].upper()
            warehouse = env["stock.warehouse"].create({"name": f"ST {code}", "code": short_name})
            env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, stock)
            channel = env["order.hub.channel"].create(
                {"name": f"Stock {name}", "code": code, "platform": "shopify", "warehouse_id": warehouse.id}
            )
            return channel.code, channel.id, warehouse.id, product.id

        code, channel_id, warehouse_id, product_id = self.env_run(create)
        self.channels[code] = channel_id
        self.product_id = product_id
        return code, warehouse_id

    def cleanup(self):
        def clean(env):
            channels = env["order.hub.channel"].browse(list(self.channels.values())).exists()
            sales = env["sale.order"].search([("channel_id", "in", channels.ids)])
            sales.filtered(lambda s: s.state != "cancel").with_context(
                disable_cancel_warning=True
            ).action_cancel()
            channels.write({"active": False})
            env["product.product"].browse(self.product_id).active = False

        if self.channels:
            self.env_run(clean)

    # ------------------------------------------------------------------
    # callers and runner
    # ------------------------------------------------------------------
    def orders(self, refs):
        sku = f"ST-{self.tag}"
        return [
            {
                **canonical_order(ref, skus=(sku,), receiver={"phone": f"1380000{index:04d}"}),
                "lines": [{"platform_sku": sku, "merchant_code": sku, "quantity": "1", "unit_price": "9.90"}],
            }
            for index, ref in enumerate(refs)
        ]

    def import_orders(self, code, orders):
        """One ``import_orders`` call as the integration user's RPC makes it."""
        return self.env_run(lambda env: env["order.hub.channel"].import_orders(code, orders))

    def callers(self, code, calls, threads):
        """``calls`` (lists of orders) spread over ``threads`` concurrent callers."""
        results, errors = [], []
        chunks = [calls[index::threads] for index in range(threads)]

        def caller(chunk):
            try:
                for orders in chunk:
                    results.extend(self.import_orders(code, orders))
            except Exception as error:  # reported below, with the thread's calls
                errors.append(error)

        workers = [threading.Thread(target=caller, args=(chunk,)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        self.assertFalse(errors, "every call answered")
        return results

    def run_one_job(self):
        """Take one pending job of ours and run it as the runner does; False when none is left."""
        try:
            return self._run_one_job()
        except OperationalError as error:
            # taking the job itself lost a race (a REPEATABLE READ snapshot
            # locking a row the server's runner just changed): try again
            if not isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise
            return True

    def _run_one_job(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(
                SQL(
                    "SELECT uuid FROM queue_job WHERE state IN ('pending', 'enqueued') "
                    "AND method_name = ANY(%s) AND id >= %s "
                    "ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    list(JOB_METHODS),
                    self.first_job,
                )
            )
            row = cr.fetchone()
            if not row:
                return False
            job = Job.load(env, row[0])
            try:
                job.set_started()
                job.store()
                with cr.savepoint():
                    job.perform()
                job.set_done()
                job.store()
                # the job runner commits each job it ran
                cr.commit()  # pylint: disable=invalid-commit
            except RetryableJobError:
                cr.rollback()  # the job stays pending: run again later
            except OperationalError as error:
                if not isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                    raise
                cr.rollback()
        return True

    def open_jobs(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM queue_job WHERE state IN ('pending', 'enqueued', 'started') "
                    "AND method_name = ANY(%s) AND id >= %s",
                    list(JOB_METHODS),
                    self.first_job,
                )
            )
            return cr.fetchone()[0]

    def run_jobs(self, workers=2):
        """Run our jobs with ``workers`` threads until none is open.  The
        test server's own queue_job runner may take some of them: those are
        waited for."""
        errors = []

        def worker():
            try:
                for _attempt in range(400):
                    if not self.run_one_job():
                        return
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _index in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertFalse(errors, "jobs ran without errors")
        deadline = time.monotonic() + 180
        while self.open_jobs() and time.monotonic() < deadline:
            if not self.run_one_job():  # held by the runner, or postponed: wait
                time.sleep(0.5)
        self.assertFalse(self.open_jobs(), "every job ended")

    # ------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------
    def assertStockTruth(self, code, warehouse_id, stock):
        def check(env):
            channel = env["order.hub.channel"].browse(self.channels[code])
            sales = env["sale.order"].search([("channel_id", "=", channel.id)])
            self.assertEqual(len(sales), 30)
            confirmed = sales.filtered(lambda s: s.state == "sale")
            self.assertEqual(len(confirmed), stock, "exactly the orders the stock covers are confirmed")
            moves = confirmed.picking_ids.move_ids
            self.assertEqual(set(moves.mapped("state")), {"assigned"}, "every confirmed order is reserved")
            product = env["product.product"].browse(self.product_id).with_context(warehouse_id=warehouse_id)
            self.assertEqual(product.virtual_available, 0.0, "nothing promised beyond the stock")
            self.assertEqual(product.free_qty, 0.0)
            blocked = sales - confirmed
            stock_rule = env.ref("order_hub.exception_rule_stock_short")
            for sale in blocked:
                self.assertEqual(sale.state, "draft")
                self.assertIn(stock_rule, sale.exception_ids, f"{sale.name} shows why it waits")
                self.assertIn("exception rules block", sale.inbound_order_ids[:1].error or "")

        self.env_run(check)

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def refs(self, prefix):
        return [f"{prefix}-{self.tag}-{index:02d}" for index in range(30)]

    def test_thirty_orders_in_one_call(self):
        code, warehouse_id = self.make_channel("one call", 10)
        results = self.import_orders(code, self.orders(self.refs("A")))
        self.assertEqual({r["result"] for r in results}, {"created"})
        self.run_jobs()
        self.assertStockTruth(code, warehouse_id, 10)

    def test_thirty_calls_from_five_callers(self):
        code, warehouse_id = self.make_channel("thirty calls", 10)
        calls = [[order] for order in self.orders(self.refs("B"))]
        results = self.callers(code, calls, threads=5)
        self.assertEqual(len(results), 30)
        self.assertEqual({r["result"] for r in results}, {"created"})
        self.run_jobs()
        self.assertStockTruth(code, warehouse_id, 10)

    def test_five_callers_of_six_orders_with_two_warehouses(self):
        """Two channels, each shipping from its own warehouse of 10 units,
        receive 30 orders each, in calls of six from five callers at once."""
        first, first_wh = self.make_channel("north", 10)
        second, second_wh = self.make_channel("south", 10)
        for code, prefix in ((first, "C"), (second, "D")):
            orders = self.orders(self.refs(prefix))
            calls = [orders[index : index + 6] for index in range(0, 30, 6)]
            self.assertEqual(len(self.callers(code, calls, threads=5)), 30)
        self.run_jobs()
        self.assertStockTruth(first, first_wh, 10)
        self.assertStockTruth(second, second_wh, 10)

    def test_a_running_confirmations_claim_counts_until_its_transaction_ends(self):
        """Confirmation jobs check the stock and claim it in a short
        transaction of their own, then confirm without holding the stock
        locks.  A job finding the locks taken waits for that short
        transaction and checks again once it committed; the units another
        confirmation claimed count while it runs, and no longer once it
        failed."""
        code, warehouse_id = self.make_channel("claims", 1)
        first, second = self.import_orders(code, self.orders(self.refs("E")[:2]))
        self.assertEqual({first["result"], second["result"]}, {"created"})

        def sale_of(env, result):
            return env["sale.order"].search([("name", "=", result["sale_order"])])

        running = self.registry.cursor()  # another confirmation, still running
        self.addCleanup(running.close)
        running.execute("SELECT txid_current()")
        owner = running.fetchone()[0]
        # its claiming transaction: it holds the locks and claims the last unit
        holder = self.registry.cursor()
        holder_env = api.Environment(holder, SUPERUSER_ID, {})
        holder_env["order.hub.stock.lock"]._lock_products(
            holder_env["product.product"].browse(self.product_id)
        )
        holder_env["order.hub.stock.claim"]._hub_claim(
            owner, sale_of(holder_env, second).id, warehouse_id, {self.product_id: 1.0}
        )

        def commit_later():
            time.sleep(1)
            holder.commit()
            holder.close()

        thread = threading.Thread(target=commit_later)
        thread.start()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sale = sale_of(env, first)
            sale._job_hub_channel_action("confirm", arrival=True)
            self.assertEqual(sale.state, "draft", "the running confirmation holds the last unit")
            self.assertIn(env.ref("order_hub.exception_rule_stock_short"), sale.exception_ids)
        thread.join(30)
        running.rollback()  # that confirmation failed: its claim no longer counts
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sale = sale_of(env, first)
            sale._job_hub_channel_action("confirm")
            self.assertEqual(sale.state, "sale")
        self.run_jobs()

        def check(env):
            sale = sale_of(env, first)
            self.assertEqual(sale.picking_ids.move_ids.mapped("state"), ["assigned"])

        self.env_run(check)
