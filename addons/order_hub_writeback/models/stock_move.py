from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, merge=True, merge_into=False):
        """A confirmed delivery promises its units before it reserves them:
        the free stock changes now (quant changes are seen by ``stock.quant``)."""
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        self.env["order.hub.stock.state"]._hub_stock_changed(moves.product_id)
        return moves

    def _action_cancel(self):
        products = self.product_id
        result = super()._action_cancel()
        self.env["order.hub.stock.state"]._hub_stock_changed(products)
        return result
