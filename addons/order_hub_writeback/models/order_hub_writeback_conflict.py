from odoo import _, fields, models


class OrderHubWriteback(models.Model):
    """Nothing of a locked order goes to its platform: a push made while the
    order is locked (or whose job runs while it is) is held, and the
    supervisor's choice sends it (*Keep Ours and Push*, or once the order
    follows the platform's address) or drops it (the platform cancelled, or
    the parcel is intercepted)."""

    _inherit = "order.hub.writeback"

    state = fields.Selection(
        selection_add=[("held", "Held by a Conflict"), ("dropped", "Not Sent")],
        ondelete={"held": "set default", "dropped": "set default"},
    )

    def _hub_hold(self):
        for push in self.sudo():
            push.write(
                {
                    "state": "held",
                    "error": _(
                        "Held: order %(order)s is locked by a platform conflict; a supervisor decides.",
                        order=push.sale_order_id.name,
                    ),
                }
            )

    def _enqueue(self):
        held = self.filtered(lambda p: p.sudo().sale_order_id.hub_conflict_locked)
        held._hub_hold()
        return super(OrderHubWriteback, self - held)._enqueue()

    def _job_push_locked(self):
        push = self.sudo()
        if push.state == "pending" and push.sale_order_id.hub_conflict_locked:
            push._hub_hold()
            return push.error
        return super()._job_push_locked()
