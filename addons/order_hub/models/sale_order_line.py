from odoo import api, models

from .sale_order import CREATING_CONTEXT_KEY, LINES_VIA_ORDER_CONTEXT_KEY

AUDITED_LINE_FIELDS = ("product_id", "product_uom_qty", "product_uom", "price_unit", "discount")


class SaleOrderLine(models.Model):
    """Audit trail of order lines: added, changed and removed lines, and the
    order total they move (when the line is edited on its own)."""

    _inherit = "sale.order.line"

    def _hub_audit_label(self):
        self.ensure_one()
        label = (
            f"{self.product_id.display_name or self.name} x {self.product_uom_qty:g} "
            f"{self.product_uom.name or ''} @ {self.price_unit:.2f}"
        )
        if self.discount:
            label += f" -{self.discount:g}%"
        return label

    def _hub_audited(self):
        if self.env.context.get(CREATING_CONTEXT_KEY):
            return self.browse()
        return self.filtered(lambda line: not line.display_type)

    def _hub_totals(self, orders):
        if self.env.context.get(LINES_VIA_ORDER_CONTEXT_KEY):
            return {}
        return {order.id: order._hub_format_field("amount_total") for order in orders}

    def _hub_log_totals(self, orders, before):
        audit = self.env["order.hub.audit.log"]
        for order in orders.exists():
            new = order._hub_format_field("amount_total")
            if order.id in before and before[order.id] != new:
                audit._record(order, "amount_total", before[order.id], new)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        audited = lines._hub_audited()
        if audited:
            audit = self.env["order.hub.audit.log"]
            for line in audited:
                audit._record(line.order_id, "order_line", False, line._hub_audit_label())
            if not self.env.context.get(LINES_VIA_ORDER_CONTEXT_KEY):
                # the total before these lines: recompute it without them
                for order in audited.order_id:
                    added = sum(audited.filtered(lambda li, o=order: li.order_id == o).mapped("price_total"))
                    before = order.amount_total - added
                    audit._record(
                        order,
                        "amount_total",
                        f"{before:.2f} {order.currency_id.name}",
                        order._hub_format_field("amount_total"),
                    )
        return lines

    def write(self, vals):
        audited = self._hub_audited() if set(vals) & set(AUDITED_LINE_FIELDS) else self.browse()
        labels = {line.id: line._hub_audit_label() for line in audited}
        totals = audited._hub_totals(audited.order_id)
        res = super().write(vals)
        audit = self.env["order.hub.audit.log"]
        for line in audited:
            new = line._hub_audit_label()
            if new != labels[line.id]:
                audit._record(line.order_id, "order_line", labels[line.id], new)
        audited._hub_log_totals(audited.order_id, totals)
        return res

    def unlink(self):
        audited = self._hub_audited()
        removed = [(line.order_id, line._hub_audit_label()) for line in audited]
        orders = audited.order_id
        totals = audited._hub_totals(orders)
        res = super().unlink()
        audit = self.env["order.hub.audit.log"]
        for order, label in removed:
            audit._record(order, "order_line", label, False)
        self.browse()._hub_log_totals(orders, totals)
        return res
