from collections import defaultdict

from odoo import models
from odoo.tools import float_round

# moves that still have to take their quantity from the stock shelves
OPEN_DEMAND_STATES = ("waiting", "confirmed", "partially_available")


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _hub_free_qty(self, warehouse):
        """``{product id: quantity free to promise}`` of these products in ``warehouse``.

        On hand minus reserved in the warehouse's locations (Odoo's
        ``free_qty``), minus what confirmed deliveries still have to take from
        the warehouse's stock but have not reserved yet.  Bulk confirmations
        defer their reservations (``hub_defer_reservation``): without the last
        term, every order confirmed before its reservation ran would still
        count as free stock and the next orders would oversell it.

        Read from the quants and the open moves (no ``free_qty``: its sums over
        all incoming and outgoing moves cost most of the time of a gate), fresh
        from the database, as the gates need.
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
        found = defaultdict(float)
        for product, quantity, reserved in groups:
            found[product.id] = quantity - reserved
        for product_id, promised in self._hub_unreserved_demand(warehouse).items():
            found[product_id] -= promised
        # and what confirmations still running have claimed (see order.hub.stock.claim)
        claims = self.env["order.hub.stock.claim"].sudo()._hub_live_quantities(self, warehouse)
        for product_id, claimed in claims.items():
            found[product_id] -= claimed
        return {
            product.id: float_round(found[product.id], precision_rounding=product.uom_id.rounding)
            for product in self
        }

    def _hub_unreserved_demand(self, warehouse):
        """``{product id: quantity}`` that open moves leaving the stock shelves
        of ``warehouse`` (a delivery, or the pick of a multi-step delivery)
        still need and have not reserved; make-to-order moves are supplied by
        their own procurement and do not count."""
        stock = warehouse.lot_stock_id
        if not self or not stock:
            return {}
        inside = [("location_dest_id.parent_path", "=like", f"{stock.parent_path}%")]
        groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", self.ids),
                    ("state", "in", OPEN_DEMAND_STATES),
                    ("procure_method", "=", "make_to_stock"),
                    ("location_id.parent_path", "=like", f"{stock.parent_path}%"),
                    "!",
                    *inside,
                ],
                ["product_id", "product_uom"],
                ["product_uom_qty:sum", "quantity:sum"],
            )
        )
        demand = defaultdict(float)
        for product, uom, wanted, reserved in groups:
            missing = max(wanted - reserved, 0.0)
            demand[product.id] += uom._compute_quantity(missing, product.uom_id, round=False)
        return demand
