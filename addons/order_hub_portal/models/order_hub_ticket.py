from odoo import fields, models


class OrderHubTicket(models.Model):
    _inherit = "order.hub.ticket"

    hub_from_portal = fields.Boolean(
        string="From the Tracking Page", readonly=True, help="Raised by the customer on the tracking page."
    )
