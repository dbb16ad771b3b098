from odoo import api, models

OUT_FOR_DELIVERY = "5"  # Kuaidi100 state 派件
SIGNED = "3"  # Kuaidi100 state 签收


class OrderHubTrackingEvent(models.Model):
    _inherit = "order.hub.tracking.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        notifications = self.env["order.hub.notification"]
        notifications._hub_notify(
            events.filtered(lambda e: e.state_code == OUT_FOR_DELIVERY).sale_id, "out_for_delivery"
        )
        notifications._hub_notify(events.filtered(lambda e: e.state_code == SIGNED).sale_id, "delivered")
        return events
