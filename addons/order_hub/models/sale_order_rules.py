"""Order rules shared by the invoice, gift, health and duplicate checks.

Entry points other addons call:

* ``_hub_process_arrival()``: after an order arrived (channel import, phone
  order...): duplicate check, health score, review queue, and in surge mode
  (or with automatic confirmation on) the fast lane that confirms the order.
* ``_hub_exception_details()``: per-order explanation of an exception rule,
  shown in the list of exceptions of the order instead of the static rule
  description; extend it for new ``by_method`` rules.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

REVIEW_STATES = [
    ("none", "Not Needed"),
    ("pending", "To Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_review_state = fields.Selection(
        REVIEW_STATES,
        string="Review",
        default="none",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    hub_review_reason = fields.Text(string="Review Reason", copy=False, readonly=True)
    hub_surge_active = fields.Boolean(related="company_id.hub_surge_active", string="Surge Mode")
    hub_arrived_at = fields.Datetime(
        string="Arrived At",
        copy=False,
        readonly=True,
        index=True,
        help="When the order reached the hub; the surge rate counts these.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # set here rather than as a default, so orders existing before the
        # install are not counted as arriving at install time
        now = fields.Datetime.now()
        for vals in vals_list:
            vals.setdefault("hub_arrived_at", now)
        return super().create(vals_list)

    # -- exception list ----------------------------------------------------
    def _hub_exception_details(self):
        """Return ``{exception.rule id: text}`` explaining the rules that fired on this order."""
        self.ensure_one()
        return {}

    @api.depends("exception_ids", "ignore_exception")
    def _compute_exceptions_summary(self):
        super()._compute_exceptions_summary()
        blocking = _("(Blocking exception)")
        for order in self:
            if not order.exceptions_summary:
                continue
            details = order._hub_exception_details()
            items = Markup("").join(
                Markup("<li>%s: <i>%s</i> <b>%s</b></li>")
                % (
                    rule.name,
                    details.get(rule.id) or rule.description or "",
                    blocking if rule.is_blocking else "",
                )
                for rule in order.exception_ids
            )
            order.exceptions_summary = Markup("<ul>%s</ul>") % items

    # -- review queue ------------------------------------------------------
    def _hub_review_reasons(self):
        """Reasons (sentences) to hold this order for a manual review; extended per rule."""
        self.ensure_one()
        return []

    def _hub_send_to_review(self, reasons):
        for order in self:
            order.write({"hub_review_state": "pending", "hub_review_reason": "\n".join(reasons)})
            order._hub_after_review_requested(reasons)

    def _hub_after_review_requested(self, reasons):
        """Hook called when an order enters the review queue: it is held in the Exception stage."""
        self._hub_move_to("exception", reason="\n".join(reasons))

    def _hub_audited_fields(self):
        return super()._hub_audited_fields() + ["hub_review_state", "hub_is_suspected_duplicate"]

    def action_hub_review_approve(self):
        for order in self:
            if order.hub_review_state != "pending":
                raise UserError(_("Order %(order)s is not waiting for a review.", order=order.name))
        self.write({"hub_review_state": "approved"})
        result = self.action_confirm()
        # confirming does not take an order out of Exception by itself
        for order in self.filtered(lambda o: o.hub_stage_code == "exception"):
            order._hub_return_to_flow(reason=_("Review approved"))
        return result

    def action_hub_review_reject(self):
        for order in self:
            if order.hub_review_state != "pending":
                raise UserError(_("Order %(order)s is not waiting for a review.", order=order.name))
        self.write({"hub_review_state": "rejected"})
        return self._action_cancel()

    # -- arrival and fast lane ---------------------------------------------
    def _hub_process_arrival(self):
        """Apply the order rules to orders that just arrived.

        Orders with a reason to be reviewed (low health score, suspected
        duplicate) go to the review queue; the others are confirmed at once
        when surge mode or automatic confirmation is on.
        Returns the orders that were confirmed.
        """
        for company in self.company_id:
            self.env["order.hub.surge.log"]._hub_check_surge(company)
        confirmed = self.browse()
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            order._hub_flag_duplicate()
            reasons = order._hub_review_reasons()
            if reasons:
                order._hub_send_to_review(reasons)
            elif order.company_id.hub_surge_active or order.company_id.hub_auto_confirm:
                confirmed |= order._hub_fast_lane_confirm()
        return confirmed

    def _hub_assign_warehouse(self):
        """Give the order a warehouse before a fast-lane confirmation.

        Keeps a warehouse already chosen; otherwise the company's first one.
        Logistics routing may extend this.
        """
        for order in self.filtered(lambda o: not o.warehouse_id):
            order.warehouse_id = self.env["stock.warehouse"].search(
                [("company_id", "=", order.company_id.id)], limit=1
            )

    def _hub_fast_lane_confirm(self):
        """Confirm the order when no exception rule fires; returns it when confirmed.

        The exception rules are evaluated first in the current transaction so
        an order with exceptions stays a quotation, listed in the blocked
        orders, without raising.
        """
        self.ensure_one()
        exception_ids = self._get_exceptions()[0]
        if exception_ids:
            self.write({"exception_ids": [fields.Command.set(exception_ids)]})
            return self.browse()
        self._hub_assign_warehouse()
        try:
            with self.env.cr.savepoint():
                self.action_confirm()
        except UserError as error:
            self.message_post(body=_("Automatic confirmation failed: %(error)s", error=str(error)))
            return self.browse()
        return self
