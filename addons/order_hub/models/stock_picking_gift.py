from odoo import models


class StockPicking(models.Model):
    """Keeps the owed-gift pool in step with its re-ship deliveries.

    The pool is Order Hub's own bookkeeping: a warehouse clerk validating or
    cancelling a delivery needs no Order Hub role for it, so the gifts are
    read and written with ``sudo()`` (only the gifts; the picking itself
    stays under the user's rights)."""

    _inherit = "stock.picking"

    def _hub_gift_pool(self):
        return self.env["order.hub.gift"].sudo()

    def _action_done(self):
        result = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        if done:
            gifts = self._hub_gift_pool().search([("picking_id", "in", done.ids)])
            for picking in done:
                gifts.filtered(lambda g, picking=picking: g.picking_id == picking)._hub_picking_done(picking)
        return result

    def action_cancel(self):
        result = super().action_cancel()
        cancelled = self.filtered(lambda p: p.state == "cancel")
        if cancelled:
            self._hub_gift_pool().search([("picking_id", "in", cancelled.ids)])._hub_picking_cancelled()
        return result
