from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class SaleOrder(models.Model):
    """Shipped means the delivery is done.

    "Mark shipped" (by hand: ``action_hub_move``, the status bar; by the
    platform's status in order_hub_channels) validates the order's open
    deliveries through ``_hub_validate_deliveries`` when they are fully
    reserved or picked, and otherwise says why; the stage then follows the
    validated delivery (``stock.picking._action_done``).
    """

    _inherit = "sale.order"

    def _hub_outgoing_pickings(self):
        self.ensure_one()
        return self.sudo().picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )

    def _hub_deliveries_done(self):
        """True when the order has outgoing deliveries and all of them are done."""
        outgoing = self._hub_outgoing_pickings()
        return bool(outgoing) and all(p.state == "done" for p in outgoing)

    def _hub_delivery_not_ready(self, pickings):
        """Why these open deliveries cannot be validated as they are, or ""."""
        for picking in pickings:
            for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                short = float_compare(
                    move.quantity, move.product_uom_qty, precision_rounding=move.product_uom.rounding
                )
                if short < 0 or not (move.state == "assigned" or move.picked):
                    return _(
                        "Delivery %(picking)s is not fully reserved: %(product)s has %(qty)s of "
                        "%(wanted)s %(uom)s reserved or picked.",
                        picking=picking.name,
                        product=move.product_id.display_name,
                        qty=move.quantity,
                        wanted=move.product_uom_qty,
                        uom=move.product_uom.name,
                    )
        return ""

    def _hub_validate_deliveries(self):
        """Validate the open outgoing deliveries of a confirmed order when
        every move is fully reserved (or picked); returns "" when the order's
        deliveries are done, else the reason nothing was validated.  Used by
        "mark shipped" (by hand or by the platform's status)."""
        self.ensure_one()
        if self.state != "sale":
            return _("Order %(order)s is not confirmed, so it has no delivery to ship.", order=self.name)
        outgoing = self._hub_outgoing_pickings()
        if not outgoing:
            return _("Order %(order)s has no delivery to ship.", order=self.name)
        pending = outgoing.filtered(lambda p: p.state != "done").with_env(self.env)
        if not pending:
            return ""
        reason = self._hub_delivery_not_ready(pending)
        if reason:
            return reason
        result = pending.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if isinstance(result, dict) or not self._hub_deliveries_done():
            raise UserError(
                _(
                    "Delivery %(picking)s needs a decision in its own form before it can be validated.",
                    picking=", ".join(pending.mapped("name")),
                )
            )
        return ""
