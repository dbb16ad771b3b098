from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .order_hub_warehouse_rule import channel_codes, split_codes


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    hub_is_flash_sale = fields.Boolean(
        "Flash-Sale Warehouse",
        help="A virtual warehouse holding the stock of one flash sale: orders of its channels during "
        "its window reserve only from it, and routing never sends other orders to it.",
    )
    hub_flash_start = fields.Datetime("Sale Starts")
    hub_flash_end = fields.Datetime("Sale Ends")
    hub_flash_channel_codes = fields.Char(
        "Channels Served", help="Comma-separated channel codes, e.g. douyin,wechat_shop."
    )
    hub_flash_return_leftovers = fields.Boolean(
        "Return Leftovers",
        default=True,
        help="At the end of the window move what is left to the return warehouse.",
    )
    hub_flash_return_warehouse_id = fields.Many2one(
        "stock.warehouse", "Return To", domain=[("hub_is_flash_sale", "=", False)]
    )
    hub_flash_returned = fields.Boolean("Leftovers Returned", readonly=True, copy=False)

    @api.constrains("hub_is_flash_sale", "hub_flash_start", "hub_flash_end", "hub_flash_channel_codes")
    def _check_hub_flash_sale(self):
        for warehouse in self.filtered("hub_is_flash_sale"):
            if not (warehouse.hub_flash_start and warehouse.hub_flash_end):
                raise ValidationError(
                    _("A flash-sale warehouse needs the start and end of its sales window.")
                )
            if warehouse.hub_flash_start >= warehouse.hub_flash_end:
                raise ValidationError(_("The flash sale must end after it starts: correct the sales window."))
            codes = split_codes(warehouse.hub_flash_channel_codes)
            known = channel_codes(self.env)
            if not codes or codes - known:
                raise ValidationError(
                    _(
                        "List the channels the flash sale serves using the codes %(known)s.",
                        known=", ".join(sorted(known)),
                    )
                )

    def _hub_serves(self, channel_code, when):
        self.ensure_one()
        return (
            self.hub_is_flash_sale
            and channel_code in split_codes(self.hub_flash_channel_codes)
            and self.hub_flash_start <= when <= self.hub_flash_end
        )

    def action_hub_import_flash_stock(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Flash-Sale Stock"),
            "res_model": "order.hub.flash.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warehouse_id": self.id},
        }

    def action_hub_return_leftovers(self):
        """Move every unreserved unit of the flash-sale stock to the return warehouse."""
        for warehouse in self:
            if not warehouse.hub_is_flash_sale or not warehouse.hub_flash_return_warehouse_id:
                raise UserError(_("Choose the warehouse the leftovers return to first."))
            moves = self.env["stock.move"]
            quants = self.env["stock.quant"].search(
                [("location_id", "child_of", warehouse.lot_stock_id.id), ("quantity", ">", 0)]
            )
            for product in quants.product_id:
                free = product.with_context(warehouse_id=warehouse.id).free_qty
                if free <= 0:
                    continue
                moves |= self.env["stock.move"].create(
                    {
                        "name": _("Flash-sale leftovers of %(wh)s", wh=warehouse.name),
                        "product_id": product.id,
                        "product_uom": product.uom_id.id,
                        "product_uom_qty": free,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": warehouse.hub_flash_return_warehouse_id.lot_stock_id.id,
                        "company_id": warehouse.company_id.id,
                    }
                )
            if moves:
                moves._action_confirm()
                moves._action_assign()
                for move in moves:
                    move.quantity = move.product_uom_qty
                moves.picked = True
                moves._action_done()
            warehouse.hub_flash_returned = True
        return True

    @api.model
    def _cron_hub_return_flash_leftovers(self):
        ended = self.search(
            [
                ("hub_is_flash_sale", "=", True),
                ("hub_flash_end", "<", fields.Datetime.now()),
                ("hub_flash_return_leftovers", "=", True),
                ("hub_flash_returned", "=", False),
                ("hub_flash_return_warehouse_id", "!=", False),
            ]
        )
        for warehouse in ended:
            with self.env.cr.savepoint():
                warehouse.action_hub_return_leftovers()
