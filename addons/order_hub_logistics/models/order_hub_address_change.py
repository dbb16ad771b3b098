from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.order_hub_logistics.carriers import errors as carrier_errors

ADDRESS_CHANGE_STATES = [
    ("draft", "Draft"),
    ("applied", "Applied Before Shipping"),
    ("carrier_done", "Changed by the Carrier"),
    ("failed", "Carrier Refused"),
    ("resolved", "Resolved by Logistics"),
]
SUCCESS_STATES = ("applied", "carrier_done")
# set by the request's own steps (apply, the carrier's answer, resolve), never typed in
PROTECTED_FIELDS = frozenset(
    {"state", "original_address", "shipped", "carrier_error", "requested_at", "done_at"}
)
CS_GROUP = "order_hub.group_order_hub_customer_service"
WAREHOUSE_GROUP = "order_hub.group_order_hub_warehouse"


class OrderHubAddressChange(models.Model):
    """A customer's request to ship elsewhere, handled as a tracked process.

    Before shipping the new address goes straight to the order and its open
    deliveries; after shipping the carrier is asked to redirect the parcel,
    and a refusal goes to the logistics specialist with the customer's
    authorization, the order waiting in the Address-change stage.
    """

    _name = "order.hub.address.change"
    _description = "Order Hub Address Change"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    state = fields.Selection(
        ADDRESS_CHANGE_STATES, default="draft", required=True, readonly=True, tracking=True
    )
    original_address = fields.Text(readonly=True)
    new_name = fields.Char("Recipient", required=True)
    new_phone = fields.Char("Phone")
    new_state_id = fields.Many2one("res.country.state", "Province")
    new_city = fields.Char("City")
    new_street = fields.Char("Street", required=True)
    new_street2 = fields.Char("District")
    new_zip = fields.Char("ZIP")
    reason = fields.Text(required=True)
    attachment_ids = fields.Many2many(
        "ir.attachment", string="Customer Authorization", help="The customer's written or recorded consent."
    )
    shipped = fields.Boolean(readonly=True)
    carrier_error = fields.Text(readonly=True)
    requested_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    done_at = fields.Datetime(readonly=True)
    handling_minutes = fields.Float(compute="_compute_handling_minutes", store=True, aggregator="avg")
    success = fields.Boolean(compute="_compute_success", store=True, aggregator="sum")

    @api.depends("requested_at", "done_at")
    def _compute_handling_minutes(self):
        for change in self:
            change.handling_minutes = (
                (change.done_at - change.requested_at).total_seconds() / 60.0
                if change.done_at and change.requested_at
                else 0.0
            )

    @api.depends("state")
    def _compute_success(self):
        for change in self:
            change.success = change.state in SUCCESS_STATES

    def _hub_check_protected(self, vals):
        """A state or a carrier answer written directly (e.g. over RPC) would
        fake the outcome the audit trail and the desk read: refused."""
        forbidden = PROTECTED_FIELDS.intersection(vals)
        if forbidden and not self.env.su:
            raise AccessError(
                _(
                    "An address change's state and outcome are set by its buttons only (%(fields)s).",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    def _hub_check_group(self, group):
        if not self.env.su and not self.env.user.has_group(group):
            raise AccessError(
                _(
                    "You are not allowed to do this with an address change (%(group)s only).",
                    group=self.env.ref(group).name,
                )
            )

    def write(self, vals):
        self._hub_check_protected(vals)
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hub_check_protected(vals)
        changes = super().create(vals_list)
        for change in changes.sudo():
            shipping = change.order_id.partner_shipping_id
            change.original_address = "\n".join(
                p for p in (shipping.name, shipping._display_address(True)) if p
            )
        return changes

    def _new_address_text(self):
        parts = [
            self.new_name,
            self.new_phone,
            self.new_state_id.name,
            self.new_city,
            self.new_street2,
            self.new_street,
        ]
        return " ".join(p for p in parts if p)

    def _new_partner(self):
        customer = self.order_id.partner_id.commercial_partner_id
        # customer service may not create contacts: the request itself is the authorization
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "parent_id": customer.id,
                    "type": "delivery",
                    "name": self.new_name,
                    "phone": self.new_phone,
                    "state_id": self.new_state_id.id,
                    "country_id": self.new_state_id.country_id.id or customer.country_id.id,
                    "city": self.new_city,
                    "street": self.new_street,
                    "street2": self.new_street2,
                    "zip": self.new_zip,
                }
            )
        )

    def _apply_to_order(self, partner, pickings):
        order = self.order_id
        order.partner_shipping_id = partner  # audited by order_hub
        pickings.write({"partner_id": partner.id})
        order.message_post(
            body=_(
                "Delivery address changed from %(old)s to %(new)s: %(reason)s",
                old=self.original_address,
                new=self._new_address_text(),
                reason=self.reason,
            )
        )

    def action_apply(self):
        self.ensure_one()
        self._hub_check_group(CS_GROUP)
        if self.state != "draft":
            raise UserError(_("This address change was already processed; create a new one."))
        if not self.attachment_ids:
            raise UserError(_("Attach the customer's authorization before changing the address."))
        self.attachment_ids.write({"res_model": self._name, "res_id": self.id})
        # access was checked on this request; the order and its deliveries are
        # changed on its behalf (customer service has no right on stock transfers)
        self = self.sudo()
        order = self.order_id
        outgoing = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        shipped = outgoing.filtered(lambda p: p.state == "done" and p.carrier_tracking_ref)
        partner = self._new_partner()
        if not shipped:
            self._apply_to_order(partner, outgoing.filtered(lambda p: p.state != "done"))
            self.write({"state": "applied", "done_at": fields.Datetime.now()})
            return True
        self.shipped = True
        picking = shipped[0]
        try:
            picking.carrier_id._hub_change_address(picking, partner)
        except (carrier_errors.CarrierError, UserError) as error:
            self._escalate(str(error))
            return True
        self._apply_to_order(partner, self.env["stock.picking"])
        picking.partner_id = partner
        self.write({"state": "carrier_done", "done_at": fields.Datetime.now()})
        return True

    def _escalate(self, error):
        """Carrier refused: logistics specialist gets an activity, order waits in Address change."""
        self.write({"state": "failed", "carrier_error": error})
        order = self.order_id
        order._hub_start_address_change(reason=self.reason)
        carrier = order.picking_ids.carrier_id[:1]
        user = carrier.hub_logistics_user_id or self.env.ref("order_hub.group_order_hub_warehouse").users[:1]
        self.message_post(
            body=_("The carrier refused the address change: %(error)s", error=error),
            attachment_ids=self.attachment_ids.ids,
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Address change refused by the carrier"),
            note=_(
                "Order %(order)s: the carrier refused to deliver to %(address)s (%(error)s). "
                "The customer's authorization is attached to this request.",
                order=order.name,
                address=self._new_address_text(),
                error=error,
            ),
            user_id=(user or self.env.user).id,
        )

    def action_resolve(self):
        """The logistics specialist settled the change by other means."""
        self._hub_check_group(WAREHOUSE_GROUP)
        for change in self.filtered(lambda c: c.state == "failed"):
            change.sudo().write({"state": "resolved", "done_at": fields.Datetime.now()})
            change.activity_ids.action_done()
            change.order_id.sudo()._hub_end_address_change(reason=_("Address change resolved"))
        return True

    @api.model
    def _hub_statistics(self, domain=None):
        """Success rate (0-1) and mean handling time in minutes of finished changes."""
        finished = self.search((domain or []) + [("state", "!=", "draft")])
        if not finished:
            return {"count": 0, "success_rate": 0.0, "avg_handling_minutes": 0.0}
        done = finished.filtered("done_at")
        return {
            "count": len(finished),
            "success_rate": len(finished.filtered("success")) / len(finished),
            "avg_handling_minutes": sum(done.mapped("handling_minutes")) / len(done) if done else 0.0,
        }
