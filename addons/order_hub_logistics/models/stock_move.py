from odoo import fields, models
from odoo.tools import float_compare


class StockMove(models.Model):
    _inherit = "stock.move"

    # counted by the scan station (order.hub.scan.station), server-side so
    # that two phones or a reload neither lose nor double a count
    hub_scanned_qty = fields.Float(
        string="Scanned", digits="Product Unit of Measure", copy=False, readonly=True
    )

    def _hub_scan_complete(self):
        self.ensure_one()
        rounding = self.product_uom.rounding
        return float_compare(self.hub_scanned_qty, self.product_uom_qty, precision_rounding=rounding) >= 0
