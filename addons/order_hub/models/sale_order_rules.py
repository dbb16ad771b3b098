"""Order rules shared by the invoice, gift, health and duplicate checks.

Entry points other addons call:

* ``_hub_process_arrival(confirm=None)``: the one arrival step of every new
  order (channel import job, RPC, orders typed in, spreadsheet rows):
  duplicate check, health score, review queue, then the confirmation of the
  orders the source asks for or, in surge mode (or with automatic
  confirmation on), the fast lane;
* ``_hub_confirm()``: the one batch confirmation (``action_confirm`` with
  savepoints and a per-order fallback) of the automatic paths;
* ``_hub_exception_details()``: per-order explanation of an exception rule,
  shown in the list of exceptions of the order instead of the static rule
  description; extend it for new ``by_method`` rules.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.base_exception.exceptions import BaseExceptionError

from .sale_order_gates import QUOTATION_STATES

# channels of orders typed in by customer service: they arrive when saved
HAND_SOURCES = ("phone", "wecom")
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
        orders = super().create(vals_list)
        arriving = orders._hub_arrives_on_create()
        if arriving:
            arriving._hub_process_arrival()
        return orders

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
    def _hub_process_arrival(self, confirm=None):
        """The one arrival step of new orders, whatever their source.

        Duplicate check, health score and review queue first: orders with a
        reason to be reviewed (suspected duplicate, low score) wait in the
        review queue.  The others are confirmed through ``_hub_confirm``:
        ``confirm`` are the orders whose source asks for their confirmation
        (a platform's paid status); without it (orders typed in, spreadsheet
        rows) the company's fast lane decides: surge mode or automatic
        confirmation.  Callers: the channel import job (order_hub_channels),
        ``create`` of orders typed in by hand (``_hub_arrives_on_create``).
        Returns the orders that were confirmed.
        """
        for company in self.company_id:
            self.env["order.hub.surge.log"]._hub_check_surge(company)
        quotations = self.filtered(lambda o: o.state in QUOTATION_STATES)
        held = quotations._hub_apply_review_rules()
        candidates = quotations.filtered(lambda o: o.hub_review_state in ("none", "approved")) - held
        if confirm is None:
            candidates = candidates.filtered(
                lambda o: o.company_id.hub_surge_active or o.company_id.hub_auto_confirm
            )
        else:
            candidates &= confirm
        candidates._hub_assign_warehouse()
        candidates._hub_confirmation_refused(*candidates._hub_confirm())
        return candidates.filtered(lambda o: o.state == "sale")

    def _hub_apply_review_rules(self):
        """Flag duplicates and send the orders that have a reason to the review
        queue; returns them.  Orders a reviewer already decided are left alone."""
        waiting = self.filtered(lambda o: o.hub_review_state == "none")
        waiting._hub_flag_duplicate()
        held = self.browse()
        for order in waiting:
            reasons = order._hub_review_reasons()
            if reasons:
                order._hub_send_to_review(reasons)
                held |= order
        return held

    def _hub_arrives_on_create(self):
        """The new orders whose arrival step runs when they are saved: orders
        typed in by customer service (phone, WeCom chat) and spreadsheet rows
        with such a channel.  Extension hook: orders created by a channel
        import arrive in the import's confirmation job instead."""
        return self.filtered(lambda o: o.hub_source in HAND_SOURCES and o.state in QUOTATION_STATES)

    def _hub_assign_warehouse(self):
        """Give the order a warehouse before a fast-lane confirmation.

        Keeps a warehouse already chosen; otherwise the company's first one.
        Logistics routing chooses again under the stock locks at confirmation.
        """
        for order in self.filtered(lambda o: not o.warehouse_id):
            order.warehouse_id = self.env["stock.warehouse"].search(
                [("company_id", "=", order.company_id.id)], limit=1
            )

    def _hub_confirmation_refused(self, blocked, failed):
        """Hook after ``_hub_confirm`` on an automatic path: ``blocked`` orders
        stay quotations with their exceptions listed; ``failed`` maps orders
        to the reason another guard refused them, noted on the order."""
        for order, reason in failed.items():
            order.message_post(body=_("Automatic confirmation failed: %(error)s", error=reason))

    def _hub_confirm(self):
        """Confirm these orders through ``action_confirm``, together when they can.

        The one confirmation of automatic paths (fast lane, channel jobs): the
        orders are confirmed in one call; when an exception rule
        (``sale_exception``) or another guard refuses, each order is confirmed
        alone in a savepoint, so that one refused order does not stop the
        others.  Exceptions are detected in the current transaction
        (``hub_exceptions_inline``) and listed again on the refused orders.
        Only refusals are caught (UserError and its subclasses); anything
        else is a fault of the code or the database and propagates.
        Returns (orders the exception rules keep as quotations,
        {order: reason another guard refused it}).
        """
        blocked, failed = self.browse(), {}
        drafts = self.filtered(lambda o: o.state in QUOTATION_STATES).with_context(hub_exceptions_inline=True)
        if not drafts:
            return blocked, failed
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                drafts.action_confirm()
            return blocked, failed
        except BaseExceptionError:
            if len(drafts) == 1:
                blocked = drafts
        except UserError as error:
            if len(drafts) == 1:
                failed[drafts] = str(error)
        for order in drafts - blocked - drafts.browse([o.id for o in failed]):
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    order.action_confirm()
            except BaseExceptionError:
                blocked |= order
            except UserError as error:
                failed[order] = str(error)
        # the refused confirmations were rolled back, and with them the
        # exceptions written in this transaction: list them on the orders again
        blocked._hub_record_exceptions()
        env_failed = {order.with_env(self.env): reason for order, reason in failed.items()}
        return blocked.with_env(self.env), env_failed
