from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import float_compare

from odoo.addons.order_hub.models.sale_order import HUB_ROLE_GROUPS
from odoo.addons.order_hub.models.stock_move import DEFER_RESERVATION_KEY

HUB_STOCK_STATES = [
    ("pending", "Not Checked"),
    ("reserved", "Reserved"),
    ("out_of_stock", "Out of Stock"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    hub_stock_state = fields.Selection(
        HUB_STOCK_STATES, "Stock", default="pending", copy=False, readonly=True
    )
    hub_route_rule_id = fields.Many2one(
        "order.hub.warehouse.rule", "Warehouse Rule", copy=False, readonly=True
    )
    hub_route_note = fields.Text("Warehouse Routing", copy=False, readonly=True)
    hub_carrier_rule_id = fields.Many2one("order.hub.carrier.rule", "Carrier Rule", copy=False, readonly=True)
    hub_carrier_note = fields.Text("Carrier Routing", copy=False, readonly=True)
    hub_promised_ship_date = fields.Datetime("Promised Ship Time", copy=False)
    hub_promised_delivery_date = fields.Datetime("Promised Delivery Time", copy=False)
    hub_signed_date = fields.Datetime("Signed At", copy=False, readonly=True)
    hub_delivery_deviation_hours = fields.Float(
        "Delivery Deviation (h)",
        copy=False,
        readonly=True,
        help="Signed time minus promised time; positive is late.",
    )
    # lists of the hub's own records: for Order Hub roles (a salesperson
    # without one opens the order as in standard Odoo)
    hub_tracking_event_ids = fields.One2many(
        "order.hub.tracking.event", "sale_id", "Tracking Timeline", groups=HUB_ROLE_GROUPS
    )
    hub_public_tracking_ref = fields.Char("Tracking Number", compute="_compute_hub_public_tracking_ref")
    hub_address_change_ids = fields.One2many(
        "order.hub.address.change", "order_id", "Address Changes", groups=HUB_ROLE_GROUPS
    )

    @api.depends("picking_ids.hub_public_tracking_ref")
    def _compute_hub_public_tracking_ref(self):
        for order in self:
            refs = order.picking_ids.filtered("hub_public_tracking_ref").mapped("hub_public_tracking_ref")
            order.hub_public_tracking_ref = ", ".join(refs)

    def _hub_logistics_channel_code(self):
        """The order's channel as a platform code (order_hub's ``hub_source``)."""
        self.ensure_one()
        return self.hub_source or ""

    # ------------------------------------------------------------------
    # Confirmation: lock, route, reserve
    # ------------------------------------------------------------------
    def _action_confirm(self):
        # routing was decided once for this confirmation (order_hub's
        # _hub_with_routing_known): read, not evaluated again
        routed = self._hub_routing_at_confirmation()
        orders = self
        deferred = self.env.context.get(DEFER_RESERVATION_KEY)
        if deferred and routed:
            # routing chooses from the stock under the locks: never deferred
            orders = self.with_context(**{DEFER_RESERVATION_KEY: False})
            deferred = False
        unserved = self.env["sale.order"]
        if not deferred:
            # every reservation takes the locks, so that a hub order's stock
            # check is not overtaken by another order's reservation
            orders._hub_lock_stock()
        # routing, carrier choice and promise are the hub's: other orders keep
        # the warehouse and carrier their user chose, as in standard Odoo
        hub_orders = orders.filtered("hub_in_scope")
        # what the orders routed before in this batch take from each warehouse
        claimed = defaultdict(float)
        for order in hub_orders:
            if not deferred and not order._hub_route_warehouse(claimed):
                unserved |= order
            order._hub_route_carrier()
            order._hub_set_promise()
        result = super(SaleOrder, orders)._action_confirm()
        if not deferred:
            for order in hub_orders:
                order._hub_check_reservation(routed_out=order in unserved, notify=True)
        return result

    def _hub_routing_decide(self):
        return super()._hub_routing_decide() | self.filtered(lambda o: o._hub_routing_applies())

    def _hub_lock_stock(self, nowait=False):
        storable = self.order_line.product_id.filtered("is_storable")
        self.env["order.hub.stock.lock"].sudo()._lock_products(storable, nowait=nowait)
        return super()._hub_lock_stock(nowait=nowait)

    def _hub_after_reservation(self):
        # the reservation job itself reports the orders left short
        for order in self:
            order._hub_check_reservation()
        return super()._hub_after_reservation()

    def _hub_needed_quantities(self):
        needed = defaultdict(float)
        # a gift with a promised re-ship date may be owed (order_hub's gift pool):
        # it does not decide the warehouse
        for line in self.order_line.filtered(
            lambda ln: ln.product_id.is_storable and not (ln.hub_is_gift and ln.hub_gift_promise_date)
        ):
            needed[line.product_id] += line.product_uom._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id
            )
        return needed

    def _hub_shortage(self, warehouse, safety_stock, needed, claimed=None):
        """Sentence describing the first product ``warehouse`` cannot cover, or "".

        ``claimed``: ``{(warehouse id, product id): quantity}`` taken by the
        orders routed before this one in the same confirmation, whose
        deliveries do not exist yet."""
        claimed = claimed if claimed is not None else {}
        free_qty = self.env["product.product"].union(*needed)._hub_free_qty(warehouse)
        for product, qty in needed.items():
            free = free_qty[product.id] - claimed.get((warehouse.id, product.id), 0.0)
            if float_compare(free - safety_stock, qty, precision_rounding=product.uom_id.rounding) < 0:
                return _(
                    "%(wh)s skipped: %(product)s free %(free)s minus safety stock %(safety)s "
                    "is below %(qty)s",
                    wh=warehouse.name,
                    product=product.display_name,
                    free=free,
                    safety=safety_stock,
                    qty=qty,
                )
        return ""

    def _hub_flash_warehouse(self):
        code = self._hub_logistics_channel_code()
        if not code:
            return self.env["stock.warehouse"]
        when = self.date_order or fields.Datetime.now()
        flash = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("hub_is_flash_sale", "=", True), ("company_id", "=", self.company_id.id)])
        )
        return flash.filtered(lambda wh: wh._hub_serves(code, when))[:1].with_env(self.env)

    def _hub_warehouse_rules(self):
        """The company's warehouse rules, read as system configuration (sudo):
        any user allowed to confirm the order is routed by them."""
        return self.env["order.hub.warehouse.rule"].sudo().search([("company_id", "=", self.company_id.id)])

    def _hub_routing_applies(self):
        """True when logistics routing decides the warehouse of this order:
        a flash-sale warehouse serves its channel now, or a warehouse rule matches."""
        self.ensure_one()
        if not self.hub_in_scope:
            return False
        if self._hub_flash_warehouse():
            return True
        if not self._hub_needed_quantities():
            return False
        return any(not rule._mismatch(self) for rule in self._hub_warehouse_rules())

    def _hub_stock_gate_deferred(self):
        """Routing chooses the warehouse inside ``_action_confirm`` and handles
        "no warehouse can serve" itself (Exception stage + out-of-stock
        ticket), so the free-stock gate defers to it when it applies."""
        return super()._hub_stock_gate_deferred() or bool(self._hub_routing_at_confirmation())

    def _hub_route_warehouse(self, claimed=None):
        """Choose the warehouse; returns False when rules matched but none can serve.

        ``claimed`` (see ``_hub_shortage``) receives the quantities the
        order takes from the warehouse chosen by a rule."""
        self.ensure_one()
        flash = self._hub_flash_warehouse()
        if flash:
            self.write(
                {
                    "warehouse_id": flash.id,
                    "hub_route_rule_id": False,
                    "hub_route_note": _("Flash sale %(wh)s serves this channel now.", wh=flash.name),
                }
            )
            return True
        needed = self._hub_needed_quantities()
        rules = self._hub_warehouse_rules()
        if not needed or not rules:
            return True
        notes, matched = [], False
        for rule in rules:
            why = rule._mismatch(self)
            if why:
                notes.append(_("Rule %(rule)s skipped: %(why)s.", rule=rule.name, why=why))
                continue
            matched = True
            for line in rule.line_ids.filtered(lambda ln: not ln.warehouse_id.hub_is_flash_sale):
                shortage = self._hub_shortage(line.warehouse_id, rule.safety_stock, needed, claimed)
                if shortage:
                    notes.append(_("Rule %(rule)s: %(shortage)s.", rule=rule.name, shortage=shortage))
                    continue
                notes.append(_("Rule %(rule)s chose %(wh)s.", rule=rule.name, wh=line.warehouse_id.name))
                if claimed is not None:
                    for product, qty in needed.items():
                        claimed[line.warehouse_id.id, product.id] += qty
                self.write(
                    {
                        "warehouse_id": line.warehouse_id.id,
                        "hub_route_rule_id": rule.id,
                        "hub_route_note": "\n".join(notes),
                    }
                )
                return True
        if not matched:
            notes.append(_("No rule matched: the default warehouse is kept."))
            self.write({"hub_route_rule_id": False, "hub_route_note": "\n".join(notes)})
            return True
        notes.append(_("No warehouse can serve this order."))
        self.write({"hub_route_rule_id": False, "hub_route_note": "\n".join(notes)})
        return False

    def _hub_reservation_moves(self):
        # a gift with a promised re-ship date may be owed (order_hub's gift
        # pool): its move being unreserved does not make the order short
        return (
            super()
            ._hub_reservation_moves()
            .filtered(lambda m: not (m.sale_line_id.hub_is_gift and m.sale_line_id.hub_gift_promise_date))
        )

    def _hub_routing_decided(self):
        """True when routing chose the order's warehouse (a rule or a flash sale)."""
        self.ensure_one()
        return bool(self.hub_route_rule_id or self.warehouse_id.hub_is_flash_sale)

    def _hub_routing_short_reason(self):
        self.ensure_one()
        return _("No warehouse has the stock for this order: %(note)s", note=self.hub_route_note or "")

    def _hub_stock_short_reason(self):
        reason = super()._hub_stock_short_reason()
        if reason and self._hub_routing_decided():
            return self._hub_routing_short_reason()
        return reason

    def _hub_check_reservation(self, routed_out=False, notify=False):
        """Flag the stock state, judged by order_hub's ``_hub_short_moves``.
        With ``notify`` (a confirmation that reserved at once), an order left
        short opens its out-of-stock ticket (``_hub_on_stock_short``); a later
        reservation (``_hub_reserve``) notifies by itself, so that the ticket
        and the payload's note are written once.  When routing decided (a
        rule or a flash sale) and no warehouse could serve the order, it also
        goes to Exception."""
        self.ensure_one()
        if not self._hub_reservation_moves():
            return
        short = routed_out or bool(self._hub_short_moves())
        self.hub_stock_state = "out_of_stock" if short else "reserved"
        if not short:
            return
        if routed_out or self._hub_routing_decided():
            reason = self._hub_routing_short_reason()
            if notify:
                self._hub_on_stock_short(reason)
            self._hub_move_to("exception", source="system", reason=reason)
        elif notify and self.hub_in_scope:
            self._hub_on_stock_short(self._hub_stock_short_reason() or _("Not enough stock."))

    # ------------------------------------------------------------------
    # Carrier routing and delivery promise
    # ------------------------------------------------------------------
    def _hub_weight(self):
        return sum(line.product_id.weight * line.product_uom_qty for line in self.order_line)

    def _hub_route_carrier(self):
        self.ensure_one()
        if self.partner_id.commercial_partner_id.hub_customer_tier == "vip":
            sf = (
                self.env["delivery.carrier"]
                .sudo()
                .search([("delivery_type", "=", "sf_express"), ("hub_sf_express_type", "=", "1")], limit=1)
            )
            if sf:
                rule = self.env["order.hub.carrier.rule"].sudo().search([("carrier_id", "=", sf.id)], limit=1)
                self.write(
                    {
                        "carrier_id": sf.id,
                        "hub_carrier_rule_id": rule.id,
                        "hub_carrier_note": _(
                            "VIP customer: always SF Express next-morning (%(c)s).", c=sf.name
                        ),
                    }
                )
                return
        weight = self._hub_weight()
        notes, candidates = [], self.env["order.hub.carrier.rule"]
        carrier_rules = self.env["order.hub.carrier.rule"].sudo()
        for rule in carrier_rules.search([("company_id", "=", self.company_id.id)]):
            why = rule._mismatch(self, weight)
            if why:
                notes.append(_("Rule %(rule)s skipped: %(why)s.", rule=rule.name, why=why))
            else:
                candidates |= rule
        if not candidates:
            if notes:
                self.hub_carrier_note = "\n".join(notes + [_("No carrier rule matched.")])
            return
        best = candidates.sorted(lambda r: (r.cost, r.sequence, r.id))[0]
        for rule in candidates - best:
            notes.append(_("Rule %(rule)s matched but costs more.", rule=rule.name))
        notes.append(
            _(
                "Rule %(rule)s chose %(c)s (cost %(cost)s).",
                rule=best.name,
                c=best.carrier_id.name,
                cost=best.cost,
            )
        )
        self.write(
            {
                "carrier_id": best.carrier_id.id,
                "hub_carrier_rule_id": best.id,
                "hub_carrier_note": "\n".join(notes),
            }
        )

    def _hub_set_promise(self):
        """Promise from the channel when it sent one, else from the carrier rule."""
        self.ensure_one()
        rule = self.hub_carrier_rule_id
        if not rule:
            return
        now = fields.Datetime.now()
        values = {}
        if not self.hub_promised_ship_date:
            values["hub_promised_ship_date"] = now + timedelta(hours=rule.ship_hours)
        if not self.hub_promised_delivery_date:
            values["hub_promised_delivery_date"] = now + timedelta(
                hours=rule.ship_hours + rule.delivery_hours
            )
        if values:
            self.write(values)

    def _hub_record_signed(self, signed_at):
        self.ensure_one()
        values = {"hub_signed_date": signed_at}
        if self.hub_promised_delivery_date:
            values["hub_delivery_deviation_hours"] = (
                signed_at - self.hub_promised_delivery_date
            ).total_seconds() / 3600.0
        self.write(values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_hub_change_address(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change Delivery Address"),
            "res_model": "order.hub.address.change",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }
