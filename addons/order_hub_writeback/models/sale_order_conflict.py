from odoo import _, api, fields, models

from odoo.addons.order_hub.models.sale_order import HUB_ROLE_GROUPS
from odoo.addons.order_hub_channels.models.sale_order_hub import SHIPPING_ACTIONS

# context key: the platform statuses applied are those of orders arriving
ARRIVING_KEY = "order_hub_arriving"


class SaleOrder(models.Model):
    """The conflict breaker on the order: which contradictions open a
    conflict, and the automatic moves a locked order does not make.

    Only Order Hub orders of a sales channel are concerned (``hub_in_scope``):
    other orders keep standard Odoo's behaviour.  People's own actions
    (validating a delivery, cancelling, editing) stay possible on a locked
    order; what is locked is what the hub would do by itself: apply a platform
    status, move the stage on a carrier scan or a signed-for event, escalate
    its SLA, write back to the platform."""

    _inherit = "sale.order"

    hub_conflict_ids = fields.One2many(
        "order.hub.conflict", "sale_order_id", "Platform Conflicts", groups=HUB_ROLE_GROUPS
    )
    hub_conflict_locked = fields.Boolean(
        "Locked by a Conflict",
        compute="_compute_hub_conflict_locked",
        store=True,
        index=True,
        help="The platform contradicts Odoo: the hub makes no automatic move and writes nothing back "
        "until a supervisor resolves the conflict (Management > Platform Conflicts).",
    )

    @api.depends("hub_conflict_ids.state", "hub_in_scope")
    def _compute_hub_conflict_locked(self):
        # an order taken out of the hub's scope is never locked
        for order in self:
            order.hub_conflict_locked = order.hub_in_scope and any(
                c.state == "open" for c in order.sudo().hub_conflict_ids
            )

    def action_hub_open_conflicts(self):
        """The order's open conflicts, from its banner (managers resolve them there)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_hub_writeback.order_hub_conflict_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        return action

    def _hub_conflict_scope(self):
        """The orders the breaker watches: in-scope hub orders of a sales channel."""
        return self.sudo().filtered(lambda o: o.hub_in_scope and o.channel_id and o.channel_order_ref)

    def _hub_latest_payload(self):
        self.ensure_one()
        return self.sudo().inbound_order_ids.filtered(lambda r: r.state == "done").sorted("id")[-1:]

    def _hub_locked(self, note):
        """The locked orders of ``self``; what was not applied to them is noted on their open conflicts."""
        locked = self.sudo().filtered("hub_conflict_locked")
        for order in locked:
            order.hub_conflict_ids.filtered(lambda c: c.state == "open")._hub_note_later(
                note, order._hub_latest_payload()
            )
        return locked.with_env(self.env)

    # ------------------------------------------------------------------
    # platform statuses
    # ------------------------------------------------------------------
    def _hub_run_platform_status(self, action, arrival):
        # an order arriving with its first payload already shipped was never
        # the warehouse's to pick: its delivery is validated as before
        return super(SaleOrder, self.with_context(**{ARRIVING_KEY: arrival}))._hub_run_platform_status(
            action, arrival
        )

    def _hub_apply_platform_status(self, action):
        """Contradictions of a platform status open a conflict instead of being
        applied or only noted: cancelled (or refunded) while a delivery is done;
        shipped while the delivery stays open after the hub tried to validate it."""
        locked = self._hub_locked(
            _("Platform status %(action)s not applied: the order is locked.", action=action)
        )
        orders = self - locked
        conflicts = self.env["order.hub.conflict"]
        watched = orders._hub_conflict_scope()
        if action == "cancel":
            shipped = watched.filtered(
                lambda s: s.state != "cancel"
                and s._hub_outgoing_pickings().filtered(lambda p: p.state == "done")
            )
            for order in shipped:
                conflicts._hub_open(
                    order,
                    "cancelled_after_shipment",
                    note=_("The platform cancelled (or refunded) this order; it was shipped from Odoo."),
                )
            orders -= shipped.with_env(self.env)
        if action in SHIPPING_ACTIONS and not self.env.context.get(ARRIVING_KEY):
            # shipped on the platform while the warehouse has not picked the
            # delivery Odoo reserved for it: the hub does not validate it by
            # itself (that would take stock still on the shelf off the books).
            # An order arriving already shipped, or a delivery the warehouse
            # picked, is validated as before; a delivery not reserved is tried
            # (and noted) as before, then opens the conflict below.
            unpicked = watched.filtered(
                lambda s: s.state == "sale"
                and s._hub_outgoing_pickings().filtered(
                    lambda p: p.state == "assigned" and not all(p.move_ids.mapped("picked"))
                )
            )
            for order in unpicked:
                if order.channel_fulfilment != "completed":  # what the platform says is kept
                    order.channel_fulfilment = "completed" if action == "complete" else "shipped"
                conflicts._hub_open(
                    order,
                    "shipped_not_done",
                    note=_("The platform says this order shipped; the warehouse has not picked it."),
                )
            orders -= unpicked.with_env(self.env)
        res = super(SaleOrder, orders)._hub_apply_platform_status(action)
        if action in SHIPPING_ACTIONS:
            still_open = watched.filtered(
                lambda s: s.state == "sale"
                and s._hub_outgoing_pickings().filtered(lambda p: p.state != "done")
            )
            for order in still_open:
                conflicts._hub_open(
                    order,
                    "shipped_not_done",
                    note=_("The platform says this order shipped; its delivery is not done in Odoo."),
                )
        return res

    # ------------------------------------------------------------------
    # automatic moves
    # ------------------------------------------------------------------
    def _hub_on_carrier_pickup(self, source=None, reason=None):
        locked = self._hub_locked(_("Carrier scan not applied: %(reason)s", reason=reason or "-"))
        return super(SaleOrder, self - locked)._hub_on_carrier_pickup(source=source, reason=reason)

    def _hub_on_delivered(self, source=None, reason=None):
        locked = self._hub_locked(_("Signed-for event not applied: %(reason)s", reason=reason or "-"))
        return super(SaleOrder, self - locked)._hub_on_delivered(source=source, reason=reason)

    def _hub_escalate(self, now):
        # a supervisor decides the order: no SLA alert, ticket or Exception meanwhile
        if self.sudo().hub_conflict_locked:
            return None
        return super()._hub_escalate(now)
