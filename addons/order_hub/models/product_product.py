from odoo import models
from odoo.tools import float_round


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _hub_free_qty(self, warehouse):
        """``{product id: free quantity}`` of these products in ``warehouse``.

        The same figure as ``free_qty`` (on hand minus reserved in the
        warehouse's locations), read from the quants alone: ``free_qty`` is
        computed together with the incoming and outgoing quantities, whose sums
        over all open stock moves cost most of the time of a confirmation gate.
        Read fresh from the database (no field cache), as the gates need.
        """
        products = self.with_context(warehouse_id=warehouse.id, active_test=False)
        domain_quant_loc = products._get_domain_locations()[0]
        groups = (
            self.env["stock.quant"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("product_id", "in", self.ids), *domain_quant_loc],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        found = {product.id: quantity - reserved for product, quantity, reserved in groups}
        return {
            product.id: float_round(found.get(product.id, 0.0), precision_rounding=product.uom_id.rounding)
            for product in self
        }
