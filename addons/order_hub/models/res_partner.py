from odoo import models

ADDRESS_FIELDS = ("street", "street2", "city", "state_id", "zip", "country_id", "phone", "mobile")
CLOSED_STAGE_CODES = ("done", "cancelled")


class ResPartner(models.Model):
    """Editing the address of a contact used as delivery address changes the
    delivery address of its open orders: the audit trail of each order says so."""

    _inherit = "res.partner"

    def write(self, vals):
        if not set(vals) & set(ADDRESS_FIELDS) or self.env.context.get("install_mode"):
            return super().write(vals)
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_shipping_id", "in", self.ids),
                    ("state", "!=", "cancel"),
                    ("hub_stage_id.code", "not in", CLOSED_STAGE_CODES),
                ]
            )
        )
        before = {order.id: order._hub_format_field("partner_shipping_id") for order in orders}
        res = super().write(vals)
        audit = self.env["order.hub.audit.log"]
        for order in orders:
            after = order._hub_format_field("partner_shipping_id")
            if after != before[order.id]:
                audit._record(order.with_env(self.env), "partner_shipping_id", before[order.id], after)
        return res
