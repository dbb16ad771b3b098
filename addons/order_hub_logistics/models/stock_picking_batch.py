from odoo import models


class StockPickingBatch(models.Model):
    """A batch on the scan station: scan the batch, then each of its orders."""

    _inherit = "stock.picking.batch"

    def _hub_scan_detail(self):
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.state not in ("draft", "cancel"))
        return {
            "id": self.id,
            "name": self.name,
            "pickings": [p._hub_scan_summary() | {"done": p.state == "done"} for p in pickings],
        }
