"""A job failing on a fault of the code, run by queue_job's own controller.

queue_job stores the failure from a second connection while the job's
connection is still open (``RunJobController._runjob``), and Order Hub's hook
then marks the payload "internal error" from that second connection: the job
must not hold row locks on its payloads at that moment, or the worker waits
for itself forever.  Committed transactions, as the runner has them.
"""

import threading
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job

from ..models.order_hub_order_importer import OrderHubOrderImporter
from .common import canonical_order


@tagged("post_install", "-at_install")
class TestJobFailure(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.code = f"jf{uuid.uuid4().hex[:8]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.channel_id = (
                env["order.hub.channel"]
                .create({"name": "Job failure", "code": self.code, "platform": "shopify"})
                .id
            )
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["order.hub.channel"].browse(self.channel_id).active = False

    def stored_started_job(self):
        """A received payload and its import job, committed, marked started
        (so that the test server's own runner leaves it to us)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            channel = env["order.hub.channel"].browse(self.channel_id)
            record = env["order.hub.inbound.order"]._store_payloads(
                channel, [canonical_order(f"JF-{uuid.uuid4().hex[:6]}")], source="rpc"
            )
            job = Job(record._job_import)
            job.set_started()
            job.store()
            return record.id, job.uuid

    def test_a_failing_import_job_is_stored_failed_and_its_payload_marked(self):
        record_id, job_uuid = self.stored_started_job()

        def broken(importer, ctx, line):
            raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'Decimal'")

        outcome = {}

        def run():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                job = Job.load(env, job_uuid)
                try:
                    RunJobController._runjob(env, job)
                except TypeError as error:  # queue_job re-raises after storing the failure
                    outcome["error"] = error

        with patch.object(OrderHubOrderImporter, "_prepare_line_vals", broken):
            worker = threading.Thread(target=run)
            worker.start()
            worker.join(60)
            hung = worker.is_alive()
            if hung:  # free the worker: end the connection waiting for its own job
                with self.registry.cursor() as cr:
                    cr.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                worker.join(60)
        self.assertFalse(hung, "the worker stored the failure without waiting for its own job")
        self.assertIsInstance(outcome.get("error"), TypeError)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            job = env["queue.job"].search([("uuid", "=", job_uuid)])
            record = env["order.hub.inbound.order"].browse(record_id)
            self.assertEqual(job.state, "failed")
            self.assertEqual(record.state, "error")
            self.assertEqual(record.job_id, job)
            self.assertNotIn("NoneType", record.error)
