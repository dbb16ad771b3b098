"""A gift promised to a customer and not shipped with the order."""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

GIFT_STATES = [
    ("owed", "Owed"),
    ("scheduled", "Scheduled"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("owed", "scheduled")


class OrderHubGift(models.Model):
    _name = "order.hub.gift"
    _description = "Owed Gift"
    _order = "promised_date, id"

    order_id = fields.Many2one("sale.order", string="Order", required=True, ondelete="cascade", index=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", ondelete="set null")
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    user_id = fields.Many2one(related="order_id.user_id", store=True, string="Salesperson", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, string="Company")
    product_id = fields.Many2one("product.product", string="Gift", required=True)
    quantity = fields.Float(string="Quantity", digits="Product Unit of Measure", required=True, default=1.0)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    promised_date = fields.Date(string="Promised Date", required=True)
    state = fields.Selection(GIFT_STATES, string="Status", default="owed", required=True, index=True)
    picking_id = fields.Many2one("stock.picking", string="Re-ship Delivery", copy=False, readonly=True)
    tracking_number = fields.Char(string="Tracking Number", copy=False)
    shipped_date = fields.Datetime(string="Shipped On", copy=False, readonly=True)
    delivered_date = fields.Date(string="Delivered On", copy=False)
    customer_confirmed = fields.Boolean(
        string="Confirmed by Customer", copy=False, help="The customer confirmed receiving the gift."
    )
    on_time = fields.Boolean(
        string="Delivered on Time",
        compute="_compute_on_time",
        store=True,
        help="Delivered no later than the promised date.",
    )
    stock_ready = fields.Boolean(
        string="In Stock",
        compute="_compute_stock_ready",
        help="The order's warehouse has enough free stock to re-ship this gift now.",
    )
    days_left = fields.Integer(string="Days Left", compute="_compute_days_left")
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_days_left", search="_search_is_overdue")

    @api.depends("order_id.name", "product_id")
    def _compute_display_name(self):
        for gift in self:
            gift.display_name = f"{gift.order_id.name or ''} - {gift.product_id.display_name or ''}"

    # -- audit trail of the promise (lifecycle) -----------------------------
    @api.model_create_multi
    def create(self, vals_list):
        gifts = super().create(vals_list)
        audit = self.env["order.hub.audit.log"]
        for gift in gifts:
            audit._record(gift.order_id, "hub_gift_ids", False, gift._hub_audit_label())
        return gifts

    def write(self, vals):
        watched = {"state", "promised_date", "quantity", "tracking_number"} & set(vals)
        before = {gift.id: gift._hub_audit_label() for gift in self} if watched else {}
        result = super().write(vals)
        audit = self.env["order.hub.audit.log"]
        for gift in self if watched else self.browse():
            after = gift._hub_audit_label()
            if after != before[gift.id]:
                audit._record(gift.order_id, "hub_gift_ids", before[gift.id], after)
        return result

    def _hub_audit_label(self):
        self.ensure_one()
        state = dict(self._fields["state"]._description_selection(self.env)).get(self.state)
        # formatted outside _(): Babel (which extracts the terms) cannot read f-strings
        quantity = f"{self.quantity:g}"
        label = _(
            "%(product)s x %(quantity)s, promised %(date)s: %(state)s",
            product=self.product_id.display_name,
            quantity=quantity,
            date=self.promised_date,
            state=state,
        )
        if self.tracking_number:
            label += f" ({self.tracking_number})"
        return label

    @api.depends("state", "delivered_date", "promised_date")
    def _compute_on_time(self):
        for gift in self:
            gift.on_time = bool(
                gift.state == "delivered"
                and gift.delivered_date
                and gift.delivered_date <= gift.promised_date
            )

    @api.depends("product_id", "quantity", "state")
    def _compute_stock_ready(self):
        for gift in self:
            product = gift.product_id.with_context(warehouse_id=gift.order_id.warehouse_id.id)
            gift.stock_ready = gift.state == "owed" and product.free_qty >= gift.quantity

    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for gift in self:
            gift.days_left = (gift.promised_date - today).days if gift.promised_date else 0
            gift.is_overdue = bool(
                gift.state in OPEN_STATES and gift.promised_date and gift.promised_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search overdue gifts with “is set” or “is not set”."))
        domain = [("state", "in", OPEN_STATES), ("promised_date", "<", fields.Date.context_today(self))]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    # -- actions -----------------------------------------------------------
    def action_create_reship(self):
        """Create and reserve the re-ship delivery of owed gifts."""
        for gift in self:
            if gift.state != "owed":
                raise UserError(
                    _(
                        "The gift %(gift)s is not owed any more; only owed gifts can be re-shipped.",
                        gift=gift.display_name,
                    )
                )
            picking = self.env["stock.picking"].create(gift._prepare_reship_picking_vals())
            picking.action_confirm()
            picking.action_assign()
            gift.write({"picking_id": picking.id, "state": "scheduled"})
        if len(self) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "stock.picking",
                "res_id": self.picking_id.id,
                "view_mode": "form",
            }
        return True

    def _prepare_reship_picking_vals(self):
        self.ensure_one()
        order = self.order_id
        picking_type = order.warehouse_id.out_type_id
        source = picking_type.default_location_src_id
        destination = order.partner_shipping_id.property_stock_customer
        return {
            "picking_type_id": picking_type.id,
            "partner_id": order.partner_shipping_id.id,
            "origin": _("%(order)s (gift re-ship)", order=order.name),
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": order.company_id.id,
            "move_type": "direct",
            "move_ids": [
                fields.Command.create(
                    {
                        "name": self.product_id.display_name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": self.quantity,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "sale_line_id": self.sale_line_id.id,
                        "group_id": order.procurement_group_id.id,
                        "company_id": order.company_id.id,
                    }
                )
            ],
        }

    def action_mark_delivered(self):
        """The customer confirmed receiving the gift."""
        for gift in self:
            if gift.state not in ("scheduled", "shipped"):
                raise UserError(
                    _("Ship the gift %(gift)s before marking it delivered.", gift=gift.display_name)
                )
        self.write(
            {
                "state": "delivered",
                "customer_confirmed": True,
                "delivered_date": fields.Date.context_today(self),
            }
        )

    def action_cancel(self):
        for gift in self:
            if gift.state in ("shipped", "delivered"):
                raise UserError(
                    _("The gift %(gift)s has already left the warehouse.", gift=gift.display_name)
                )
            if gift.picking_id and gift.picking_id.state not in ("done", "cancel"):
                gift.picking_id.action_cancel()
        self.write({"state": "cancelled"})

    def _hub_picking_done(self, picking):
        """Called when a re-ship delivery is validated."""
        tracking = picking["carrier_tracking_ref"] if "carrier_tracking_ref" in picking._fields else False
        for gift in self.filtered(lambda g: g.state in OPEN_STATES):
            gift.write(
                {
                    "state": "shipped",
                    "shipped_date": fields.Datetime.now(),
                    "tracking_number": tracking or gift.tracking_number,
                }
            )

    def _hub_picking_cancelled(self):
        self.filtered(lambda g: g.state == "scheduled").write({"state": "owed", "picking_id": False})

    # -- figures and digest -------------------------------------------------
    @api.model
    def _hub_fulfilment_rate(self, date_from=None, date_to=None, company=None):
        """Gifts delivered on time / gifts promised (not cancelled) in the period, 0.0-1.0.

        The period filters on the promised date; returns ``None`` when nothing
        was promised.
        """
        domain = [("state", "!=", "cancelled")]
        if date_from:
            domain.append(("promised_date", ">=", date_from))
        if date_to:
            domain.append(("promised_date", "<=", date_to))
        if company:
            domain.append(("company_id", "=", company.id))
        promised = self.search_count(domain)
        if not promised:
            return None
        return self.search_count([*domain, ("on_time", "=", True)]) / promised

    @api.model
    def _hub_digest_by_salesperson(self):
        """``{res.users: owed gifts}`` of every salesperson with open gifts."""
        gifts = self.search([("state", "in", OPEN_STATES), ("user_id", "!=", False)])
        digest = defaultdict(self.browse)
        for gift in gifts:
            digest[gift.user_id] |= gift
        return dict(digest)

    @api.model
    def _cron_send_gift_digest(self):
        """Daily at 10:00: each salesperson gets the list of their owed gifts.

        Gifts past their promise also get a "Gift Not Arrived" ticket on the
        order, assigned to the salesperson (one open ticket per order).
        """
        self.search([("is_overdue", "=", True)])._hub_open_overdue_tickets()
        for user, gifts in self._hub_digest_by_salesperson().items():
            gifts = gifts.with_context(tz=user.tz or "Asia/Shanghai", lang=user.lang)
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=_("Owed gifts: %(count)s", count=len(gifts)),
                body=gifts._hub_digest_body(),
                model=False,
            )
            self._hub_send_digest_robot(user, gifts)

    def _hub_digest_body(self):
        rows = Markup("")
        for gift in self:
            rows += Markup('<li style="%s">%s, %s × %s: %s</li>') % (
                "color: red;" if gift.is_overdue else "",
                gift.order_id.name,
                gift.product_id.display_name,
                gift.quantity,
                gift._hub_days_left_text(),
            )
        return Markup("<p>%s</p><ul>%s</ul>") % (_("Gifts you promised and still owe:"), rows)

    def _hub_days_left_text(self):
        self.ensure_one()
        if self.days_left < 0:
            return _("%(days)s days overdue", days=-self.days_left)
        return _("%(days)s days left before the promise", days=self.days_left)

    def _hub_open_overdue_tickets(self):
        for gift in self:
            gift.order_id._hub_open_ticket(
                "gift_not_arrived",
                reason=_(
                    "The gift %(gift)s promised for %(date)s has not been shipped.",
                    gift=gift.product_id.display_name,
                    date=gift.promised_date,
                ),
                assignee=gift.user_id or None,
            )

    def _hub_send_digest_robot(self, user, gifts):
        """Push the salesperson's digest to the WeCom group robot of each
        company concerned, when one is configured (same robot, same
        20-messages-a-minute budget as the SLA alerts)."""
        SaleOrder = self.env["sale.order"]
        for company in gifts.company_id:
            company_gifts = gifts.filtered(lambda gift, company=company: gift.company_id == company)
            company_gifts = company_gifts.with_context(lang=company.partner_id.lang or self.env.lang)
            header = _("Owed gifts of %(salesperson)s", salesperson=user.name)
            lines = [
                _(
                    "%(mark)s%(order)s %(customer)s: %(gift)s x %(qty)s, %(days)s",
                    mark="[!] " if gift.is_overdue else "",
                    order=gift.order_id.name,
                    customer=gift.partner_id.name or "",
                    gift=gift.product_id.display_name,
                    qty=gift.quantity,
                    days=gift._hub_days_left_text(),
                )
                for gift in company_gifts
            ]
            SaleOrder._hub_post_wecom(company, lines, header=header)
