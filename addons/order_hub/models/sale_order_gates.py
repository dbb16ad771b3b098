from odoo import fields, models
from odoo.tools import float_compare

QUOTATION_STATES = ("draft", "sent")


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
        """True when a storable product is ordered above the free stock of the
        order's warehouse (only checked before confirmation: afterwards the
        order's own reservation is part of the stock).  Gift lines are left to
        the gift gate: a short gift needs a promised re-ship date and then
        becomes an owed gift shipped later, outside this delivery."""
        self.ensure_one()
        if self.state not in QUOTATION_STATES or self._hub_stock_gate_deferred():
            return False
        wanted = {}
        for line in self.order_line.filtered(
            lambda li: li.product_id.is_storable and not li.display_type and not li.hub_is_gift
        ):
            qty = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            wanted[line.product_id] = wanted.get(line.product_id, 0.0) + qty
        # read fresh: stock may have moved since this transaction last looked
        products = self.env["product.product"].union(*wanted)
        free_qty = products._hub_free_qty(self.warehouse_id)
        for product, qty in wanted.items():
            free = free_qty[product.id]
            if float_compare(qty, free, precision_rounding=product.uom_id.rounding) > 0:
                return True
        return False

    def _hub_gate_province_not_covered(self):
        """True when the company lists covered provinces and the delivery
        address is in none of them (or has no province)."""
        self.ensure_one()
        covered = self.company_id.order_hub_covered_state_ids
        if not covered:
            return False
        return self.partner_shipping_id.state_id not in covered
