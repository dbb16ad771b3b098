"""退差价: a price difference refunded to the customer of a hub order.

The request is checked before anything is written (a positive amount no
larger than what the customer paid minus what was already refunded, a reason
from the list), then makes an Odoo credit note (``out_refund``) for the
difference, posted, reversing the order's invoice when it has one. For a
platform order the refund the seller must also make on the platform is
recorded (*Platform Refund: To Make*). Above the company's approval amount the
request waits for a manager (an activity for the sales team's leader, else the
first Order Hub manager). Every step writes the order's audit trail.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, format_amount

REFUND_STATES = [
    ("draft", "Draft"),
    ("pending", "Waiting for Approval"),
    ("done", "Refunded"),
    ("rejected", "Rejected"),
]
REFUND_REASONS = [
    ("price_drop", "Price dropped after purchase"),
    ("promised_discount", "Promised discount not applied"),
    ("wrong_price", "Wrong price charged"),
    ("shipping_fee", "Shipping fee difference"),
    ("quality", "Partial compensation (quality)"),
    ("other", "Other"),
]
PLATFORM_REFUND_STATES = [("none", "Not Needed"), ("to_make", "To Make"), ("made", "Made")]
# channels of orders taken by people, not on a platform
NON_PLATFORM_SOURCES = (False, "phone", "wecom", "other")
COUNTED_STATES = ("pending", "done")  # requests that already take part of the paid amount
# set by the refund's own steps only (a request's state, its credit note, who approved it)
PROTECTED_FIELDS = frozenset(
    {"name", "state", "credit_note_id", "platform_refund_state", "requested_by_id", "approved_by_id"}
)
# what the agent asks: frozen once the request is submitted
REQUEST_FIELDS = frozenset({"order_id", "amount", "reason", "note"})


class OrderHubRefund(models.Model):
    _name = "order.hub.refund"
    _description = "Price Difference Refund"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", default="/", readonly=True, copy=False)
    order_id = fields.Many2one("sale.order", string="Order", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, string="Company")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id", string="Currency")
    amount = fields.Monetary(string="Amount", currency_field="currency_id", required=True, tracking=True)
    reason = fields.Selection(REFUND_REASONS, string="Reason", required=True)
    note = fields.Text(string="Details")
    state = fields.Selection(REFUND_STATES, default="draft", required=True, readonly=True, tracking=True)
    refundable_amount = fields.Monetary(
        string="Refundable",
        currency_field="currency_id",
        compute="_compute_refundable_amount",
        help="What the customer paid minus what was already refunded or is waiting for approval.",
    )
    needs_approval = fields.Boolean(compute="_compute_needs_approval")
    credit_note_id = fields.Many2one("account.move", string="Credit Note", readonly=True, copy=False)
    platform_refund_state = fields.Selection(
        PLATFORM_REFUND_STATES, string="Platform Refund", default="none", readonly=True, tracking=True
    )
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True
    )
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Integrity: the states and the approval are the steps' own business
    # ------------------------------------------------------------------
    def _hub_check_protected(self, vals):
        """Refuse a direct write of a state, credit note or approver (e.g. over
        RPC): only the steps below set them, on the request's behalf (sudo)."""
        if self.env.su:
            return
        forbidden = PROTECTED_FIELDS.intersection(vals)
        if forbidden:
            raise AccessError(
                _(
                    "A refund's state, credit note and approval are set by its buttons only (%(fields)s).",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hub_check_protected(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._hub_check_protected(vals)
        if not self.env.su and REQUEST_FIELDS.intersection(vals) and any(r.state != "draft" for r in self):
            raise UserError(_("A submitted refund can no longer be changed; ask a new one."))
        return super().write(vals)

    @api.depends("order_id", "amount")
    def _compute_refundable_amount(self):
        for refund in self:
            refund.refundable_amount = (
                refund.order_id._hub_refundable_amount(exclude=refund) if refund.order_id else 0.0
            )

    @api.depends("amount", "company_id")
    def _compute_needs_approval(self):
        for refund in self:
            threshold = refund.company_id.order_hub_refund_approval_amount
            refund.needs_approval = bool(
                threshold and float_compare(refund.amount, threshold, precision_digits=2) > 0
            )

    # ------------------------------------------------------------------
    # Guard
    # ------------------------------------------------------------------
    def _hub_refund_error_message(self):
        """The reason this request may not go on, or False."""
        self.ensure_one()
        order = self.order_id
        currency = self.currency_id
        if not order.hub_in_scope:
            return _("Order %(order)s is not an Order Hub order.", order=order.name)
        if order.state != "sale":
            return _("Only confirmed orders can be refunded; %(order)s is not.", order=order.name)
        if float_compare(self.amount, 0.0, precision_rounding=currency.rounding) <= 0:
            return _("The amount to refund must be greater than zero.")
        refundable = order._hub_refundable_amount(exclude=self)
        if float_compare(self.amount, refundable, precision_rounding=currency.rounding) > 0:
            return _(
                "At most %(max)s can be refunded on %(order)s: what the customer paid minus what "
                "was already refunded. %(amount)s is too much.",
                max=format_amount(self.env, refundable, currency),
                order=order.name,
                amount=format_amount(self.env, self.amount, currency),
            )
        return False

    def _hub_check(self):
        for refund in self:
            message = refund._hub_refund_error_message()
            if message:
                raise UserError(message)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Refund now, or ask a manager when above the company's approval amount."""
        for refund in self:
            if refund.state != "draft":
                raise UserError(_("This refund was already submitted."))
            refund._hub_check()
            if refund.name == "/":
                refund.sudo().name = self.env["ir.sequence"].next_by_code("order.hub.refund") or "/"
            if refund.needs_approval:
                refund.sudo().state = "pending"
                refund._hub_audit(_("Waiting for a manager's approval"))
                refund._hub_ask_approval()
            else:
                refund._hub_refund()
        return True

    def action_approve(self):
        if not self.env.user.has_group("order_hub.group_order_hub_manager"):
            raise UserError(_("Only an Order Hub manager can approve a refund."))
        for refund in self:
            if refund.state != "pending":
                raise UserError(_("Only refunds waiting for approval can be approved."))
            refund._hub_check()
            refund.sudo().approved_by_id = self.env.user
            refund.activity_ids.action_feedback(feedback=_("Approved"))
            refund._hub_refund()
        return True

    def action_reject(self):
        if not self.env.user.has_group("order_hub.group_order_hub_manager"):
            raise UserError(_("Only an Order Hub manager can reject a refund."))
        for refund in self.filtered(lambda r: r.state == "pending"):
            refund.sudo().state = "rejected"
            refund.activity_ids.action_feedback(feedback=_("Rejected"))
            refund._hub_audit(_("Rejected"))
        return True

    def action_platform_refund_made(self):
        for refund in self.filtered(lambda r: r.platform_refund_state == "to_make"):
            refund.sudo().platform_refund_state = "made"
            refund._hub_audit(_("Refund made on the platform"))
        return True

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------
    def _hub_refund(self):
        self.ensure_one()
        move = self._hub_create_credit_note()
        values = {"state": "done", "credit_note_id": move.id}
        if self.order_id.hub_source not in NON_PLATFORM_SOURCES:
            values["platform_refund_state"] = "to_make"
        self.sudo().write(values)
        self._hub_audit(
            _("Refunded %(amount)s, credit note %(move)s", amount=self._hub_amount_text(), move=move.name)
        )
        self.order_id.message_post(
            body=_(
                "Price difference refunded: %(amount)s (%(reason)s), credit note %(move)s.",
                amount=self._hub_amount_text(),
                reason=dict(self._fields["reason"]._description_selection(self.env))[self.reason],
                move=move.name,
            )
        )

    def _prepare_credit_note_vals(self):
        """Values of the credit note: one line for the difference, on the
        income account of the order's invoice (else the sales journal's)."""
        self.ensure_one()
        order = self.order_id.sudo()
        invoice = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")[
            :1
        ]
        journal = invoice.journal_id or self.env["account.journal"].sudo().search(
            [("type", "=", "sale"), ("company_id", "=", order.company_id.id)], limit=1
        )
        if not journal:
            raise UserError(_("The company has no sales journal: a credit note cannot be made."))
        product_line = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")[:1]
        account = product_line.account_id or journal.default_account_id
        reason = dict(self._fields["reason"]._description_selection(self.env))[self.reason]
        label = _("Price difference of %(order)s: %(reason)s", order=order.name, reason=reason)
        return {
            "move_type": "out_refund",
            "partner_id": (invoice.partner_id or order.partner_invoice_id).id,
            "journal_id": journal.id,
            "company_id": order.company_id.id,
            "currency_id": order.currency_id.id,
            "invoice_origin": order.name,
            "ref": self.name,
            "reversed_entry_id": invoice.id or False,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "name": label,
                        "quantity": 1.0,
                        "price_unit": self.amount,
                        "account_id": account.id,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }

    def _hub_create_credit_note(self):
        # customer service has no accounting rights: the request was checked
        # (role, bounds, approval), the credit note is made on its behalf
        move = self.env["account.move"].sudo().create(self._prepare_credit_note_vals())
        move.action_post()
        return move

    def _hub_amount_text(self):
        self.ensure_one()
        return format_amount(self.env, self.amount, self.currency_id)

    def _hub_audit(self, what):
        self.ensure_one()
        reason = dict(self._fields["reason"]._description_selection(self.env)).get(self.reason)
        self.env["order.hub.audit.log"]._record(
            self.order_id,
            "hub_refund_ids",
            False,
            f"{self.name} {self.amount:.2f} {self.currency_id.name or ''}",
            note=f"{what} ({reason})",
        )

    def _hub_approver(self):
        self.ensure_one()
        leader = self.order_id.team_id.user_id
        if leader and leader.has_group("order_hub.group_order_hub_manager"):
            return leader
        managers = self.env.ref("order_hub.group_order_hub_manager").users.filtered(
            lambda u: not u.share and self.company_id in u.company_ids
        )
        return managers[:1]

    def _hub_ask_approval(self):
        self.ensure_one()
        approver = self._hub_approver()
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Approve a refund of %(amount)s", amount=self._hub_amount_text()),
            note=_(
                "Order %(order)s: %(user)s asks to refund %(amount)s (above the approval amount).",
                order=self.order_id.name,
                user=self.requested_by_id.name,
                amount=self._hub_amount_text(),
            ),
            user_id=(approver or self.env.user).id,
        )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_refund_ids = fields.One2many(
        "order.hub.refund",
        "order_id",
        string="Price Refunds",
        groups="order_hub.group_order_hub_customer_service",
    )

    def _hub_paid_amount(self):
        """What the customer paid: the paid part of the posted invoices, or for an
        order paid on its platform (payment time known) its total."""
        self.ensure_one()
        invoices = self.sudo().invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        paid = sum(invoices.mapped(lambda m: m.amount_total - m.amount_residual))
        if self.hub_paid_at:
            paid = max(paid, self.amount_total)
        return paid

    def _hub_refunded_amount(self, exclude=None):
        """Credit notes posted on the order's invoices or made here, plus refunds waiting for approval."""
        self.ensure_one()
        requests = self.sudo().hub_refund_ids.filtered(lambda r: r.state in COUNTED_STATES)
        if exclude:
            requests -= exclude
        credit_notes = self.sudo().invoice_ids.filtered(
            lambda m: m.move_type == "out_refund" and m.state == "posted"
        )
        credit_notes -= requests.credit_note_id
        pending = requests.filtered(lambda r: r.state == "pending")
        return (
            sum(credit_notes.mapped("amount_total"))
            + sum(requests.credit_note_id.mapped("amount_total"))
            + sum(pending.mapped("amount"))
        )

    def _hub_refundable_amount(self, exclude=None):
        self.ensure_one()
        value = self._hub_paid_amount() - self._hub_refunded_amount(exclude=exclude)
        return 0.0 if float_is_zero(value, precision_rounding=self.currency_id.rounding) else max(value, 0.0)

    def action_hub_desk_refund(self):
        """退差价: the refund request of this order, checked when submitted."""
        self.ensure_one()
        self._hub_desk_check_agent()
        if self.state != "sale":
            raise UserError(_("Only confirmed orders can be refunded; %(order)s is not.", order=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Refund a Price Difference"),
            "res_model": "order.hub.refund",
            "view_mode": "form",
            "views": [(self.env.ref("order_hub.order_hub_refund_view_form").id, "form")],
            "target": "new",
            "context": {"default_order_id": self.id},
        }


class ResCompany(models.Model):
    _inherit = "res.company"

    order_hub_refund_approval_amount = fields.Float(
        string="Refund Approval Amount",
        default=200.0,
        help="A price difference refund above this amount waits for a manager's approval; 0: never.",
    )


class OrderHubSettings(models.TransientModel):
    _inherit = "order.hub.settings"

    refund_approval_amount = fields.Float(
        string="Refund Approval Amount",
        help="A price difference refund above this amount waits for a manager's approval; 0: never.",
    )
