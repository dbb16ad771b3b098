import traceback
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.order_hub.models.sale_order_rules import SaleOrder as RulesSaleOrder
from odoo.addons.queue_job.job import Job

from ..models.order_hub_order_importer import OrderHubOrderImporter
from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestErrorsByKind(ChannelsCommon):
    """Bad data fails the payload with its reason; a fault of the code fails
    the job and marks the payload "internal error", never as bad data."""

    def _run_failing(self, record):
        """Run a job as queue_job's runner does when it raises: roll back,
        then store the job failed with its traceback."""
        job = Job.load(self.env, record.uuid)
        job.set_started()
        with self.assertRaises(TypeError) as caught, self.env.cr.savepoint():
            job.perform()
        job.set_failed(
            exc_info="".join(traceback.format_exception(caught.exception)),
            exc_name="TypeError",
            exc_message=str(caught.exception),
        )
        job.store()
        return caught.exception

    def test_a_type_error_in_a_mapping_fails_the_job_not_the_payload_data(self):
        before = self.env["queue.job"].search([])
        record = self.store(canonical_order("E-1"))
        record._enqueue_import()
        job = self.new_jobs(before)
        self.assertEqual(job.method_name, "_job_import")

        def broken(importer, ctx, line):
            raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'Decimal'")

        with patch.object(OrderHubOrderImporter, "_prepare_line_vals", broken):
            self._run_failing(job)
        self.assertEqual(job.state, "failed")
        self.assertIn("TypeError", job.exc_info, "the traceback is kept for administrators")
        self.assertEqual(record.state, "error")
        self.assertEqual(record.job_id, job)
        self.assertIn(job.uuid, record.error)
        self.assertIn("not a problem of the platform's data", record.error)
        self.assertNotIn("NoneType", record.error, "the bug is not dressed up as a data problem")
        self.assertFalse(self.sale_orders("E-1"))
        # fixed: running the job again imports the payload
        job.requeue()
        self.run_jobs(job)
        self.assertEqual(record.state, "done")
        self.assertTrue(self.sale_orders("E-1"))

    def test_a_bug_in_the_confirmation_job_is_noted_on_the_payload_with_the_job(self):
        before = self.env["queue.job"].search([])
        record = self.store(canonical_order("E-5"))
        record._import_batch()
        job = self.new_jobs(before).filtered(lambda j: j.method_name == "_job_hub_channel_action")

        def broken(orders, confirm=None):
            raise TypeError("'NoneType' object is not iterable")

        with patch.object(RulesSaleOrder, "_hub_process_arrival", broken):
            self._run_failing(job)
        self.assertEqual(job.state, "failed")
        self.assertEqual(record.state, "done", "the payload was imported")
        self.assertEqual(record.job_id, job)
        self.assertIn(job.uuid, record.error)
        self.assertIn("not on the platform's data", record.error)
        self.assertNotIn("NoneType", record.error)

    def test_a_payload_with_an_internal_error_is_not_taken_by_another_batch(self):
        records = self.store(canonical_order("E-2"), canonical_order("E-3"))
        records[0].write({"state": "error"})
        self.assertFalse(records[1]._claim_pending(10))

    def test_bad_data_still_fails_the_payload_with_its_reason(self):
        record = self.store(canonical_order("E-4", skus=("NOPE-1",)))
        with mute_logger("odoo.addons.order_hub_channels.models.order_hub_order_importer"):
            record._import_batch()
        self.assertEqual(record.state, "failed")
        self.assertIn("Unknown SKU NOPE-1", record.error)
