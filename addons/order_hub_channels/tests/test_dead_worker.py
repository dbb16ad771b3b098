"""A worker dies in the middle of a job: queue_job's runner requeues the job
and it then runs to completion exactly once.

OCA queue_job 18.0 (4.x) no longer needs a cron for this: a worker running a
job holds a row lock on ``queue_job_lock`` in the job's transaction, and the
job runner, on every turn of its loop (``QueueJobRunner.run`` →
``Database.requeue_dead_jobs``), puts back to pending every job "enqueued"
or "started" for more than 10 s whose lock row nobody holds (its worker's
connection is gone), counting a retry (failed as ``JobFoundDead`` past
``max_retries``).  These tests run that very code of the runner against
committed transactions, as a deployed server has them; the dying worker is a
database connection ended with ``pg_terminate_backend``, which is what
PostgreSQL sees when a worker process is SIGKILLed.  The full-size crash
table (SIGKILL of a real worker, PostgreSQL restart, platform outage, server
killed) is tests/chaos/chaos.py.
"""

import threading
import uuid
from contextlib import closing

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.jobrunner.runner import Database, _connection_info_for

from .common import canonical_order, delete_committed_channel


def requeue_dead_jobs(db_name):
    """The job runner's own requeue (``Database.requeue_dead_jobs``), on an
    autocommit connection as the runner has it (without taking the runner's
    master lock, which a running server may hold)."""
    database = Database.__new__(Database)
    database.db_name = db_name
    database.conn = psycopg2.connect(**_connection_info_for(db_name))
    try:
        database.conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        database.requeue_dead_jobs()
    finally:
        database.close()


