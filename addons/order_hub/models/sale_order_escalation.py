import logging
import time

from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..notifiers.wecom_robot import RateWindow, WecomRobotClient, WecomRobotError, pack_lines

_logger = logging.getLogger(__name__)

LEVEL_RANK = {"none": 0, "at_risk": 1, "breached": 2, "ticket": 3}
WECOM_SENT_PARAM = "order_hub.wecom_sent.%s"


class SaleOrder(models.Model):
    """SLA escalation (scheduled action every 5 minutes) and the
    pay-to-confirm SLA (minutes from payment to Confirmed, working time)."""

    _inherit = "sale.order"

    hub_paid_at = fields.Datetime(
        string="Paid At",
        copy=False,
        help="When the customer paid; set by the sales channel.",
    )
    hub_confirmed_at = fields.Datetime(string="Hub Confirmed At", readonly=True, copy=False)
    hub_pay_confirm_minutes = fields.Float(
        string="Pay-to-Confirm (working minutes)",
        compute="_compute_hub_pay_confirm",
        store=True,
        aggregator="avg",
        help="Working minutes from payment to confirmation; nights (22:00-07:00) "
        "and holidays do not count.",
    )
    hub_pay_confirm_late = fields.Boolean(
        string="Confirmed Late", compute="_compute_hub_pay_confirm", store=True
    )
    hub_pay_confirm_attained = fields.Float(
        string="Pay-to-Confirm Attainment (%)",
        compute="_compute_hub_pay_confirm",
        store=True,
        aggregator="avg",
        help="100 for an order confirmed in time, 0 when late; its average is the attainment.",
    )

    # ------------------------------------------------------------------
    # Pay-to-confirm
    # ------------------------------------------------------------------
    @api.depends("hub_paid_at", "hub_confirmed_at", "company_id.order_hub_pay_confirm_minutes")
    def _compute_hub_pay_confirm(self):
        stage = self.env["order.hub.stage"].sudo().search([("code", "=", "to_confirm")], limit=1)
        for order in self:
            if not (order.hub_paid_at and order.hub_confirmed_at and stage):
                order.hub_pay_confirm_minutes = 0.0
                order.hub_pay_confirm_late = False
                order.hub_pay_confirm_attained = 0.0
                continue
            minutes = stage._working_hours_between(order.hub_paid_at, order.hub_confirmed_at) * 60
            late = minutes > (order.company_id.order_hub_pay_confirm_minutes or 15)
            order.hub_pay_confirm_minutes = round(minutes, 2)
            order.hub_pay_confirm_late = late
            order.hub_pay_confirm_attained = 0.0 if late else 100.0

    def _hub_on_confirmed(self, source=None):
        now = fields.Datetime.now()
        self.filtered(lambda o: not o.hub_confirmed_at).sudo().write({"hub_confirmed_at": now})
        return super()._hub_on_confirmed(source=source)

    @api.model
    def hub_pay_confirm_attainment(self, domain=None):
        """Pay-to-confirm attainment for dashboards: ``{"measured", "on_time",
        "percent"}`` over the orders of ``domain`` that have both times."""
        domain = [
            *(domain or []),
            ("hub_paid_at", "!=", False),
            ("hub_confirmed_at", "!=", False),
        ]
        measured = self.search_count(domain)
        late = self.search_count([*domain, ("hub_pay_confirm_late", "=", True)])
        on_time = measured - late
        return {
            "measured": measured,
            "on_time": on_time,
            "percent": round(100.0 * on_time / measured, 1) if measured else 0.0,
        }

    # ------------------------------------------------------------------
    # Escalation
    # ------------------------------------------------------------------
    @api.model
    def _cron_hub_escalate(self):
        """Scheduled action (every 5 minutes): alert at-risk and breached
        orders once per stage entry, open the stage's ticket past its second
        threshold, post a summary to each company's WeCom robot."""
        now = fields.Datetime.now()
        orders = self.search(
            [
                "|",
                "&",
                ("hub_sla_risk_at", "<=", now),
                ("hub_escalation_level", "in", ("none", "at_risk")),
                "&",
                ("hub_ticket_due_at", "<=", now),
                ("hub_escalation_level", "!=", "ticket"),
            ],
            order="hub_sla_deadline, id",
        )
        wecom_lines = {}
        for done, order in enumerate(orders):
            try:
                with self.env.cr.savepoint():
                    line = order._hub_escalate(now)
            except (UserError, ValidationError, UniqueViolation) as exc:
                # UniqueViolation: another worker opened the same ticket at once;
                # the order is escalated again on the next run
                _logger.warning("Order Hub escalation of %s failed: %s", order.name, exc)
                continue
            if line:
                wecom_lines.setdefault(order.company_id, []).append(line)
            if done % 50 == 49:
                self.env["ir.cron"]._notify_progress(done=done + 1, remaining=len(orders) - done - 1)
        for company, lines in wecom_lines.items():
            self._hub_post_wecom(company, lines)
        # the desk's time-bound flags (SLA at risk, gift promise passed)
        self._hub_desk_refresh()
        return True

    def _hub_escalate(self, now):
        """Escalate one order to the level its clock calls for; returns the
        WeCom line for a new alert, or None."""
        self.ensure_one()
        stage = self.hub_stage_id
        current = LEVEL_RANK[self.hub_escalation_level or "none"]
        target_level = self.hub_escalation_level or "none"
        status = self._hub_sla_status_at(now)
        line = None
        if status in ("at_risk", "breached") and LEVEL_RANK[status] > current:
            self._hub_alert(status)
            # the desk's tags follow their facts (hub_desk_tag_ids), never stick on tag_ids
            breach_tags = stage.breach_tag_ids - self._hub_desk_all_tags()
            if status == "breached" and breach_tags:
                self.sudo().tag_ids = [fields.Command.link(tag.id) for tag in breach_tags]
            target_level = status
            line = self._hub_for_robot()._hub_wecom_line(status)
        due = self.hub_ticket_due_at
        if stage.ticket_type_id and stage.ticket_after_hours and due and due <= now and current < 3:
            options = stage.ticket_reason_type_ids
            if options:
                options |= stage.ticket_type_id
            ticket = self._hub_open_ticket(
                stage.ticket_type_id.code,
                reason=_(
                    "%(stage)s for more than %(hours)s working hours.",
                    stage=stage.name,
                    hours=format(stage.ticket_after_hours, "g"),
                ),
                assignee=stage.ticket_user_id,
                reason_option_ids=[fields.Command.set(options.ids)],
                stage_id=stage.id,
            )
            target_level = "ticket"
            line = _(
                "%(line)s Ticket %(ticket)s opened.",
                line=self._hub_for_robot()._hub_wecom_line("breached"),
                ticket=ticket.name,
            )
        if target_level != self.hub_escalation_level:
            self.sudo().hub_escalation_level = target_level
        return line

    def _hub_alert(self, status):
        """An order at risk is shown on the desk (tag, colour, sort order), it
        gets no activity; a breach schedules one activity for the person
        responsible (see ``_hub_breach_user``). Never more than one open
        activity per order and cause: a breach while the order still has an
        open breach activity adds nothing."""
        self.ensure_one()
        order = self.sudo()
        at_risk_tag = self.env.ref("order_hub.crm_tag_sla_at_risk", raise_if_not_found=False)
        if status == "at_risk":
            if at_risk_tag:
                order.tag_ids = [fields.Command.link(at_risk_tag.id)]
            return
        if at_risk_tag and at_risk_tag in order.tag_ids:
            order.tag_ids = [fields.Command.unlink(at_risk_tag.id)]
        activity_type = self.env.ref("order_hub.mail_activity_type_sla_breach")
        if order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        user = self._hub_breach_user()
        if not user:
            return
        stage = self.hub_stage_id
        order.activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=fields.Date.context_today(self),
            summary=_("SLA breached: %(stage)s", stage=stage.name),
            note=_(
                "Order %(order)s has been in %(stage)s since %(since)s (UTC); "
                "its deadline was %(deadline)s (UTC).",
                order=self.name,
                stage=stage.name,
                since=self.hub_stage_entered_at,
                deadline=self.hub_sla_deadline,
            ),
            user_id=user.id,
        )

    def _hub_move_to(self, stage_code, source=None, reason=None):
        """A new stage restarts the clock: the order is no longer at risk, and
        the breach to-do of the stage it left is closed."""
        target = self.env["order.hub.stage"]._get_by_code(stage_code)
        moved = self.filtered(lambda o: o.hub_stage_id != target)
        res = super()._hub_move_to(stage_code, source=source, reason=reason)
        moved._hub_close_breach_activities(target)
        tag = self.env.ref("order_hub.crm_tag_sla_at_risk", raise_if_not_found=False)
        if tag:
            # the hub's own bookkeeping: the move may come from a stock user's
            # validation, who cannot read the order (like the move itself, sudo)
            orders = self.sudo()
            restarted = orders.filtered(lambda o: o.hub_escalation_level == "none" and tag in o.tag_ids)
            restarted.tag_ids = [fields.Command.unlink(tag.id)]
        return res

    def _hub_close_breach_activities(self, stage):
        """Mark done the open breach activities of orders that moved on to
        ``stage``, with a note, so the desk never shows a stale breach."""
        if not self:
            return
        activity_type = self.env.ref("order_hub.mail_activity_type_sla_breach")
        # the hub's own bookkeeping: the move may come from a user who
        # cannot read the activity of someone else (like the move, sudo)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        if activities:
            activities.action_feedback(
                feedback=_("Closed automatically: the order moved on to %(stage)s.", stage=stage.name)
            )

    def _hub_breach_user(self):
        """Who gets the breach activity: the order's salesperson, else its
        sales team's leader, else the first alert recipient of the stage.
        Extension point for other routing rules."""
        self.ensure_one()

        def human(users):
            return users.filtered(lambda u: u.active and not u.share and not u._is_superuser())[:1]

        return (
            human(self.user_id) or human(self.team_id.user_id) or human(self.hub_stage_id._get_alert_users())
        )

    def _hub_for_robot(self):
        """The order in the language of its company (the chat group's)."""
        return self.with_context(lang=self.company_id.partner_id.lang or self.env.lang)

    def _hub_wecom_line(self, status):
        self.ensure_one()
        label = _("SLA breached") if status == "breached" else _("SLA at risk")
        return _(
            "[%(label)s] %(order)s %(customer)s - %(stage)s, deadline %(deadline)s UTC",
            label=label,
            order=self.name,
            customer=self.partner_id.name or "",
            stage=self.hub_stage_id.name,
            deadline=self.hub_sla_deadline or "-",
        )

    @api.model
    def _hub_wecom_header(self):
        return _("Order Hub SLA alerts")

    @api.model
    def _hub_post_wecom(self, company, lines, header=None):
        """Post alert lines to the company's robot, at most 20 messages a
        minute (the window is kept in a system parameter across runs).
        ``header`` starts each message (default: the SLA alerts' header)."""
        url = company.sudo().order_hub_wecom_webhook_url
        if not url or not lines:
            return 0
        params = self.env["ir.config_parameter"].sudo()
        key = WECOM_SENT_PARAM % company.id
        window = RateWindow((params.get_param(key) or "").split())
        header = (
            header or self.with_context(lang=company.partner_id.lang or self.env.lang)._hub_wecom_header()
        )
        texts = pack_lines(lines, window.available(), header=header)
        sent = 0
        try:
            client = WecomRobotClient(url)
            for text in texts:
                if not window.take():
                    break
                client.send_text(text)
                sent += 1
        except WecomRobotError as exc:
            # the message never holds the URL (its key is a secret)
            _logger.warning("Order Hub: WeCom robot of %s: %s", company.name, exc)
        params.set_param(key, " ".join(f"{t:.3f}" for t in window.sent if time.time() - t < 60))
        return sent
