from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """A done delivery of a platform order is written back to its platform
        (carrier and tracking number), in a job; not when the platform itself
        said the order shipped."""
        res = super()._action_done()
        shipped = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        orders = shipped.sudo().sale_id._hub_writes_back()
        if orders:
            self.env["order.hub.writeback"]._hub_push_shipments(
                shipped.filtered(lambda p: p.sudo().sale_id in orders)
            )
        return res