@tagged("post_install", "-at_install")
class TestDeadWorker(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.code = f"dw{uuid.uuid4().hex[:8]}"
        self.sku = f"DW-{self.code}"
        self.ref = f"DW-{uuid.uuid4().hex[:6]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"].create(
                {"name": "Dead worker part", "default_code": self.sku, "type": "consu"}
            )
            channel = env["order.hub.channel"].create(
                {"name": "Dead worker", "code": self.code, "platform": "shopify"}
            )
            record = env["order.hub.inbound.order"]._store_payloads(
                channel,
                [
                    canonical_order(
                        self.ref, skus=(self.sku,), status="unpaid", receiver={"phone": "13900000071"}
                    )
                ],
                source="rpc",
            )
            job = Job(record._job_import)
            job.store()
            self.record_id, self.job_uuid = record.id, job.uuid
            # as the runner does before it asks a worker to run the job
            # (set_job_enqueued), long enough ago for the requeue (10 s)
            cr.execute(
                "UPDATE queue_job SET state = 'enqueued', "
                "date_enqueued = (now() AT TIME ZONE 'utc') - INTERVAL '1 minute' WHERE uuid = %s",
                (job.uuid,),
            )
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM queue_job WHERE uuid = %s", (self.job_uuid,))
        delete_committed_channel(self.registry, self.code, self.sku, partner_phone_keys=("13900000071",))

    def job_row(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, retry, exc_name FROM queue_job WHERE uuid = %s", (self.job_uuid,))
            return cr.fetchone()

    def sale_orders(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return len(
                env["sale.order"].search(
                    [("channel_id.code", "=", self.code), ("channel_order_ref", "=", self.ref)]
                )
            )

    def worker_dies_mid_job(self):
        """A worker takes the job as queue_job's controller does (started,
        committed, lock row held), imports the order (not committed yet) and
        its connection dies.  While it lives, the runner leaves its job alone."""
        ready, die, outcome = threading.Event(), threading.Event(), {}

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    cr.execute("SELECT pg_backend_pid()")
                    outcome["pid"] = cr.fetchone()[0]
                    job = RunJobController._acquire_job(env, self.job_uuid)
                    outcome["acquired"] = bool(job)
                    env["order.hub.inbound.order"].browse(self.record_id)._job_import()
                    env.flush_all()
                    ready.set()
                    die.wait(30)
                    with mute_logger("odoo.sql_db"):
                        cr.execute("SELECT 1")  # the connection is gone by now
            except psycopg2.Error as error:
                outcome["error"] = error
            finally:
                ready.set()

        thread = threading.Thread(target=worker)
        thread.start()
        try:
            self.assertTrue(ready.wait(60))
            self.assertTrue(outcome.get("acquired"), outcome)
            self.assertEqual(self.job_row()[0], "started")
            requeue_dead_jobs(get_db_name())
            self.assertEqual(self.job_row()[:2], ("started", 0), "a job whose worker lives is left alone")
            with closing(self.registry.cursor()) as cr:
                cr.execute("SELECT pg_terminate_backend(%s)", (outcome["pid"],))
                self.assertTrue(cr.fetchone()[0])
        finally:
            die.set()
            thread.join(60)
        self.assertIsInstance(outcome.get("error"), psycopg2.OperationalError)

    def test_job_of_a_dead_worker_is_requeued_and_runs_once(self):
        self.worker_dies_mid_job()
        # the dead worker's import was never committed, its job stays "started"
        self.assertEqual(self.sale_orders(), 0)
        self.assertEqual(self.job_row()[0], "started")
        requeue_dead_jobs(get_db_name())
        self.assertEqual(self.job_row()[:2], ("pending", 1))
        # the runner hands it to a worker again: it runs to completion, once
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE queue_job SET state = 'enqueued', date_enqueued = now() AT TIME ZONE 'utc' "
                "WHERE uuid = %s",
                (self.job_uuid,),
            )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            job = RunJobController._acquire_job(env, self.job_uuid)
            self.assertTrue(job)
            RunJobController._runjob(env, job)
        # retry counts the attempts: the requeue counted the dead one
        self.assertEqual(self.job_row()[:2], ("done", 2))
        self.assertEqual(self.sale_orders(), 1)
        requeue_dead_jobs(get_db_name())
        self.assertEqual(self.job_row()[0], "done")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            record = env["order.hub.inbound.order"].browse(self.record_id)
            self.assertEqual((record.state, record.result), ("done", "created"))

    def test_started_job_without_a_worker_is_requeued(self):
        """A job left "started" with no worker holding it (e.g. the whole
        server was killed, so its lock row was never even taken) is requeued."""
        with self.registry.cursor() as cr:
            cr.execute("UPDATE queue_job SET state = 'started' WHERE uuid = %s", (self.job_uuid,))
        requeue_dead_jobs(get_db_name())
        self.assertEqual(self.job_row()[:2], ("pending", 1))

    def test_recent_job_is_not_requeued(self):
        """Enqueued less than 10 s ago: the worker may not have taken it yet."""
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE queue_job SET state = 'started', date_enqueued = now() AT TIME ZONE 'utc' "
                "WHERE uuid = %s",
                (self.job_uuid,),
            )
        requeue_dead_jobs(get_db_name())
        self.assertEqual(self.job_row()[:2], ("started", 0))

    def test_job_dying_again_and_again_fails_with_a_reason(self):
        """Past its max_retries a job whose workers keep dying is failed as
        JobFoundDead instead of killing worker after worker."""
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE queue_job SET state = 'started', retry = max_retries + 1 WHERE uuid = %s",
                (self.job_uuid,),
            )
        requeue_dead_jobs(get_db_name())
        state, _retry, exc_name = self.job_row()
        self.assertEqual((state, exc_name), ("failed", "JobFoundDead"))
        # the runner failed it in SQL: the payload is still pending, with no job to import it,
        # until the scheduled action marks it an internal error (with a Retry)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            record = env["order.hub.inbound.order"].browse(self.record_id)
            self.assertEqual(record.state, "pending")
            env.ref("order_hub_channels.ir_cron_order_hub_jobs_found_dead").method_direct_trigger()
            record.invalidate_recordset()
            self.assertEqual(record.state, "error")
            self.assertIn(self.job_uuid, record.error)
            self.assertEqual(record.job_id.uuid, self.job_uuid)
        self.assertEqual(self.sale_orders(), 0)
