from odoo import _, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            self._hub_fail_receivers()
        return result

    def _hub_fail_receivers(self):
        """A decryption job failed (retries exhausted, or a fault of the code):
        its receiver shows *Decrypt Failed* with the job's reason and a Retry
        button.  A deliberate sudo: the hub's own records follow their job."""
        for job in self.filtered(
            lambda j: j.model_name == "order.hub.receiver" and j.method_name == "_job_decrypt"
        ):
            for receiver in job.records.sudo().exists().filtered(lambda r: r.state == "encrypted"):
                receiver._hub_failed(
                    _(
                        "The job %(job)s gave up: %(reason)s",
                        job=job.uuid,
                        reason=(job.exc_message or job.exc_name or "").strip() or _("unknown error"),
                    )
                )
