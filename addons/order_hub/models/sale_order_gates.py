from collections import defaultdict

from odoo import fields, models
from odoo.tools import float_compare

from .sale_order_claims import CLAIM_KEY

QUOTATION_STATES = ("draft", "sent")
# context key: (ids of the orders checked together, ids of those short of stock)
STOCK_SHORT_KEY = "hub_stock_short_batch"


class SaleOrder(models.Model):
    """Checks behind the default confirmation gates.

    The gates themselves are OCA ``exception.rule`` records (data file
    ``exception_rule_data.xml``, active by default, editable by managers)
    whose code calls these methods, e.g. ``failed = self._hub_gate_stock_short()``.
    Other addons add their own gates the same way.
    """

    _inherit = "sale.order"

    def _hub_gate_credit_limit_exceeded(self):
        """True when the customer's credit limit is below its unpaid invoices
        plus the uninvoiced part of its open orders plus this order."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        partner = order.partner_invoice_id.commercial_partner_id or order.partner_id.commercial_partner_id
        limit = partner.credit_limit
        if not limit:
            return False
        company = order.company_id
        today = fields.Date.context_today(order)
        open_orders = order.search(
            [
                ("company_id", "=", company.id),
                ("partner_invoice_id.commercial_partner_id", "=", partner.id),
                ("state", "=", "sale"),
                ("id", "!=", order._origin.id or 0),
            ]
        )
        to_invoice = sum(
            other.currency_id._convert(other.amount_to_invoice, company.currency_id, company, today)
            for other in open_orders
        )
        current = order.currency_id._convert(order.amount_total, company.currency_id, company, today)
        total = partner.credit + to_invoice + current
        return float_compare(total, limit, precision_rounding=company.currency_id.rounding) > 0

    def _hub_stock_gate_deferred(self):
        """True when another mechanism chooses the warehouse at confirmation
        and handles a shortage itself, so the free-stock gate must not judge
        the order's current warehouse.  The logistics addon returns True when
        its routing (flash-sale warehouse or warehouse rule) applies: routing
        picks a warehouse that has the stock, or flags the order out of stock
        with a ticket."""
        self.ensure_one()
        return False

    def _hub_gate_stock_short(self):
        """True when the free stock of the order's warehouse cannot cover a
        storable product of the order (only checked before confirmation:
        afterwards the order's own demand is part of the stock figures).

        When several orders are confirmed together, the exception rules are
        evaluated for all of them before any is confirmed: the stock is then
        shared out among them in order of arrival (``_hub_stock_short_orders``
        on the whole batch, passed down in the context), so that the batch
        never promises more than the stock covers.  Gift lines are left to
        the gift gate: a short gift needs a promised re-ship date and then
        becomes an owed gift shipped later, outside this delivery."""
        self.ensure_one()
        batch_short = self.env.context.get(STOCK_SHORT_KEY)
        if batch_short is not None and self.id in batch_short[0]:
            return self.id in batch_short[1]
        return bool(self._hub_stock_short_orders())

    def _hub_stock_wanted(self):
        """``{product: quantity in its unit}`` the free-stock gate checks."""
        self.ensure_one()
        wanted = defaultdict(float)
        for line in self.order_line.filtered(
            lambda li: li.product_id.is_storable and not li.display_type and not li.hub_is_gift
        ):
            wanted[line.product_id] += line.product_uom._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id
            )
        return wanted

    def _hub_stock_rule(self):
        """The free-stock exception rule (read as the hub: its settings are
        data), or an empty record when it was deleted."""
        rule = self.env.ref("order_hub.exception_rule_stock_short", raise_if_not_found=False)
        return rule.sudo() if rule else self.env["exception.rule"]

    def _hub_stock_short_orders(self):
        """The orders of ``self`` the free stock cannot cover.

        Reads the quantity free to promise (``product._hub_free_qty``: on hand
        minus reserved minus what confirmed deliveries still need) under the
        stock locks (``_hub_lock_stock``), then gives it to the orders one
        after the other in order of arrival: an order that fits takes its
        quantities, the next ones see what is left.  Orders whose warehouse is
        chosen by routing at confirmation are left to it.  With ``CLAIM_KEY``
        in the context (the confirmation jobs), the locks are held only for
        the check and the claims (``_hub_claim_stock``).
        """
        rule = self._hub_stock_rule()
        hub_only = not rule or rule.hub_only
        todo = self.filtered(
            lambda o: o.state in QUOTATION_STATES
            and (o.hub_in_scope or not hub_only)
            and not o._hub_stock_gate_deferred()
        ).sorted("id")
        wanted = {order: order._hub_stock_wanted() for order in todo}
        todo = todo.filtered(lambda o: wanted[o])
        if not todo:
            return self.browse()
        if self.env.context.get(CLAIM_KEY):
            short = todo._hub_claim_stock([(order, wanted[order]) for order in todo])
            if short is not None:
                return short
        todo._hub_lock_stock()
        plan = [
            (order.id, order.warehouse_id.id, {product.id: qty for product, qty in wanted[order].items()})
            for order in todo
        ]
        return self.browse(self._hub_share_out(plan))

    def _hub_share_out(self, plan):
        """Give the quantity free to promise to the orders of ``plan`` one after
        the other; returns the ids of those it cannot cover (an order without
        warehouse included).  ``plan``: ``[(order id, warehouse id, {product
        id: quantity})]`` in order of arrival.  Reads the stock fresh (it may
        have moved since this transaction last looked): the caller holds the
        stock locks, in its own transaction or in a claiming one
        (``_hub_claim_stock``)."""
        Product = self.env["product.product"]
        by_warehouse = defaultdict(set)
        for _order_id, warehouse_id, wanted in plan:
            by_warehouse[warehouse_id].update(wanted)
        free = {
            warehouse_id: Product.browse(product_ids)._hub_free_qty(
                self.env["stock.warehouse"].browse(warehouse_id)
            )
            for warehouse_id, product_ids in by_warehouse.items()
            if warehouse_id
        }
        short = []
        for order_id, warehouse_id, wanted in plan:
            left = free.get(warehouse_id)
            if left is None or any(
                float_compare(qty, left.get(pid, 0.0), precision_rounding=Product.browse(pid).uom_id.rounding)
                > 0
                for pid, qty in wanted.items()
            ):
                short.append(order_id)
                continue
            for pid, qty in wanted.items():
                left[pid] -= qty
        return short

    def _get_exceptions(self):
        # the exception rules are evaluated order by order: share the stock
        # out among the orders checked together first (see
        # _hub_gate_stock_short); also for one order, so that the stock locks
        # are taken here, where a concurrent confirmation's serialisation
        # failure reaches the caller (inside a rule's code, base_exception
        # would turn it into a rule error)
        rule = self._hub_stock_rule()
        if STOCK_SHORT_KEY in self.env.context or not (rule and rule.active):
            return super()._get_exceptions()
        short = self._hub_stock_short_orders()
        batch = self.with_context(**{STOCK_SHORT_KEY: (frozenset(self.ids), frozenset(short.ids))})
        return super(SaleOrder, batch)._get_exceptions()

    def _hub_gate_province_not_covered(self):
        """True when the company lists covered provinces and the delivery
        address is in none of them (or has no province)."""
        self.ensure_one()
        covered = self.company_id.order_hub_covered_state_ids
        if not covered:
            return False
        return self.partner_shipping_id.state_id not in covered
