from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            self._hub_mark_internal_errors()
        return result

    def _hub_mark_internal_errors(self):
        """An import job failed: bad data never fails a job (it fails its
        payload), so this is an internal error; the payload says so and links
        the job.  A deliberate sudo: the hub's own payload records follow the
        life cycle of their job, whoever stores it."""
        for job in self.filtered(
            lambda j: j.model_name == "order.hub.inbound.order" and j.method_name == "_job_import"
        ):
            job.records.sudo().exists()._mark_internal_error(job)
