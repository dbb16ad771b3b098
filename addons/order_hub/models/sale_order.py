from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

# Main flow, in order: business events only ever move an order forward along it.
HUB_FLOW = ("to_confirm", "confirmed", "preparing", "shipped", "in_transit", "done")
# Physical facts that move an order even out of an exception stage.
HUB_PHYSICAL = ("shipped", "in_transit", "done")
SLA_STATUSES = [
    ("none", "No Clock"),
    ("on_time", "On Time"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]
ESCALATION_LEVELS = [
    ("none", "Not Escalated"),
    ("at_risk", "At Risk Alerted"),
    ("breached", "Breach Alerted"),
    ("ticket", "Ticket Opened"),
]
# kanban colour indexes: green, orange, red
SLA_COLORS = {"on_time": 10, "at_risk": 2, "breached": 1}
MOVE_CONTEXT_KEY = "order_hub_stage_move"
HUB_ROLE_GROUPS = (
    "order_hub.group_order_hub_customer_service,order_hub.group_order_hub_warehouse,"
    "order_hub.group_order_hub_integration"
)
CREATING_CONTEXT_KEY = "order_hub_creating_order"
LINES_VIA_ORDER_CONTEXT_KEY = "order_hub_lines_via_order"


class SaleOrder(models.Model):
    """Order Hub lifecycle on sale orders.

    Entry points for other addons (underscore-prefixed: not callable over RPC):

    * ``_hub_move_to(stage_code, source=None, reason=None)``: move by code,
      never refused, writes an audit line;
    * business events ``_hub_on_confirmed``, ``_hub_on_picking_reserved``,
      ``_hub_on_shipped``, ``_hub_on_carrier_pickup``, ``_hub_on_delivered``,
      ``_hub_on_cancelled``: move forward only, never backwards;
    * ``_hub_start_address_change`` / ``_hub_end_address_change``;
    * ``_hub_open_ticket(type_code, ...)``: idempotent exception ticket.

    Moves by people (kanban drag-and-drop, status bar, ``action_hub_move``)
    are checked against the stage's allowed next stages.
    """

    _inherit = "sale.order"

    hub_stage_id = fields.Many2one(
        "order.hub.stage",
        string="Hub Stage",
        index=True,
        copy=False,
        tracking=True,
        ondelete="restrict",
        group_expand="_read_group_hub_stage_ids",
        default=lambda self: self._default_hub_stage(),
    )
    hub_stage_code = fields.Char(related="hub_stage_id.code", string="Hub Stage Code")
    hub_previous_stage_id = fields.Many2one(
        "order.hub.stage", string="Previous Hub Stage", readonly=True, copy=False
    )
    hub_stage_entered_at = fields.Datetime(string="Entered Stage At", readonly=True, copy=False, index=True)
    hub_sla_deadline = fields.Datetime(
        string="SLA Deadline",
        compute="_compute_hub_sla_dates",
        store=True,
        help="When the order must leave its stage; only working hours count.",
    )
    hub_sla_risk_at = fields.Datetime(string="At Risk From", compute="_compute_hub_sla_dates", store=True)
    hub_ticket_due_at = fields.Datetime(
        string="Ticket Threshold", compute="_compute_hub_sla_dates", store=True
    )
    hub_sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        compute="_compute_hub_sla_status",
        search="_search_hub_sla_status",
    )
    hub_sla_color = fields.Integer(string="SLA Colour", compute="_compute_hub_sla_status")
    hub_stage_hours = fields.Float(string="Time in Stage (working hours)", compute="_compute_hub_stage_hours")
    hub_escalation_level = fields.Selection(
        ESCALATION_LEVELS, string="Escalation", default="none", readonly=True, copy=False
    )
    hub_ticket_ids = fields.One2many(
        "order.hub.ticket", "order_id", string="Exception Tickets", groups=HUB_ROLE_GROUPS
    )
    hub_open_ticket_count = fields.Integer(string="Open Tickets", compute="_compute_hub_open_tickets")
    hub_open_ticket_summary = fields.Char(string="Open Ticket", compute="_compute_hub_open_tickets")
    hub_audit_log_ids = fields.One2many(
        "order.hub.audit.log", "order_id", string="Audit Trail", readonly=True, groups=HUB_ROLE_GROUPS
    )

    # ------------------------------------------------------------------
    # Defaults, computes
    # ------------------------------------------------------------------
    @api.model
    def _default_hub_stage(self):
        return self.env["order.hub.stage"].search([("code", "=", "to_confirm")], limit=1)

    @api.model
    def _read_group_hub_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.depends(
        "hub_in_scope",
        "hub_stage_id",
        "hub_stage_entered_at",
        "hub_stage_id.sla_hours",
        "hub_stage_id.warning_percent",
        "hub_stage_id.ticket_after_hours",
        "hub_stage_id.calendar_id",
    )
    def _compute_hub_sla_dates(self):
        # orders of a batch enter a stage at the same moment (the transaction's
        # now): plan each (stage, start, hours) on the calendar once
        planned = {}

        def plan(stage, start, hours):
            key = (stage.id, start, hours)
            if key not in planned:
                planned[key] = stage._plan_working_hours(start, hours)
            return planned[key]

        for order in self:
            stage, start = order.hub_stage_id, order.hub_stage_entered_at
            if not order.hub_in_scope:
                # the stage follows every order, the clock only the hub's orders
                order.hub_sla_deadline = order.hub_sla_risk_at = order.hub_ticket_due_at = False
                continue
            if not stage or not start or not stage.sla_hours:
                order.hub_sla_deadline = order.hub_sla_risk_at = False
            else:
                ratio = min(max(stage.warning_percent, 0.0), 100.0) / 100.0
                order.hub_sla_deadline = plan(stage, start, stage.sla_hours)
                order.hub_sla_risk_at = plan(stage, start, stage.sla_hours * ratio) or start
            due = plan(stage, start, stage.ticket_after_hours) if stage and start else False
            order.hub_ticket_due_at = due

    @api.depends("hub_sla_deadline", "hub_sla_risk_at")
    def _compute_hub_sla_status(self):
        now = fields.Datetime.now()
        for order in self:
            status = order._hub_sla_status_at(now)
            order.hub_sla_status = status
            order.hub_sla_color = SLA_COLORS.get(status, 0)

    def _hub_sla_status_at(self, when):
        self.ensure_one()
        if not self.hub_sla_deadline:
            return "none"
        if when >= self.hub_sla_deadline:
            return "breached"
        if self.hub_sla_risk_at and when >= self.hub_sla_risk_at:
            return "at_risk"
        return "on_time"

    def _search_hub_sla_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Filter the SLA status with 'is' or 'is not' only."))
        values = [value] if isinstance(value, str) or not value else list(value)
        now = fields.Datetime.now()
        domains = {
            "none": [("hub_sla_deadline", "=", False)],
            "breached": [("hub_sla_deadline", "<=", now)],
            "at_risk": [("hub_sla_deadline", ">", now), ("hub_sla_risk_at", "<=", now)],
            "on_time": [
                ("hub_sla_deadline", ">", now),
                "|",
                ("hub_sla_risk_at", "=", False),
                ("hub_sla_risk_at", ">", now),
            ],
        }
        domain = expression.OR([domains[v] for v in values if v in domains] or [expression.FALSE_DOMAIN])
        if operator in ("!=", "not in"):
            domain = ["!", *expression.normalize_domain(domain)]
        return domain

    @api.depends("hub_stage_id", "hub_stage_entered_at")
    def _compute_hub_stage_hours(self):
        # one pass over each calendar for the whole page of orders (a list of
        # 80 orders, some in their stage for months, stays fast)
        now = fields.Datetime.now()
        by_calendar = {}
        for order in self:
            order.hub_stage_hours = 0.0
            if order.hub_stage_id and order.hub_stage_entered_at:
                calendar = order.hub_stage_id._get_calendar()
                by_calendar.setdefault(calendar, self.browse())
                by_calendar[calendar] |= order
        history = self.env["order.hub.stage.history"]
        for calendar, orders in by_calendar.items():
            hours = history._hub_working_hours_many(calendar, [(o.hub_stage_entered_at, now) for o in orders])
            for order, value in zip(orders, hours, strict=True):
                order.hub_stage_hours = value

    @api.depends("hub_ticket_ids.state", "hub_ticket_ids.type_id")
    def _compute_hub_open_tickets(self):
        for order in self:
            tickets = order.sudo().hub_ticket_ids.filtered(lambda t: t.state in ("open", "in_progress"))
            order.hub_open_ticket_count = len(tickets)
            order.hub_open_ticket_summary = ", ".join(f"{t.name} {t.type_id.name}" for t in tickets)

    # ------------------------------------------------------------------
    # CRUD: initial stage, manual moves, audit of key fields
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            vals.setdefault("hub_stage_entered_at", now)
        orders = super(SaleOrder, self.with_context(**{CREATING_CONTEXT_KEY: True})).create(vals_list)
        orders = orders.with_env(self.env)
        audit = self.env["order.hub.audit.log"]
        for order in orders.filtered("hub_stage_id"):
            audit._record(order, "hub_stage_id", False, order.hub_stage_id.name)
        self.env["order.hub.stage.history"]._hub_record_moves(orders.filtered("hub_stage_id"), now)
        orders.filtered(lambda o: o.state == "sale")._hub_on_confirmed()
        return orders

    def write(self, vals):
        manual_stage = None
        if "hub_stage_id" in vals and not self.env.context.get(MOVE_CONTEXT_KEY):
            vals = dict(vals)
            manual_stage = self.env["order.hub.stage"].browse(vals.pop("hub_stage_id"))
        snapshot = self._hub_audit_snapshot(vals)
        this = self.with_context(**{LINES_VIA_ORDER_CONTEXT_KEY: True}) if "order_line" in vals else self
        res = super(SaleOrder, this).write(vals)
        self._hub_audit_changes(snapshot)
        if manual_stage is not None:
            self._hub_move_manually(manual_stage)
        return res

    def _hub_audited_fields(self):
        """Extension point: fields of sale.order whose changes write an audit line."""
        names = (
            "partner_shipping_id",
            "partner_invoice_id",
            "warehouse_id",
            "carrier_id",
            "commitment_date",
            "payment_term_id",
            "pricelist_id",
            "fiscal_position_id",
            "client_order_ref",
        )
        return [name for name in names if name in self._fields]

    def _hub_audit_snapshot(self, vals):
        names = [name for name in self._hub_audited_fields() if name in vals]
        if "order_line" in vals:
            names.append("amount_total")
        if not names or not self.ids:
            return None
        return {order.id: {name: order._hub_format_field(name) for name in names} for order in self}

    def _hub_audit_changes(self, snapshot):
        if not snapshot:
            return
        audit = self.env["order.hub.audit.log"]
        for order in self:
            for name, old in snapshot.get(order.id, {}).items():
                new = order._hub_format_field(name)
                if new != old:
                    audit._record(order, name, old, new)

    def _hub_format_field(self, name):
        """A field's value as people read it in the audit trail."""
        self.ensure_one()
        value = self.sudo()[name]
        field = self._fields[name]
        if field.type == "many2one":
            if value._name == "res.partner" and value:
                address = (value.contact_address or "").strip().replace("\n", ", ")
                return f"{value.name} ({address})" if address else value.name
            return value.display_name or False
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value) or False
        if field.type == "monetary":
            return f"{value:.2f} {self.currency_id.name or ''}".strip()
        return value if value not in (None, False, "") else False

    # ------------------------------------------------------------------
    # Moves
    # ------------------------------------------------------------------
    def _hub_move_to(self, stage_code, source=None, reason=None):
        """Move the orders to the stage with ``stage_code`` and log it.

        Used by business events and other addons; never refused (allowed
        transitions only constrain people). Restarts the SLA clock and the
        escalation. ``source`` is the audit source (detected when None) and
        ``reason`` a note kept on the audit line.
        """
        stage = self.env["order.hub.stage"]._get_by_code(stage_code)
        now = fields.Datetime.now()
        audit = self.env["order.hub.audit.log"]
        moved = self.browse()
        for order in self:
            previous = order.hub_stage_id
            if previous == stage:
                continue
            moved |= order
            # the stage of an order outside the hub's scope is kept quietly:
            # no message in its chatter
            order.sudo().with_context(
                **{MOVE_CONTEXT_KEY: True, "mail_notrack": not order.hub_in_scope}
            ).write(
                {
                    "hub_stage_id": stage.id,
                    "hub_previous_stage_id": previous.id,
                    "hub_stage_entered_at": now,
                    "hub_escalation_level": "none",
                }
            )
            audit._record(
                order, "hub_stage_id", previous.name or False, stage.name, source=source, note=reason
            )
        # every stay in a stage, with its working hours (stage history)
        self.env["order.hub.stage.history"]._hub_record_moves(moved, now, source=source)
        return True

    def action_hub_move(self, stage_code=None):
        """Move by hand (button or RPC) to ``stage_code`` (or the context's
        ``hub_stage_code``), along the allowed transitions only."""
        code = stage_code or self.env.context.get("hub_stage_code")
        if not code:
            raise UserError(_("Say which stage to move the order to."))
        self.check_access("write")
        self._hub_move_manually(self.env["order.hub.stage"]._get_by_code(code))
        return True

    def _hub_move_manually(self, stage):
        for order in self:
            current = order.hub_stage_id
            if current == stage:
                continue
            if current and stage not in current.next_stage_ids:
                allowed = ", ".join(current.next_stage_ids.mapped("name")) or _("no other stage")
                raise UserError(
                    _(
                        "Order %(order)s is in %(current)s and can only be moved to: "
                        "%(allowed)s. Moving it to %(target)s is not allowed.",
                        order=order.name,
                        current=current.name,
                        allowed=allowed,
                        target=stage.name,
                    )
                )
            order._hub_apply_manual_move(stage)

    def _hub_apply_manual_move(self, stage):
        """A person moved the order: run the business action behind the
        stage when there is one, so stage and order never disagree."""
        self.ensure_one()
        if stage.code == "confirmed" and self.state in ("draft", "sent"):
            self.action_confirm()
            if self.state != "sale":
                raise UserError(
                    _(
                        "Order %(order)s could not be confirmed: resolve its exceptions first.",
                        order=self.name,
                    )
                )
            return
        if stage.code == "cancelled" and self.state != "cancel":
            self.with_context(disable_cancel_warning=True).action_cancel()
            return
        if stage.code == "address_change":
            self._hub_start_address_change(reason=_("Moved by hand"))
            return
        if stage.code == "shipped" and self.state == "sale":
            # shipped means the delivery is done: validate it, or say why not
            reason = self._hub_validate_deliveries()
            if reason:
                raise UserError(reason)
            if self.hub_stage_code == "shipped":
                return
        elif stage.code in ("in_transit", "done") and not self._hub_deliveries_done():
            raise UserError(
                _(
                    "Order %(order)s cannot be moved to %(target)s: its delivery is not done yet. "
                    "Mark it shipped first (its delivery is then validated).",
                    order=self.name,
                    target=stage.name,
                )
            )
        self._hub_move_to(stage.code, reason=_("Moved by hand"))

    # ------------------------------------------------------------------
    # Business events
    # ------------------------------------------------------------------
    def _hub_event_applies(self, code):
        self.ensure_one()
        current = self.hub_stage_code
        if current == code:
            return False
        if not current or code == "cancelled":
            return True
        if current == "cancelled":
            return self.state != "cancel"
        if current in HUB_FLOW:
            return code in HUB_FLOW and HUB_FLOW.index(code) > HUB_FLOW.index(current)
        return code in HUB_PHYSICAL

    def _hub_apply_event(self, code, source=None, reason=None):
        for order in self:
            if order._hub_event_applies(code):
                order._hub_move_to(code, source=source, reason=reason)
        return True

    def _hub_on_confirmed(self, source=None):
        """Event: the order was confirmed (called from ``_action_confirm``)."""
        self._hub_apply_event("confirmed", source=source)
        return True

    def _hub_on_picking_reserved(self, source=None):
        """Event: an outgoing picking of the order was reserved or started."""
        return self._hub_apply_event("preparing", source=source)

    def _hub_on_shipped(self, source=None):
        """Event: every outgoing picking of the order is done."""
        return self._hub_apply_event("shipped", source=source)

    def _hub_on_carrier_pickup(self, source=None, reason=None):
        """Event: the carrier's first scan of the parcel (logistics addon)."""
        return self._hub_apply_event("in_transit", source=source, reason=reason)

    def _hub_on_delivered(self, source=None, reason=None):
        """Event: the parcel was delivered and signed for (logistics addon)."""
        return self._hub_apply_event("done", source=source, reason=reason)

    def _hub_on_cancelled(self, source=None, reason=None):
        """Event: the order was cancelled (called from ``_action_cancel``)."""
        return self._hub_apply_event("cancelled", source=source, reason=reason)

    def _hub_start_address_change(self, reason=None, source=None):
        """Put the orders in Address change; the stage they came from is kept
        so that ``_hub_end_address_change`` can bring them back."""
        self.filtered(lambda o: o.hub_stage_code != "address_change")._hub_move_to(
            "address_change", source=source, reason=reason
        )
        return True

    def _hub_end_address_change(self, source=None, reason=None):
        """Bring orders in Address change back to the stage their business
        state calls for (never behind the stage they left)."""
        for order in self.filtered(lambda o: o.hub_stage_code == "address_change"):
            order._hub_return_to_flow(source=source, reason=reason)
        return True

    def _hub_return_to_flow(self, source=None, reason=None):
        self.ensure_one()
        target = self._hub_business_stage_code()
        previous = self.hub_previous_stage_id.code
        if previous in HUB_FLOW and target in HUB_FLOW and HUB_FLOW.index(previous) > HUB_FLOW.index(target):
            target = previous
        self._hub_move_to(target, source=source, reason=reason)

    def _hub_business_stage_code(self):
        """The stage the order's own facts (state, pickings) call for."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.state in ("draft", "sent"):
            return "to_confirm"
        pickings = self.sudo().picking_ids.filtered(
            lambda p: p.picking_type_code != "incoming" and p.state != "cancel"
        )
        outgoing = pickings.filtered(lambda p: p.picking_type_code == "outgoing")
        if outgoing and all(p.state == "done" for p in outgoing):
            return "shipped"
        if any(p.state in ("assigned", "done") or any(p.move_ids.mapped("picked")) for p in pickings):
            return "preparing"
        return "confirmed"

    def _hub_open_ticket(self, type_code, reason=None, assignee=None, deadline=None, **extra):
        """Open an exception ticket of ``type_code`` on the order and return it.

        Idempotent: an open (or in progress) ticket of the same type on the
        same order is returned instead of a new one. ``assignee`` is a
        res.users record, ``deadline`` a naive UTC datetime (default: the
        type's deadline hours on the order's working-hours calendar).
        """
        self.ensure_one()
        ticket_type = self.env["order.hub.ticket.type"]._get_by_code(type_code)
        tickets = self.env["order.hub.ticket"].sudo()
        existing = tickets.search(
            [
                ("order_id", "=", self.id),
                ("type_id", "=", ticket_type.id),
                ("state", "in", ("open", "in_progress")),
            ],
            limit=1,
        )
        if existing:
            return existing.with_env(self.env)
        if not deadline and ticket_type.deadline_hours:
            stage = self.hub_stage_id or self._default_hub_stage()
            now = fields.Datetime.now()
            deadline = stage._plan_working_hours(now, ticket_type.deadline_hours) if stage else False
        ticket = tickets.create(
            {
                "order_id": self.id,
                "type_id": ticket_type.id,
                "reason": reason or False,
                "user_id": assignee.id if assignee else False,
                "deadline": deadline or False,
                **extra,
            }
        )
        return ticket.with_env(self.env)

    def _hub_after_ticket_closed(self):
        """A ticket was resolved or cancelled: leave Exception when no open
        ticket still needs it."""
        for order in self.filtered(lambda o: o.hub_stage_code == "exception"):
            blocking = order.sudo().hub_ticket_ids.filtered(
                lambda t: t.state in ("open", "in_progress") and t.type_id.moves_order_to_exception
            )
            if not blocking:
                order._hub_return_to_flow(reason=_("Exception tickets closed"))

    # ------------------------------------------------------------------
    # Hooks into the sale flow
    # ------------------------------------------------------------------
    def _action_confirm(self):
        # before super: sale_stock reserves during super, and the order must
        # pass through Confirmed before Preparing
        self._hub_on_confirmed()
        return super()._action_confirm()

    def _action_cancel(self):
        res = super()._action_cancel()
        self.filtered(lambda o: o.state == "cancel")._hub_on_cancelled()
        return res

    def action_draft(self):
        reopened = self.filtered(lambda o: o.state == "cancel")
        res = super().action_draft()
        reopened.filtered(lambda o: o.state == "draft")._hub_move_to(
            "to_confirm", reason=_("Set back to quotation")
        )
        return res

    @api.model
    def _hub_assign_initial_stages(self):
        """Give orders that existed before Order Hub their business stage."""
        for order in self.with_context(active_test=False).search([("hub_stage_id", "=", False)]):
            order._hub_move_to(order._hub_business_stage_code())
