import base64
import csv
import io

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

HEADERS = {"product reference", "reference", "default_code", "sku", "商品编码"}
QTY_HEADERS = {"quantity", "qty", "数量"}


class OrderHubFlashImport(models.TransientModel):
    """Load a flash-sale warehouse's starting stock from CSV or XLSX
    (columns: product reference, quantity).  Every bad line is reported by
    number and nothing is imported unless every line is right."""

    _name = "order.hub.flash.import"
    _description = "Order Hub Flash-Sale Stock Import"

    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, domain=[("hub_is_flash_sale", "=", True)], ondelete="cascade"
    )
    file = fields.Binary(required=True)
    filename = fields.Char()

    def _rows(self):
        data = base64.b64decode(self.file or b"")
        if (self.filename or "").lower().endswith(".xlsx"):
            try:
                import openpyxl

                sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
                return [
                    ["" if cell is None else str(cell) for cell in row]
                    for row in sheet.iter_rows(values_only=True)
                ]
            except (ImportError, ValueError, KeyError, OSError) as exc:
                raise UserError(
                    _("The file is not a readable Excel workbook: save it again as .xlsx or .csv.")
                ) from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(_("The CSV file is not UTF-8: save it again as UTF-8 CSV.")) from exc
        return list(csv.reader(io.StringIO(text)))

    def _parse(self):
        """[(line number, product, quantity)] and [error sentences]."""
        rows = self._rows()
        errors, lines, seen = [], [], {}
        start = 1
        if rows and rows[0] and rows[0][0].strip().lower() in HEADERS | QTY_HEADERS:
            start = 2
            rows = rows[1:]
        products = self.env["product.product"].with_context(active_test=False)
        for number, row in enumerate(rows, start=start):
            cells = [c.strip() for c in row] + ["", ""]
            ref, qty_text = cells[0], cells[1]
            if not ref and not qty_text:
                continue
            if not ref:
                errors.append(_("Line %(n)s: the product reference is empty.", n=number))
                continue
            product = products.search([("default_code", "=", ref)], limit=1)
            if not product:
                errors.append(_("Line %(n)s: no product has the reference %(ref)s.", n=number, ref=ref))
            elif not product.is_storable:
                errors.append(_("Line %(n)s: %(ref)s is not a tracked stock product.", n=number, ref=ref))
            try:
                qty = float(qty_text)
            except ValueError:
                errors.append(
                    _("Line %(n)s: the quantity %(qty)s is not a number.", n=number, qty=qty_text or '""')
                )
                continue
            if float_compare(qty, 0, precision_digits=3) < 0:
                errors.append(_("Line %(n)s: the quantity cannot be negative.", n=number))
            if ref in seen:
                errors.append(
                    _(
                        "Line %(n)s: %(ref)s already appears on line %(first)s.",
                        n=number,
                        ref=ref,
                        first=seen[ref],
                    )
                )
            seen.setdefault(ref, number)
            if product:
                lines.append((number, product, qty))
        if not lines and not errors:
            errors.append(_("The file has no stock lines: one line per product reference and quantity."))
        return lines, errors

    def action_import(self):
        self.ensure_one()
        if not self.warehouse_id.hub_is_flash_sale:
            raise UserError(_("Stock can only be imported into a flash-sale warehouse."))
        lines, errors = self._parse()
        if errors:
            raise UserError(
                _(
                    "Nothing was imported. Correct these lines and import again:\n%(errors)s",
                    errors="\n".join(errors),
                )
            )
        location = self.warehouse_id.lot_stock_id
        quants = self.env["stock.quant"]
        for _number, product, qty in lines:
            quants |= (
                self.env["stock.quant"]
                .with_context(inventory_mode=True)
                .create({"product_id": product.id, "location_id": location.id, "inventory_quantity": qty})
            )
        quants.action_apply_inventory()
        return {"type": "ir.actions.act_window_close"}
