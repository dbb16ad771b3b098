from odoo import _, fields, models
from odoo.exceptions import AccessError

from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER


class ProductProduct(models.Model):
    _inherit = "product.product"

    hub_stock_paused = fields.Boolean(
        "Stock Publishing Paused",
        copy=False,
        tracking=True,
        help="Publish 0 for this product on every channel (set by a manager, or by the inventory "
        "sentinel when a warehouse's figure and Odoo's disagree).",
    )

    def write(self, vals):
        if "hub_stock_paused" in vals and not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(
                _("Only Order Hub managers can pause or resume the stock publishing of a product.")
            )
        changed = (
            self.filtered(lambda p: p.hub_stock_paused != bool(vals["hub_stock_paused"]))
            if ("hub_stock_paused" in vals)
            else self.browse()
        )
        result = super().write(vals)
        if changed:
            self.env["order.hub.stock.state"]._hub_stock_changed(changed)
        return result
