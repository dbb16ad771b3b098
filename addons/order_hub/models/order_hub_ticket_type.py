from odoo import _, api, fields, models
from odoo.exceptions import UserError


class OrderHubTicketType(models.Model):
    """A kind of order exception, with the standard way to handle it."""

    _name = "order.hub.ticket.type"
    _description = "Order Hub Exception Ticket Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical key used by other addons.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    handling_script = fields.Text(
        translate=True,
        help="The standard steps to handle this exception, shown on each ticket.",
    )
    deadline_hours = fields.Float(
        string="Deadline (working hours)",
        default=4.0,
        help="Default time to resolve a ticket of this type.",
    )
    moves_order_to_exception = fields.Boolean(
        string="Move Order to Exception",
        help="Opening a ticket of this type moves the order to the Exception "
        "stage; resolving the last one brings it back.",
    )
    order_tag_ids = fields.Many2many(
        "crm.tag",
        "order_hub_ticket_type_tag_rel",
        "type_id",
        "tag_id",
        string="Order Tags",
        help="Tags added to the order when a ticket of this type is opened.",
    )
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each ticket type code must be unique."),
    ]

    def _compute_ticket_count(self):
        counts = dict(
            self.env["order.hub.ticket"]._read_group([("type_id", "in", self.ids)], ["type_id"], ["__count"])
        )
        for ticket_type in self:
            ticket_type.ticket_count = counts.get(ticket_type, 0)

    @api.model
    def _get_by_code(self, code):
        """Return the ticket type with ``code`` (archived included) or raise."""
        ticket_type = self.with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not ticket_type:
            raise UserError(
                _(
                    "No exception ticket type has the code %(code)s: create it in "
                    "Order Hub > Configuration > Ticket Types.",
                    code=code,
                )
            )
        return ticket_type
