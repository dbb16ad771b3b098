from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger

from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER
from odoo.addons.order_hub_logistics.carriers import errors as carrier_errors

from .sale_order import FROM_PLATFORM_CONTEXT_KEY

CONFLICT_KINDS = [
    ("cancelled_after_shipment", "Cancelled on the Platform, Shipped Here"),
    ("shipped_not_done", "Shipped on the Platform, Delivery Open Here"),
    ("address_after_waybill", "Address Changed After the Waybill"),
]
CONFLICT_STATES = [("open", "Open"), ("resolved", "Resolved")]
CONFLICT_CHOICES = [
    ("follow", "Follow the Platform"),
    ("keep", "Keep Ours and Push"),
    ("intercept", "Intercept the Parcel"),
]
# carriers whose connector can redirect a collected parcel (order_hub_logistics)
REDIRECTING_CARRIERS = ("sf_express", "zto")


class OrderHubConflict(models.Model):
    """A platform state that contradicts Odoo's, waiting for a supervisor.

    While a conflict is open its order is locked (``hub_conflict_locked``):
    platform statuses, carrier scans and the SLA escalation do not move it
    and nothing of it is written back; people's own actions in Odoo stay
    possible.  The platform's data is kept here as received, never applied
    silently.  A supervisor resolves it with one of three choices:
    follow the platform, keep ours and push it, intercept the parcel.

    At most one open conflict of a kind per order: a partial unique index
    (``init``), so that two jobs importing the same order at the same moment
    open it once."""

    _name = "order.hub.conflict"
    _description = "Platform Conflict"
    _inherit = ["mail.thread"]
    _order = "state, id desc"

    name = fields.Char(required=True, readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order", "Order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    channel_id = fields.Many2one(related="sale_order_id.channel_id", store=True, string="Sales Channel")
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True)
    kind = fields.Selection(CONFLICT_KINDS, required=True, readonly=True)
    state = fields.Selection(CONFLICT_STATES, required=True, readonly=True, default="open", index=True)
    platform_state = fields.Text("On the Platform", readonly=True)
    odoo_state = fields.Text("In Odoo", readonly=True)
    platform_data = fields.Text("Platform Data", readonly=True, help="The platform's payload as received.")
    inbound_order_id = fields.Many2one("order.hub.inbound.order", "Received Payload", readonly=True)
    platform_partner_id = fields.Many2one(
        "res.partner", "Platform's Address", readonly=True, help="The address the platform now has."
    )
    choice = fields.Selection(CONFLICT_CHOICES, readonly=True)
    resolution = fields.Text("What Was Done", readonly=True)
    resolved_by_id = fields.Many2one("res.users", "Resolved By", readonly=True)
    resolved_at = fields.Datetime("Resolved At", readonly=True)
    intercept_requested_at = fields.Datetime("Interception Requested At", readonly=True)

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS order_hub_conflict_open_unique "
                "ON order_hub_conflict (sale_order_id, kind) WHERE state = 'open'"
            )
        )

    # ------------------------------------------------------------------
    # opening
    # ------------------------------------------------------------------
    @api.model
    def _hub_open(self, order, kind, payload=None, platform_partner=None, note=None):
        """Open the conflict ``kind`` on ``order`` (the hub's own record: sudo)
        and lock the order; an open one of that kind gets the new data in its
        chatter instead.  Returns the conflict (empty when another transaction
        opened it at the same moment: that one stands)."""
        conflicts = self.sudo()
        order = order.sudo()
        payload = payload if payload is not None else order._hub_latest_payload()
        existing = conflicts.search(
            [("sale_order_id", "=", order.id), ("kind", "=", kind), ("state", "=", "open")], limit=1
        )
        if existing:
            existing._hub_note_later(note or _("The platform sent this order again."), payload)
            return existing
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]
        vals = {
            "name": f"{order.name} / {label}",
            "sale_order_id": order.id,
            "kind": kind,
            "platform_state": conflicts._hub_platform_text(order, payload, platform_partner, note),
            "odoo_state": conflicts._hub_odoo_text(order),
            "platform_data": payload.payload if payload else False,
            "inbound_order_id": payload.id if payload else False,
            "platform_partner_id": platform_partner.id if platform_partner else False,
        }
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                conflict = conflicts.create(vals)
        except UniqueViolation:
            return conflicts.browse()
        self.env["order.hub.audit.log"]._record(
            order, "hub_conflict_locked", _("Not locked"), _("Locked: %(kind)s", kind=label), note=note
        )
        return conflict

    def _hub_note_later(self, note, payload=None):
        """Keep what the platform sent while the order is locked, without applying it."""
        for conflict in self:
            body = note
            if payload:
                body = _("%(note)s (received payload %(payload)s)", note=note, payload=payload.display_name)
            conflict.sudo().message_post(body=body)

    @api.model
    def _hub_platform_text(self, order, payload, platform_partner=None, note=None):
        lines = []
        if note:
            lines.append(note)
        lines.append(
            _(
                "Platform status: %(status)s (%(fulfilment)s)",
                status=order.platform_status or "-",
                fulfilment=order._hub_format_field("channel_fulfilment") or "-",
            )
        )
        if platform_partner:
            lines.append(_("Address: %(address)s", address=_address(platform_partner)))
        if payload:
            lines.append(_("Received at %(when)s (UTC)", when=fields.Datetime.to_string(payload.received_at)))
        return "\n".join(lines)

    @api.model
    def _hub_odoo_text(self, order):
        lines = [
            _(
                "Order: %(state)s, stage %(stage)s",
                state=order._hub_format_field("state"),
                stage=order.hub_stage_id.name or "-",
            ),
            _("Address: %(address)s", address=_address(order.partner_shipping_id)),
        ]
        for picking in order._hub_outgoing_pickings():
            lines.append(
                _(
                    "Delivery %(picking)s: %(state)s, waybill %(waybill)s",
                    picking=picking.name,
                    state=dict(picking._fields["state"]._description_selection(self.env))[picking.state],
                    waybill=picking.carrier_tracking_ref or "-",
                )
            )
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # the supervisor's choices
    # ------------------------------------------------------------------
    def action_follow_platform(self):
        return self._hub_resolve("follow")

    def action_keep_ours(self):
        return self._hub_resolve("keep")

    def action_intercept(self):
        return self._hub_resolve("intercept")

    def _hub_resolve(self, choice):
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only Order Hub managers can resolve a conflict."))
        label = dict(self._fields["choice"]._description_selection(self.env))[choice]
        for conflict in self.sudo():
            if conflict.state != "open":
                raise UserError(_("Conflict %(name)s is already resolved.", name=conflict.name))
            order = conflict.sale_order_id
            conflict.write(
                {
                    "state": "resolved",
                    "choice": choice,
                    "resolved_by_id": self.env.uid,
                    "resolved_at": fields.Datetime.now(),
                }
            )
            conflict.flush_recordset()
            # the order is unlocked (unless another conflict stays open) before
            # the choice runs: its actions are the supervisor's, not automatic
            done = getattr(conflict, f"_hub_{choice}")()
            conflict.resolution = done
            kind = dict(self._fields["kind"]._description_selection(self.env))[conflict.kind]
            self.env["order.hub.audit.log"]._record(
                order,
                "hub_conflict_locked",
                _("Locked: %(kind)s", kind=kind),
                _("Still locked") if order.hub_conflict_locked else _("Not locked"),
                note=_("%(choice)s: %(done)s", choice=label, done=done),
            )
            body = _(
                "Conflict resolved by %(user)s: %(choice)s. %(done)s",
                user=self.env.user.name,
                choice=label,
                done=done,
            )
            conflict.message_post(body=body)
            order.message_post(body=_("%(name)s: %(body)s", name=conflict.name, body=body))
        return True

    def _hub_pushes(self, states):
        return self.sale_order_id.hub_writeback_ids.filtered(lambda p: p.state in states)

    def _hub_release_pushes(self):
        held = self._hub_pushes(("held",))
        held.write({"state": "pending", "error": False})
        held._enqueue()
        return held

    def _hub_drop_pushes(self, reason):
        held = self._hub_pushes(("held",))
        held.write({"state": "dropped", "error": reason})
        return held

    # -- follow the platform ------------------------------------------------
    def _hub_follow(self):
        return getattr(self, f"_hub_follow_{self.kind}")()

    def _hub_follow_cancelled_after_shipment(self):
        """The platform cancelled (or refunded) a shipped order: start the
        return of its done deliveries (Odoo's return, waiting for the goods);
        the shipment pushes held meanwhile are not sent."""
        order = self.sale_order_id
        returns = self.env["stock.picking"]
        for picking in order._hub_outgoing_pickings().filtered(lambda p: p.state == "done"):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking", active_ids=picking.ids)
                .create({})
            )
            returns |= returns.browse(wizard.action_create_returns_all()["res_id"])
        dropped = self._hub_drop_pushes(_("Not sent: the platform cancelled the order (%(c)s).", c=self.name))
        return _(
            "Return %(returns)s started for the shipped goods; %(dropped)s held write-back(s) not sent.",
            returns=", ".join(returns.mapped("name")) or "-",
            dropped=len(dropped),
        )

    def _hub_follow_shipped_not_done(self):
        """The platform says the order shipped: validate its delivery as the
        hub does for a shipped status (reserve, validate); refused with the
        reason when it cannot be (the conflict then stays open)."""
        order = self.sale_order_id.with_context(
            **{FROM_PLATFORM_CONTEXT_KEY: True, "order_hub_carrier_checked": True}
        )
        order._hub_reserve()
        reason = order._hub_validate_deliveries()
        if reason:
            raise UserError(_("The delivery cannot be marked shipped: %(reason)s", reason=reason))
        self._hub_release_pushes()
        if order.channel_fulfilment == "completed":
            order._hub_on_delivered(reason=_("Completed on the platform"))
        return _("Delivery validated as shipped, as the platform says; nothing written back.")

    def _hub_follow_address_after_waybill(self):
        """Apply the platform's address: to the order and its open deliveries,
        whose waybill is cancelled at the carrier (a carrier that creates
        waybills) or voided (a paper waybill: print a new one); a shipped
        parcel is redirected through the carrier's address change (SF, ZTO),
        refused with the carrier's reason otherwise."""
        order, partner = self.sale_order_id, self.platform_partner_id
        if not partner:
            raise UserError(_("This conflict has no platform address to apply."))
        outgoing = order._hub_outgoing_pickings()
        done = []
        for picking in outgoing.filtered(lambda p: p.state == "done" and p.carrier_tracking_ref):
            if picking.carrier_id.delivery_type not in REDIRECTING_CARRIERS:
                raise UserError(
                    _(
                        "%(picking)s has left with %(carrier)s, which cannot redirect a parcel from "
                        "here: choose Intercept the Parcel.",
                        picking=picking.name,
                        carrier=picking.carrier_id.name or _("no carrier"),
                    )
                )
            try:
                picking.carrier_id._hub_change_address(picking, partner)
            except carrier_errors.CarrierError as error:
                raise UserError(
                    _(
                        "The carrier refused to redirect %(picking)s: %(error)s",
                        picking=picking.name,
                        error=error,
                    )
                ) from None
            done.append(_("parcel %(ref)s redirected by the carrier", ref=picking.carrier_tracking_ref))
        for picking in outgoing.filtered(lambda p: p.state != "done" and p.carrier_tracking_ref):
            ref = picking.carrier_tracking_ref
            if picking.carrier_id._hub_creates_waybill():
                picking.cancel_shipment()
                done.append(_("waybill %(ref)s cancelled at the carrier", ref=ref))
            else:
                picking.carrier_tracking_ref = False
                done.append(_("paper waybill %(ref)s voided: print a new one", ref=ref))
        order.partner_shipping_id = partner  # audited by order_hub
        outgoing.filtered(lambda p: p.state not in ("done", "cancel")).write({"partner_id": partner.id})
        outgoing.filtered(lambda p: p.state == "done" and p.carrier_tracking_ref).write(
            {"partner_id": partner.id}
        )
        self._hub_release_pushes()
        return _(
            "The platform's address applied: %(done)s.", done="; ".join(done) or _("no waybill to change")
        )

    # -- keep ours and push it ----------------------------------------------
    def _hub_keep(self):
        """Odoo's state stands: the write-backs held while the order was
        locked go to the platform now; a shipped order that the platform
        cancelled gets its shipment pushed (the platform may refuse it: the
        refusal then shows under Write-back Failures)."""
        released = self._hub_release_pushes()
        pushes = self.env["order.hub.writeback"].sudo().browse()
        if self.kind == "cancelled_after_shipment":
            order = self.sale_order_id
            pushed = order.hub_writeback_ids.filtered(lambda p: p.kind == "ship" and p.state != "dropped")
            missing = order._hub_outgoing_pickings().filtered(
                lambda p: p.state == "done" and p not in pushed.picking_id
            )
            if missing and order._hub_writes_back():
                pushes = self.env["order.hub.writeback"]._hub_push_shipments(missing)
        count = len(released | pushes)
        if not count:
            return _("Odoo's state kept; nothing was waiting to be written back.")
        return _("Odoo's state kept; %(count)s write-back(s) sent to the platform.", count=count)

    # -- intercept the parcel -----------------------------------------------
    def _hub_intercept(self):
        """Record the interception and ask the warehouse for it: an activity on
        the order for the carrier's logistics specialist (else the first
        warehouse user) with the waybill numbers.  Our carrier connectors have
        no interception call (SF's redirect needs a new address: that is
        *Follow the Platform* on an address conflict), so no carrier is
        called.  Held write-backs are not sent: the parcel is being stopped."""
        order = self.sale_order_id
        outgoing = order._hub_outgoing_pickings()
        waybills = ", ".join(filter(None, outgoing.mapped("carrier_tracking_ref"))) or _("no waybill yet")
        carrier = outgoing.carrier_id[:1] or order.carrier_id
        user = (
            carrier.hub_logistics_user_id
            or self.env.ref("order_hub.group_order_hub_warehouse").users.filtered("active")[:1]
            or self.env.user
        )
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Intercept the parcel of %(order)s", order=order.name),
            note=_(
                "The platform and Odoo disagree (%(conflict)s). Ask %(carrier)s to stop the parcel "
                "(waybill %(waybills)s), or hold it in the warehouse.",
                conflict=self.name,
                carrier=carrier.name or _("the carrier"),
                waybills=waybills,
            ),
            user_id=user.id,
        )
        self.intercept_requested_at = fields.Datetime.now()
        dropped = self._hub_drop_pushes(_("Not sent: the parcel is being intercepted (%(c)s).", c=self.name))
        return _(
            "Interception asked of %(user)s (activity on the order, waybill %(waybills)s); "
            "no carrier was called; %(dropped)s held write-back(s) not sent.",
            user=user.name,
            waybills=waybills,
            dropped=len(dropped),
        )


def _address(partner):
    if not partner:
        return "-"
    text = (partner._display_address(True) or "").replace("\n", " ").strip()
    return " ".join(p for p in (partner.name, partner.phone, text) if p)
