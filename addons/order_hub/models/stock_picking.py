from odoo import models


class StockPicking(models.Model):
    """Business events of sale deliveries for the Order Hub stages:
    reserved or started -> Preparing, every outgoing picking done -> Shipped."""

    _inherit = "stock.picking"

    def _hub_notify_preparation(self):
        pickings = self.filtered(
            lambda p: p.sale_id
            and p.picking_type_code != "incoming"
            and (p.state == "assigned" or any(p.move_ids.mapped("picked")))
        )
        if pickings:
            pickings.sale_id._hub_on_picking_reserved()

    def _action_done(self):
        res = super()._action_done()
        shipped = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        for order in shipped.sale_id:
            outgoing = order.sudo().picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
            )
            if all(p.state == "done" for p in outgoing):
                order._hub_on_shipped()
            else:
                order._hub_on_picking_reserved()
        return res
