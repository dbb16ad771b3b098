from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero


class StockPicking(models.Model):
    """Deliveries as the scan station counts and validates them
    (``order.hub.scan.station``)."""

    _inherit = "stock.picking"

    def _hub_scan_lock(self):
        """Row lock on the delivery for the rest of the transaction: two
        phones counting the same delivery wait for each other, then read the
        counts the other one wrote."""
        self.env.cr.execute(SQL("SELECT id FROM stock_picking WHERE id IN %s FOR UPDATE", tuple(self.ids)))
        self.invalidate_recordset(["state"])
        self.move_ids.invalidate_recordset(["hub_scanned_qty", "state", "quantity", "picked"])

    def _hub_scan_moves(self):
        return self.move_ids.filtered(lambda m: m.state != "cancel")

    def _hub_scan_ship_by(self):
        self.ensure_one()
        return self.sudo().sale_id.hub_promised_ship_date or self.scheduled_date

    def _hub_scan_summary(self):
        self.ensure_one()
        order = self.sudo().sale_id
        ship_by = self._hub_scan_ship_by()
        moves = self._hub_scan_moves()
        return {
            "id": self.id,
            "name": self.name,
            "order": order.name or "",
            "customer": self.partner_id.display_name or "",
            "waybill": self.carrier_tracking_ref or "",
            "ship_by": fields.Datetime.to_string(ship_by) if ship_by else False,
            "overdue": bool(ship_by and ship_by < fields.Datetime.now()),
            "stage": order.hub_stage_id.display_name or "",
            "barcodes": [m.product_id.barcode or m.product_id.default_code or "" for m in moves],
            "gift": any(m.sale_line_id.hub_is_gift for m in moves)
            or bool(order.hub_gift_ids.picking_id & self),
            "scanned": sum(moves.mapped("hub_scanned_qty")),
            "demand": sum(moves.mapped("product_uom_qty")),
        }

    def _hub_scan_detail(self):
        self.ensure_one()
        order = self.sudo().sale_id
        lines = [
            {
                "id": move.id,
                "product": move.product_id.display_name,
                "barcode": move.product_id.barcode or move.product_id.default_code or "",
                "demand": move.product_uom_qty,
                "scanned": move.hub_scanned_qty,
                "uom": move.product_uom.name,
                "gift": bool(move.sale_line_id.hub_is_gift),
                "done": move._hub_scan_complete(),
            }
            for move in self._hub_scan_moves()
        ]
        # owed gifts (gift pool) of the order not in this delivery: the
        # picker sees they ship later, with their own re-ship delivery
        owed = order.hub_gift_ids.filtered(lambda g: g.state == "owed" and g.picking_id != self)
        return {
            **self._hub_scan_summary(),
            "state": self.state,
            "done": self.state == "done",
            "lines": lines,
            "owed_gifts": [
                {
                    "product": gift.product_id.display_name,
                    "quantity": gift.quantity,
                    "promised": fields.Date.to_string(gift.promised_date),
                }
                for gift in owed
            ],
            "complete": bool(lines) and all(line["done"] for line in lines),
            "print": self._hub_scan_print() if self.state == "done" else False,
        }

    def _hub_scan_print(self):
        """The waybill PDF the carrier attached to the delivery, else Odoo's delivery slip."""
        self.ensure_one()
        label = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "stock.picking"),
                    ("res_id", "=", self.id),
                    ("mimetype", "=", "application/pdf"),
                ],
                order="id desc",
                limit=1,
            )
        )
        if label:
            return {"url": f"/web/content/{label.id}", "label": _("Print Waybill")}
        return {"url": f"/report/pdf/stock.report_deliveryslip/{self.id}", "label": _("Print Delivery Slip")}

    def _hub_scan_refuse(self, message):
        return {"ok": False, "message": message, "picking": self._hub_scan_detail()}

    def _hub_scan_product(self, barcode):
        """Count one unit of the product scanned on this delivery, or refuse
        (wrong product, product of another order, over-scan) and change nothing."""
        self.ensure_one()
        self._hub_scan_lock()
        if self.state in ("done", "cancel"):
            return self._hub_scan_refuse(_("%(name)s is already closed.", name=self.name))
        moves = self._hub_scan_moves().filtered(
            lambda m: barcode in (m.product_id.barcode, m.product_id.default_code)
        )
        if not moves:
            return self._hub_scan_refuse(self._hub_scan_wrong_product_message(barcode))
        move = moves.filtered(lambda m: not m._hub_scan_complete())[:1]
        if not move:
            demand = "{:g}".format(sum(moves.mapped("product_uom_qty")))
            return self._hub_scan_refuse(
                _(
                    "Over-scan: %(product)s is complete (%(qty)s).",
                    product=moves[0].product_id.display_name,
                    qty=demand,
                )
            )
        unit = move.product_id.uom_id._compute_quantity(1.0, move.product_uom)
        move.hub_scanned_qty = min(move.hub_scanned_qty + unit, move.product_uom_qty)
        if all(m._hub_scan_complete() for m in self._hub_scan_moves()):
            return self._hub_scan_validate()
        return {"ok": True, "message": move.product_id.display_name, "picking": self._hub_scan_detail()}

    def _hub_scan_wrong_product_message(self, barcode):
        product = self.env["product.product"].search(
            ["|", ("barcode", "=", barcode), ("default_code", "=", barcode)], limit=1
        )
        if not product:
            return _("%(code)s is no product of this delivery.", code=barcode)
        other = self.search(
            self.env["order.hub.scan.station"]._station_domain()
            + [("id", "!=", self.id), ("move_ids.product_id", "=", product.id)],
            limit=1,
        )
        if other:
            return _(
                "%(product)s belongs to another order (%(other)s), not to %(name)s.",
                product=product.display_name,
                other=other.sudo().sale_id.name or other.name,
                name=self.sudo().sale_id.name or self.name,
            )
        return _("%(product)s is not on this delivery.", product=product.display_name)

    def _hub_scan_validate(self):
        """Validate the delivery once every line is scanned, re-checking the
        counts under the row lock; Odoo's validation and the logistics rules
        apply (a platform delivery without a waybill asks for its carrier)."""
        self.ensure_one()
        self._hub_scan_lock()
        if self.state in ("done", "cancel"):
            return self._hub_scan_refuse(_("%(name)s is already closed.", name=self.name))
        missing = self._hub_scan_moves().filtered(lambda m: not m._hub_scan_complete())
        if missing:
            return self._hub_scan_refuse(
                _(
                    "Still to scan: %(products)s.",
                    products=", ".join(missing.product_id.mapped("display_name")),
                )
            )
        try:
            with self.env.cr.savepoint():
                for move in self._hub_scan_moves():
                    move.write({"quantity": move.hub_scanned_qty, "picked": True})
                result = self.button_validate()
        except UserError as error:
            # e.g. the carrier refused or could not be reached for the waybill:
            # the counts stay, the picker retries with Validate
            return self._hub_scan_refuse(
                _("%(name)s is not shipped: %(reason)s", name=self.name, reason=error.args[0])
            )
        if isinstance(result, dict):
            # a question first (carrier and tracking number of a platform
            # order): the client opens it and reloads the delivery after
            return {"ok": True, "action": result, "picking": self._hub_scan_detail()}
        return {
            "ok": True,
            "message": _("%(name)s shipped.", name=self.name),
            "picking": self._hub_scan_detail(),
        }

    def _action_done(self):
        scanned = self.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and any(
                not float_is_zero(m.hub_scanned_qty, precision_rounding=m.product_uom.rounding)
                for m in p.move_ids
            )
        )
        res = super()._action_done()
        audit = self.env["order.hub.audit.log"]
        for picking in scanned.filtered(lambda p: p.state == "done" and p.sale_id):
            lines = ", ".join(
                f"{m.product_id.display_name} {m.hub_scanned_qty:g}/{m.product_uom_qty:g}"
                for m in picking._hub_scan_moves()
            )
            audit._record(
                picking.sudo().sale_id,
                "hub_scan_validation",
                False,
                _("%(name)s validated by scan: %(lines)s", name=picking.name, lines=lines),
            )
        return res
