from odoo import _, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            self._hub_fail_notifications()
        return result

    def _hub_fail_notifications(self):
        """A notification job gave up (retries exhausted, or a fault of the
        code): its row shows as failed with the job's reason (a deliberate
        sudo: the hub's own records follow their job)."""
        for job in self.filtered(
            lambda j: j.model_name == "order.hub.notification" and j.method_name == "_job_send"
        ):
            for row in job.records.sudo().exists().filtered(lambda r: r.state == "pending"):
                row._hub_failed(
                    _(
                        "The job %(job)s gave up: %(reason)s",
                        job=job.uuid,
                        reason=(job.exc_message or job.exc_name or "").strip() or _("unknown error"),
                    )
                )
