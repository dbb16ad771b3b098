from datetime import timedelta

from odoo import _, api, fields, models

STATUS_JOBS = ("_job_hub_channel_action", "_job_hub_channel_action_reserve", "_job_hub_reserve")


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            self._hub_mark_internal_errors()
        return result

    def _hub_mark_internal_errors(self):
        """An import or platform-status job failed: bad data never fails a
        job (it fails its payload, or is noted on it), so this is an internal
        error; the payloads say so and link the job.  A deliberate sudo: the
        hub's own payload records follow the life cycle of their job, whoever
        stores it."""
        for job in self.filtered(
            lambda j: j.model_name == "order.hub.inbound.order" and j.method_name == "_job_import"
        ):
            job.records.sudo().exists()._mark_internal_error(job)
        for job in self.filtered(lambda j: j.model_name == "sale.order" and j.method_name in STATUS_JOBS):
            payloads = job.records.sudo().exists().inbound_order_ids.filtered(lambda r: r.state == "done")
            payloads.write(
                {
                    "job_id": job.id,
                    "error": _(
                        "Imported, but the job %(job)s that applies its platform status failed on an "
                        "internal error of Order Hub, not on the platform's data. An administrator "
                        "finds its traceback in Queue Jobs.",
                        job=job.uuid,
                    ),
                }
            )

    @api.model
    def _hub_cron_jobs_found_dead(self):
        """queue_job's runner fails a job whose workers kept dying
        (``JobFoundDead``, past its max_retries) with plain SQL, so the write
        hook above never sees it: its payloads would stay pending with no job
        to import them.  Every few minutes, the import jobs failed that way in
        the last week mark their still-pending payloads as internal errors
        (payloads already marked are left as they are)."""
        since = fields.Datetime.now() - timedelta(days=7)
        jobs = self.sudo().search(
            [
                ("state", "=", "failed"),
                ("exc_name", "=", "JobFoundDead"),
                ("model_name", "=", "order.hub.inbound.order"),
                ("method_name", "=", "_job_import"),
                ("date_created", ">=", since),
            ]
        )
        jobs._hub_mark_internal_errors()
        return jobs
