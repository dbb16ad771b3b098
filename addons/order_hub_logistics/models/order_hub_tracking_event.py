from odoo import fields, models

from odoo.addons.order_hub_logistics.carriers.kuaidi100 import STATE_LABELS

TRACKING_STATES = [(code, label) for code, label in STATE_LABELS.items()]


class OrderHubTrackingEvent(models.Model):
    """One scan of a shipment's tracking timeline, as Kuaidi100 reported it."""

    _name = "order.hub.tracking.event"
    _description = "Order Hub Tracking Event"
    _order = "event_time desc, id desc"

    picking_id = fields.Many2one("stock.picking", required=True, ondelete="cascade", index=True)
    sale_id = fields.Many2one(related="picking_id.sale_id", store=True, index=True)
    event_time = fields.Datetime(required=True)
    description = fields.Char(required=True)
    area = fields.Char()
    state_code = fields.Selection(TRACKING_STATES, string="Tracking State")

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE(picking_id, event_time, description)",
            "A tracking scan is stored once.",
        )
    ]
