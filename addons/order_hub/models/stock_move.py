from odoo import models


class StockMove(models.Model):
    """Reports preparation progress of sale deliveries to the order's stage."""

    _inherit = "stock.move"

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self.picking_id._hub_notify_preparation()
        return res

    def write(self, vals):
        res = super().write(vals)
        if vals.get("picked"):
            self.picking_id._hub_notify_preparation()
        return res
