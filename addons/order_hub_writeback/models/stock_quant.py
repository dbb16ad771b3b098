from odoo import api, models

# quant fields whose change changes the free stock
FREE_FIELDS = ("quantity", "reserved_quantity", "location_id", "product_id")


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        self.env["order.hub.stock.state"]._hub_stock_changed(quants.product_id)
        return quants

    def write(self, vals):
        products = self.product_id if any(key in vals for key in FREE_FIELDS) else None
        result = super().write(vals)
        if products is not None:
            self.env["order.hub.stock.state"]._hub_stock_changed(products | self.product_id)
        return result

    def _apply_inventory(self):
        """An inventory adjustment may settle a cloud warehouse's reported
        difference: the paused products are compared again."""
        products = self.product_id
        result = super()._apply_inventory()
        self.env["order.hub.inventory.report"]._hub_recheck(products)
        return result
