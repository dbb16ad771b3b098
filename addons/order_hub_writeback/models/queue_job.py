from odoo import _, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "failed":
            self._hub_fail_writebacks()
        return result

    def _hub_fail_writebacks(self):
        """A write-back job failed (retries exhausted, or a fault of the code):
        its push shows as failed, with the job's reason, on the order and in
        the failures list.  A deliberate sudo: the hub's own records follow
        the life cycle of their job."""
        for job in self.filtered(
            lambda j: j.model_name == "order.hub.writeback" and j.method_name == "_job_push"
        ):
            pushes = job.records.sudo().exists().filtered(lambda p: p.state == "pending")
            for push in pushes:
                push._hub_failed(
                    _(
                        "The job %(job)s gave up: %(reason)s",
                        job=job.uuid,
                        reason=(job.exc_message or job.exc_name or "").strip() or _("unknown error"),
                    )
                )
