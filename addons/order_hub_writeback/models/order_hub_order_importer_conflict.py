from odoo import _, models

# the importer keeps this shipping partner (the address conflict keeps the platform's)
KEEP_SHIPPING_CONTEXT_KEY = "order_hub_keep_shipping_partner"


class OrderHubOrderImporter(models.AbstractModel):
    """An address the platform changed after a waybill was printed (a
    delivery of the order has a tracking number) is not applied: it opens an
    address conflict that keeps the platform's address as a contact.  On a
    locked order no address from the platform is applied; it is noted on the
    open conflicts."""

    _inherit = "order.hub.order.importer"

    def _shipping_partner(self, ctx, customer, order):
        keep = self.env.context.get(KEEP_SHIPPING_CONTEXT_KEY)
        if keep:
            return self.env["res.partner"].browse(keep)
        return super()._shipping_partner(ctx, customer, order)

    def _update_order(self, ctx, rec, sale, order):
        if self._is_uptodate(sale, order) or sale.state == "cancel" or not sale._hub_conflict_scope():
            return super()._update_order(ctx, rec, sale, order)
        waybills = sale._hub_outgoing_pickings().filtered("carrier_tracking_ref")
        locked = sale.sudo().hub_conflict_locked
        if not waybills and not locked:
            return super()._update_order(ctx, rec, sale, order)
        platform_partner = self._shipping_partner(ctx, sale.partner_id, order)
        importer = self
        if platform_partner != sale.partner_shipping_id:
            if waybills:
                self.env["order.hub.conflict"]._hub_open(
                    sale,
                    "address_after_waybill",
                    payload=rec,
                    platform_partner=platform_partner,
                    note=_(
                        "The platform changed the address after waybill %(waybills)s was printed.",
                        waybills=", ".join(waybills.mapped("carrier_tracking_ref")),
                    ),
                )
            else:
                sale._hub_locked(_("Address from the platform not applied: the order is locked."))
            importer = self.with_context(**{KEEP_SHIPPING_CONTEXT_KEY: sale.partner_shipping_id.id})
        return super(OrderHubOrderImporter, importer)._update_order(ctx, rec, sale, order)
