from odoo import fields, models


class OrderHubTicketType(models.Model):
    _inherit = "order.hub.ticket.type"

    hub_customer_request = fields.Boolean(
        string="Customer Request",
        help="Tickets of this type are requests a customer made (by phone, chat or the tracking "
        "page); they count in the self-service rate's denominator.",
    )
