from odoo import fields, models

from .res_company import CS_GROUP

# stage entered -> event told to the customer
STAGE_EVENTS = {"confirmed": "confirmed", "shipped": "shipped", "in_transit": "shipped", "done": "delivered"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_notification_ids = fields.One2many(
        "order.hub.notification", "order_id", string="Customer Notifications", groups=CS_GROUP
    )

    def _hub_move_to(self, stage_code, source=None, reason=None):
        before = {order.id: order.hub_stage_id for order in self}
        result = super()._hub_move_to(stage_code, source=source, reason=reason)
        event = STAGE_EVENTS.get(stage_code)
        if event:
            entered = self.filtered(
                lambda o: o.hub_stage_code == stage_code and o.hub_stage_id != before.get(o.id)
            )
            if event == "shipped":
                # "shipped" tells the tracking number: without one it waits for it (stock.picking)
                entered = entered.filtered(lambda o: o._hub_notify_tracking_ref())
            self.env["order.hub.notification"]._hub_notify(entered, event)
        return result

    def _hub_notify_tracking_ref(self):
        self.ensure_one()
        return any(
            p.carrier_tracking_ref for p in self.sudo().picking_ids if p.picking_type_code == "outgoing"
        )
