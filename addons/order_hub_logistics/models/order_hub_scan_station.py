"""Server side of the warehouse scan station (client action ``order_hub_scan_station``).

Every scan goes through :meth:`OrderHubScanStation.scan`: a barcode opens a
batch (``stock.picking.batch``) or a delivery (order number, customer
reference, waybill number or delivery name), or counts a product of the open
delivery. Counts live on the delivery's moves (``stock.move.hub_scanned_qty``)
and are changed under a row lock on the delivery; a refused scan changes
nothing. The last right scan validates the delivery (Odoo's ``button_validate``
with the logistics rules: a platform order without a waybill first asks for
its carrier), which moves the order to Shipped (order_hub's ``_action_done``).
"""

from odoo import _, api, models
from odoo.exceptions import AccessError

WAREHOUSE_GROUP = "order_hub.group_order_hub_warehouse"


class OrderHubScanStation(models.AbstractModel):
    _name = "order.hub.scan.station"
    _description = "Warehouse Scan Station"

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------
    def _check_station_access(self):
        if not self.env.user.has_group(WAREHOUSE_GROUP):
            raise AccessError(_("Only the warehouse (Order Hub role Warehouse) uses the scan station."))

    @api.model
    def _station_domain(self):
        return [
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ("draft", "done", "cancel")),
            ("sale_id.hub_in_scope", "=", True),
        ]

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    @api.model
    def get_today(self):
        """Today's deliveries to ship (due by the end of today), overdue first."""
        self._check_station_access()
        pickings = self.env["stock.picking"].search(
            self._station_domain() + [("hub_ships_today", "=", True)], order="scheduled_date, id"
        )
        rows = [p._hub_scan_summary() for p in pickings]
        rows.sort(key=lambda r: (not r["overdue"], r["ship_by"] or "9999", r["id"]))
        batches = self.env["stock.picking.batch"].search(
            [
                ("state", "=", "in_progress"),
                ("picking_type_code", "=", "outgoing"),
                ("picking_ids.sale_id.hub_in_scope", "=", True),
            ],
            order="id desc",
            limit=200,
        )
        # a batch of one delivery is that delivery (Odoo's automatic batches by customer
        # make one per customer): only real batches are offered, the newest 20
        batches = batches.filtered(lambda b: len(b.picking_ids) > 1)[:20]
        return {
            "pickings": rows,
            "batches": [{"id": b.id, "name": b.name, "count": len(b.picking_ids)} for b in batches],
        }

    @api.model
    def get_picking(self, picking_id):
        self._check_station_access()
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            return {"ok": False, "message": _("This delivery no longer exists.")}
        return {"ok": True, "picking": picking._hub_scan_detail()}

    # ------------------------------------------------------------------
    # Scanning
    # ------------------------------------------------------------------
    @api.model
    def scan(self, barcode, picking_id=False, batch_id=False):
        """One scan: open a batch or a delivery, or count a product of the open one.

        :return: dict with ``ok`` (False: refused, nothing changed, the client
            alerts), ``message``, and ``picking`` / ``batch`` to show
        """
        self._check_station_access()
        barcode = (barcode or "").strip()
        if not barcode:
            return {"ok": False, "message": _("Empty scan.")}
        batch = self._find_batch(barcode)
        if batch:
            return {"ok": True, "batch": batch._hub_scan_detail(), "message": batch.name}
        batch = self.env["stock.picking.batch"].browse(batch_id).exists() if batch_id else None
        picking = self.env["stock.picking"].browse(picking_id).exists() if picking_id else None
        target = self._find_delivery(barcode)
        if target:
            if batch and target not in batch.picking_ids:
                return {
                    "ok": False,
                    "message": _("%(name)s is not in batch %(batch)s.", name=target.name, batch=batch.name),
                }
            return {"ok": True, "picking": target._hub_scan_detail(), "message": target.name}
        if not picking:
            return {
                "ok": False,
                "message": _("%(code)s is no delivery, order or batch to ship.", code=barcode),
            }
        return picking._hub_scan_product(barcode)

    def _find_batch(self, barcode):
        return self.env["stock.picking.batch"].search(
            [("name", "=", barcode), ("state", "in", ("draft", "in_progress"))], limit=1
        )

    def _find_delivery(self, barcode):
        """The open delivery a scan names: delivery name, waybill number,
        order number or customer reference of the order."""
        domain = self._station_domain() + [
            "|",
            "|",
            "|",
            ("name", "=", barcode),
            ("carrier_tracking_ref", "=", barcode),
            ("sale_id.name", "=", barcode),
            ("sale_id.client_order_ref", "=", barcode),
        ]
        return self.env["stock.picking"].search(domain, order="scheduled_date, id", limit=1)

    @api.model
    def validate(self, picking_id):
        """The station's Validate button: the same checks as the last scan."""
        self._check_station_access()
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            return {"ok": False, "message": _("This delivery no longer exists.")}
        return picking._hub_scan_validate()
