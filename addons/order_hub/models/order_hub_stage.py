from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DEFAULT_CALENDAR_XMLID = "order_hub.resource_calendar_order_hub"


class OrderHubStage(models.Model):
    """A visible step of the order lifecycle, with its SLA clock.

    Stages are data (``order_hub_stage_data.xml``, noupdate) that managers may
    edit: thresholds, recipients and ticket types live here, not in code. The
    ``code`` is the stable key business events use (see
    ``sale.order._hub_move_to``).
    """

    _name = "order.hub.stage"
    _description = "Order Hub Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key used by business events and other addons.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(string="Folded in Kanban")
    is_exception = fields.Boolean(
        string="Exception Stage",
        help="Orders in this stage left the normal flow and need a person.",
    )
    desk_attention = fields.Boolean(
        string="Customer Service Acts Here",
        help="Orders in this stage are on the customer-service desk even when nothing is late "
        "(e.g. orders to confirm, exceptions, address changes). In the other stages an order is on the "
        "desk only while one of its desk tags or an open ticket calls for an agent.",
    )
    description = fields.Text(translate=True)
    sla_hours = fields.Float(
        string="SLA (working hours)",
        help="Working hours an order may stay in this stage; 0 means no clock.",
    )
    warning_percent = fields.Float(
        string="At Risk From (%)",
        default=80.0,
        help="Share of the SLA after which the order is shown and alerted as at risk.",
    )
    ticket_after_hours = fields.Float(
        string="Ticket After (working hours)",
        help="Second threshold: after this many working hours in the stage an "
        "exception ticket is opened. 0 means never.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        default=lambda self: self.env.ref(DEFAULT_CALENDAR_XMLID, raise_if_not_found=False),
        help="Nights and holidays (leaves of this calendar) do not count in the SLA.",
    )
    next_stage_ids = fields.Many2many(
        "order.hub.stage",
        "order_hub_stage_next_rel",
        "stage_id",
        "next_stage_id",
        string="Allowed Next Stages",
        help="Stages a user may move an order to by hand from this stage.",
    )
    alert_group_id = fields.Many2one(
        "res.groups",
        string="Alert Group",
        help="Its users get an activity when an order is at risk or breached.",
    )
    alert_user_ids = fields.Many2many(
        "res.users",
        "order_hub_stage_alert_user_rel",
        "stage_id",
        "user_id",
        string="Alert Users",
        help="Alerted instead of the alert group's users when set.",
    )
    ticket_type_id = fields.Many2one(
        "order.hub.ticket.type",
        string="Ticket Type on Breach",
    )
    ticket_reason_type_ids = fields.Many2many(
        "order.hub.ticket.type",
        "order_hub_stage_reason_type_rel",
        "stage_id",
        "type_id",
        string="Reason Options",
        help="Ticket types the assignee may choose from as the actual reason.",
    )
    ticket_user_id = fields.Many2one(
        "res.users",
        string="Ticket Assignee",
        help="Who gets the ticket opened on breach, e.g. the purchasing manager.",
    )
    breach_tag_ids = fields.Many2many(
        "crm.tag",
        "order_hub_stage_breach_tag_rel",
        "stage_id",
        "tag_id",
        string="Tags on Breach",
        help="Tags added to an order that breaches this stage's SLA.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each stage code must be unique."),
        (
            "sla_positive",
            "CHECK(sla_hours >= 0 AND ticket_after_hours >= 0)",
            "SLA hours and ticket hours cannot be negative.",
        ),
    ]

    @api.model
    def _get_by_code(self, code):
        """Return the stage with ``code`` (archived included) or raise."""
        stage = self.with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not stage:
            raise UserError(
                _(
                    "No Order Hub stage has the code %(code)s: restore it in "
                    "Order Hub > Configuration > Stages.",
                    code=code,
                )
            )
        return stage

    def _get_calendar(self):
        self.ensure_one()
        return self.calendar_id or self.env.ref(DEFAULT_CALENDAR_XMLID, raise_if_not_found=False)

    def _plan_working_hours(self, start, hours):
        """Naive UTC datetime ``hours`` working hours after ``start`` (naive UTC)."""
        self.ensure_one()
        if not start or not hours:
            return False
        calendar = self._get_calendar()
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.sudo().plan_hours(hours, start, compute_leaves=True) or False

    def _working_hours_between(self, start, end):
        """Working hours between two naive UTC datetimes (0 when end <= start)."""
        self.ensure_one()
        if not start or not end or end <= start:
            return 0.0
        calendar = self._get_calendar()
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.sudo().get_work_hours_count(start, end, compute_leaves=True)

    def _get_alert_users(self):
        self.ensure_one()
        users = self.alert_user_ids or self.alert_group_id.sudo().users
        return users.filtered(lambda u: u.active and not u.share)
