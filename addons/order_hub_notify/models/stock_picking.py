from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("carrier_tracking_ref"):
            # a tracking number added after the order reached Shipped
            orders = self.sale_id.filtered(lambda o: o.hub_stage_code in ("shipped", "in_transit"))
            self.env["order.hub.notification"]._hub_notify(orders, "shipped")
        return result
