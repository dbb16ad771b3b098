from difflib import SequenceMatcher

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

TICKET_STATES = [
    ("open", "Open"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("open", "in_progress")
SUGGESTION_LIMIT = 3
SUGGESTION_CANDIDATES = 200


class OrderHubTicket(models.Model):
    """An order exception that must be handled, with its solution.

    A ticket cannot be resolved without a solution, the person who handled it
    and the time it was resolved (Python constraint and database CHECK), so
    the completeness of resolved tickets is 100% by construction. At most one
    ticket of a type is open per order (partial unique index).
    """

    _name = "order.hub.ticket"
    _description = "Order Hub Exception Ticket"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, deadline, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        "sale.order", string="Order", required=True, index=True, ondelete="cascade", tracking=True
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    type_id = fields.Many2one(
        "order.hub.ticket.type", string="Type", required=True, index=True, tracking=True
    )
    type_code = fields.Char(related="type_id.code")
    reason_option_ids = fields.Many2many(
        "order.hub.ticket.type",
        "order_hub_ticket_reason_option_rel",
        "ticket_id",
        "type_id",
        string="Reason Options",
        help="When set, the actual reason (type) must be one of these.",
    )
    reason = fields.Text()
    handling_script = fields.Text(related="type_id.handling_script")
    user_id = fields.Many2one("res.users", string="Assignee", index=True, tracking=True)
    deadline = fields.Datetime(tracking=True)
    stage_id = fields.Many2one(
        "order.hub.stage", string="Raised in Stage", readonly=True, ondelete="set null"
    )
    state = fields.Selection(TICKET_STATES, default="open", required=True, index=True, tracking=True)
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    solution = fields.Text(tracking=True)
    handled_by_id = fields.Many2one("res.users", string="Handled By", tracking=True)
    resolved_at = fields.Datetime(string="Resolved At", tracking=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")
    suggestion_ids = fields.Many2many(
        "order.hub.ticket",
        compute="_compute_suggestion_ids",
        string="Similar Solved Tickets",
        help="Resolved tickets of the same type most similar to this one.",
    )

    _sql_constraints = [
        (
            "resolution_complete",
            "CHECK(state != 'resolved' OR (solution IS NOT NULL AND solution != '' "
            "AND handled_by_id IS NOT NULL AND resolved_at IS NOT NULL))",
            "A resolved ticket needs a solution, the person who handled it and the time.",
        ),
    ]

    def init(self):
        # Two workers raising the same exception at once must not open two tickets.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS order_hub_ticket_one_open_per_type "
                "ON order_hub_ticket (order_id, type_id) WHERE state IN ('open', 'in_progress')"
            )
        )

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {state: index for index, (state, _label) in enumerate(TICKET_STATES)}
        for ticket in self:
            ticket.state_sequence = order.get(ticket.state, 0)

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.is_overdue = bool(
                ticket.state in OPEN_STATES and ticket.deadline and ticket.deadline < now
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("order.hub.ticket") or "/"
        tickets = super().create(vals_list)
        tickets._apply_type_effects()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if "type_id" in vals:
            self._apply_type_effects()
        if "state" in vals and vals["state"] not in OPEN_STATES:
            self.order_id._hub_after_ticket_closed()
        return res

    def _apply_type_effects(self):
        for ticket in self.filtered(lambda t: t.state in OPEN_STATES):
            order = ticket.order_id.sudo()
            # the desk's tags follow the open tickets (hub_desk_tag_ids), never stick on tag_ids
            tags = ticket.type_id.order_tag_ids - order._hub_desk_all_tags()
            if tags:
                order.tag_ids = [fields.Command.link(tag.id) for tag in tags]
            if ticket.type_id.moves_order_to_exception and order.hub_stage_code != "exception":
                ticket.order_id._hub_move_to("exception", reason=ticket.display_name)

    @api.constrains("state", "solution", "handled_by_id", "resolved_at")
    def _check_resolution(self):
        for ticket in self.filtered(lambda t: t.state == "resolved"):
            missing = [
                label
                for label, value in (
                    (_("a solution"), (ticket.solution or "").strip()),
                    (_("who handled it"), ticket.handled_by_id),
                    (_("when it was resolved"), ticket.resolved_at),
                )
                if not value
            ]
            if missing:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s cannot be resolved without %(missing)s: fill them in first.",
                        ticket=ticket.display_name,
                        missing=", ".join(missing),
                    )
                )

    @api.constrains("type_id", "reason_option_ids")
    def _check_reason_option(self):
        for ticket in self:
            if ticket.reason_option_ids and ticket.type_id not in ticket.reason_option_ids:
                raise ValidationError(
                    _(
                        "The reason of ticket %(ticket)s must be one of: %(options)s.",
                        ticket=ticket.display_name,
                        options=", ".join(ticket.reason_option_ids.mapped("name")),
                    )
                )

    def action_start(self):
        for ticket in self.filtered(lambda t: t.state == "open"):
            ticket.write({"state": "in_progress", "user_id": ticket.user_id.id or self.env.uid})
        return True

    def action_resolve(self):
        """Resolve with the solution written on the ticket; the current user
        becomes the handler unless one is set, and the time is now."""
        for ticket in self:
            if ticket.state not in OPEN_STATES:
                raise UserError(_("Ticket %(ticket)s is not open any more.", ticket=ticket.display_name))
            if not (ticket.solution or "").strip():
                raise UserError(
                    _(
                        "Write the solution of ticket %(ticket)s before resolving it.",
                        ticket=ticket.display_name,
                    )
                )
            ticket.write(
                {
                    "state": "resolved",
                    "handled_by_id": ticket.handled_by_id.id or self.env.user.id,
                    "resolved_at": fields.Datetime.now(),
                }
            )
        return True

    def action_cancel(self):
        self.filtered(lambda t: t.state in OPEN_STATES).write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self.filtered(lambda t: t.state in ("resolved", "cancelled")).write(
            {"state": "open", "resolved_at": False}
        )
        return True

    def action_use_solution(self):
        """Copy the solution of a suggested ticket onto the ticket in context."""
        self.ensure_one()
        target = self.browse(self.env.context.get("order_hub_target_ticket_id")).exists()
        if not target:
            raise UserError(_("Open a ticket first, then pick a suggested solution from it."))
        target.solution = self.solution
        return True

    @api.depends("type_id", "reason", "order_id")
    def _compute_suggestion_ids(self):
        for ticket in self:
            ticket.suggestion_ids = ticket._find_similar_resolved()

    def _find_similar_resolved(self, limit=SUGGESTION_LIMIT):
        """Resolved tickets of the same type ranked by similarity: text of the
        reason, shared products and same customer."""
        self.ensure_one()
        if not self.type_id:
            return self.browse()
        candidates = self.search(
            [
                ("type_id", "=", self.type_id.id),
                ("state", "=", "resolved"),
                ("id", "!=", self._origin.id or 0),
            ],
            order="resolved_at desc",
            limit=SUGGESTION_CANDIDATES,
        )
        if not candidates:
            return candidates
        products = set(self.order_id.order_line.product_id.ids)
        partner = self.order_id.partner_id.commercial_partner_id
        reason = (self.reason or "").lower()

        def score(candidate):
            value = SequenceMatcher(None, reason, (candidate.reason or "").lower()).ratio()
            other_products = set(candidate.order_id.order_line.product_id.ids)
            if products and other_products:
                value += 0.5 * len(products & other_products) / len(products | other_products)
            if partner and candidate.order_id.partner_id.commercial_partner_id == partner:
                value += 0.2
            return value

        ranked = sorted(candidates, key=lambda c: (-score(c), -c.id))
        return self.browse([c.id for c in ranked[:limit]])
