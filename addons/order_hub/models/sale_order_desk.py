"""The customer-service desk: which hub orders need an agent, and how urgently.

Three facts put an order on top of the desk, most urgent first:

* overdue response: its stage's SLA clock is breached or at risk;
* address anomaly: the delivery address could not be matched, or an open
  ticket of a type tagged "address anomaly" (an address problem) waits; the
  logistics addon adds a carrier-refused address change
  (``_hub_desk_address_facts``);
* gift not shipped: an owed gift is past its promised date, or an open ticket
  of a type tagged "gift not shipped" waits.

The flags are stored computed fields: they follow their facts (a new stage, a
corrected address, a resolved ticket, a shipped gift clear them at once). Two
facts depend on the clock (an SLA running out, a promise date passing): the
escalation cron recomputes the orders whose time came (``_hub_desk_refresh``).
The desk tags are computed from the flags, never typed in.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .order_hub_gift import OPEN_STATES as GIFT_OPEN_STATES
from .order_hub_ticket import OPEN_STATES as TICKET_OPEN_STATES

DESK_GROUP = "order_hub.group_order_hub_customer_service"
DESK_TAGS = {
    "overdue": "order_hub.crm_tag_overdue_response",
    "address": "order_hub.crm_tag_address_anomaly",
    "gift": "order_hub.crm_tag_gift_not_shipped",
}
DESK_CLOSED_STAGES = ("done", "cancelled")
# beside an order: customer service (managers imply it)
DESK_GROUPS = "order_hub.group_order_hub_customer_service"
MESSAGE_LIMIT = 20  # the customer's latest messages shown beside an order


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_desk_open = fields.Boolean(
        string="On the Desk",
        compute="_compute_hub_desk_open",
        store=True,
        index=True,
        help="A hub order that is neither done nor cancelled.",
    )
    hub_desk_needed = fields.Boolean(
        string="Needs an Agent",
        compute="_compute_hub_desk_needed",
        store=True,
        index=True,
        help="An open hub order that needs customer service now: one of its desk tags applies, one of its "
        "tickets is open, or its stage is one where customer service acts (to confirm, exception, "
        "address change).",
    )
    hub_desk_overdue = fields.Boolean(
        string="Overdue Response",
        compute="_compute_hub_desk_overdue",
        store=True,
        help="The order's stage SLA is breached or at risk.",
    )
    hub_desk_address = fields.Boolean(
        string="Address Anomaly",
        compute="_compute_hub_desk_address",
        store=True,
        help="The delivery address could not be matched, an address ticket is open, "
        "or the carrier refused an address change.",
    )
    hub_desk_gift = fields.Boolean(
        string="Gift Not Shipped",
        compute="_compute_hub_desk_gift",
        store=True,
        help="An owed gift is past its promised date, or a gift ticket is open.",
    )
    hub_desk_tier = fields.Integer(
        string="Desk Tier",
        compute="_compute_hub_desk_tier",
        store=True,
        index=True,
        help="3 overdue response, 2 address anomaly, 1 gift not shipped, 0 nothing urgent.",
    )
    hub_desk_tag_ids = fields.Many2many(
        "crm.tag",
        "sale_order_hub_desk_tag_rel",
        "order_id",
        "tag_id",
        string="Desk Tags",
        compute="_compute_hub_desk_tag_ids",
        store=True,
        help="Computed from the facts; a tag disappears when its cause is gone.",
    )

    # ------------------------------------------------------------------
    # Facts
    # ------------------------------------------------------------------
    @api.depends("hub_in_scope", "state", "hub_stage_id.code")
    def _compute_hub_desk_open(self):
        for order in self:
            order.hub_desk_open = bool(
                order.hub_in_scope
                and order.state != "cancel"
                and order.hub_stage_id.code not in DESK_CLOSED_STAGES
            )

    @api.depends("hub_desk_open", "hub_desk_tier", "hub_stage_id.desk_attention", "hub_ticket_ids.state")
    def _compute_hub_desk_needed(self):
        for order in self:
            order.hub_desk_needed = bool(
                order.hub_desk_open
                and (
                    order.hub_desk_tier
                    or order.hub_stage_id.desk_attention
                    or any(ticket.state in TICKET_OPEN_STATES for ticket in order.sudo().hub_ticket_ids)
                )
            )

    def _hub_desk_ticket_tags(self):
        """Tags of the types of this order's open tickets."""
        self.ensure_one()
        tickets = self.sudo().hub_ticket_ids.filtered(lambda t: t.state in TICKET_OPEN_STATES)
        return tickets.type_id.order_tag_ids

    def _hub_desk_all_tags(self):
        return self.env["crm.tag"].union(*(self._hub_desk_tag(key) for key in DESK_TAGS))

    def _hub_desk_tag(self, key):
        return self.env.ref(DESK_TAGS[key], raise_if_not_found=False) or self.env["crm.tag"]

    @api.depends("hub_desk_open", "hub_sla_risk_at", "hub_sla_deadline")
    def _compute_hub_desk_overdue(self):
        now = fields.Datetime.now()
        for order in self:
            order.hub_desk_overdue = bool(
                order.hub_desk_open and order._hub_sla_status_at(now) in ("at_risk", "breached")
            )

    def _hub_desk_address_facts(self):
        """Hook: True when this order's delivery address needs an agent."""
        self.ensure_one()
        tag = self._hub_desk_tag("address")
        return bool(self.hub_address_to_check or (tag and tag in self._hub_desk_ticket_tags()))

    @api.depends("hub_desk_open", "hub_address_to_check", "hub_ticket_ids.state", "hub_ticket_ids.type_id")
    def _compute_hub_desk_address(self):
        for order in self:
            order.hub_desk_address = bool(order.hub_desk_open and order._hub_desk_address_facts())

    @api.depends(
        "hub_desk_open",
        "hub_gift_ids.state",
        "hub_gift_ids.promised_date",
        "hub_ticket_ids.state",
        "hub_ticket_ids.type_id",
    )
    def _compute_hub_desk_gift(self):
        today = fields.Date.context_today(self)
        tag = self._hub_desk_tag("gift")
        for order in self:
            late = order.sudo().hub_gift_ids.filtered(
                lambda g: g.state in GIFT_OPEN_STATES and g.promised_date and g.promised_date < today
            )
            ticket = bool(tag and tag in order._hub_desk_ticket_tags())
            order.hub_desk_gift = bool(order.hub_desk_open and (late or ticket))

    @api.depends("hub_desk_overdue", "hub_desk_address", "hub_desk_gift")
    def _compute_hub_desk_tier(self):
        for order in self:
            order.hub_desk_tier = (
                3
                if order.hub_desk_overdue
                else 2
                if order.hub_desk_address
                else 1
                if order.hub_desk_gift
                else 0
            )

    @api.depends("hub_desk_overdue", "hub_desk_address", "hub_desk_gift")
    def _compute_hub_desk_tag_ids(self):
        tags = {key: self._hub_desk_tag(key) for key in DESK_TAGS}
        for order in self:
            flags = {
                "overdue": order.hub_desk_overdue,
                "address": order.hub_desk_address,
                "gift": order.hub_desk_gift,
            }
            order.hub_desk_tag_ids = self.env["crm.tag"].union(
                *(tags[key] for key, flag in flags.items() if flag)
            )

    # ------------------------------------------------------------------
    # The clock
    # ------------------------------------------------------------------
    @api.model
    def _hub_desk_refresh(self):
        """Recompute the flags whose facts changed with time alone: an SLA
        reaching its risk time, a gift promise date passing (called by the
        escalation cron, every 5 minutes)."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        overdue = self.search(
            [
                ("hub_desk_open", "=", True),
                ("hub_desk_overdue", "=", False),
                ("hub_sla_risk_at", "<=", now),
            ]
        )
        late_gifts = (
            self.env["order.hub.gift"]
            .sudo()
            .search([("state", "in", GIFT_OPEN_STATES), ("promised_date", "<", today)])
        )
        gift = late_gifts.order_id.filtered(lambda o: o.hub_desk_open and not o.hub_desk_gift)
        # as if the clock were a field: the flags, and what depends on them
        # (tier, tags, priority), are recomputed
        overdue.modified(["hub_sla_risk_at"])
        late_gifts.filtered(lambda g: g.order_id in gift).modified(["promised_date"])
        (overdue | gift).flush_recordset()
        return overdue | gift


class SaleOrderCustomer(models.Model):
    """Beside an order on the desk: the customer's other orders, tickets and
    messages, and the phone to call."""

    _inherit = "sale.order"

    hub_customer_order_ids = fields.Many2many(
        "sale.order",
        string="Customer's Other Orders",
        compute="_compute_hub_customer_context",
        groups=DESK_GROUPS,
    )
    hub_customer_order_count = fields.Integer(
        string="Customer's Orders", compute="_compute_hub_customer_context", groups=DESK_GROUPS
    )
    hub_customer_ticket_ids = fields.Many2many(
        "order.hub.ticket",
        string="Customer's Tickets",
        compute="_compute_hub_customer_context",
        groups=DESK_GROUPS,
    )
    hub_customer_ticket_count = fields.Integer(
        string="Customer's Tickets Count", compute="_compute_hub_customer_context", groups=DESK_GROUPS
    )
    hub_customer_message_ids = fields.Many2many(
        "mail.message",
        string="Customer's Messages",
        compute="_compute_hub_customer_context",
        groups=DESK_GROUPS,
    )
    hub_desk_phone = fields.Char(
        string="Phone to Call",
        compute="_compute_hub_desk_phone",
        groups=DESK_GROUPS,
        help="The receiver's phone, else the customer's.",
    )

    def _hub_customer_orders(self):
        """Every order of this order's customer (its company and contacts) the user may read."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        if not customer:
            return self.browse()
        return self.search([("partner_id", "child_of", customer.id)], order="date_order desc, id desc")

    @api.depends("partner_id")
    def _compute_hub_customer_context(self):
        Ticket = self.env["order.hub.ticket"]
        Message = self.env["mail.message"]
        for order in self:
            orders = order._hub_customer_orders() if order.partner_id else self.browse()
            others = orders - order
            tickets = Ticket.search([("order_id", "in", orders.ids)], order="id desc") if orders else Ticket
            messages = (
                Message.search(
                    [
                        ("model", "=", "sale.order"),
                        ("res_id", "in", orders.ids),
                        ("message_type", "in", ("comment", "email")),
                    ],
                    order="date desc, id desc",
                    limit=MESSAGE_LIMIT,
                )
                if orders
                else Message
            )
            order.hub_customer_order_ids = others
            order.hub_customer_order_count = len(others)
            order.hub_customer_ticket_ids = tickets
            order.hub_customer_ticket_count = len(tickets)
            order.hub_customer_message_ids = messages

    @api.depends(
        "partner_shipping_id.phone", "partner_shipping_id.mobile", "partner_id.phone", "partner_id.mobile"
    )
    def _compute_hub_desk_phone(self):
        for order in self:
            shipping, customer = order.partner_shipping_id, order.partner_id
            order.hub_desk_phone = (
                shipping.mobile or shipping.phone or customer.mobile or customer.phone or False
            )

    def _hub_desk_check_agent(self):
        """The desk's quick actions (Track, Change Address, Refund) are customer
        service's: another user reaching them over RPC is refused."""
        if not self.env.su and not self.env.user.has_group(DESK_GROUP):
            raise AccessError(_("Only customer service can use the desk's quick actions."))

    def action_view_hub_customer_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders of %(customer)s", customer=self.partner_id.commercial_partner_id.display_name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.hub_customer_order_ids.ids)],
            "context": {"create": False},
        }

    def action_view_hub_customer_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Tickets of %(customer)s", customer=self.partner_id.commercial_partner_id.display_name),
            "res_model": "order.hub.ticket",
            "view_mode": "list,form",
            "domain": [("id", "in", self.hub_customer_ticket_ids.ids)],
            "context": {"create": False},
        }
