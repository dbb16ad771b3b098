from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        for picking in self.filtered(lambda p: p.state == "done"):
            self.env["order.hub.gift"].search([("picking_id", "=", picking.id)])._hub_picking_done(picking)
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.env["order.hub.gift"].search(
            [("picking_id", "in", self.filtered(lambda p: p.state == "cancel").ids)]
        )._hub_picking_cancelled()
        return result
