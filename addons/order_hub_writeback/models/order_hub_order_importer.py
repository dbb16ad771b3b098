from odoo import models

from odoo.addons.order_hub_channels.connectors.decrypt import decryptable


class OrderHubOrderImporter(models.AbstractModel):
    _inherit = "order.hub.order.importer"

    def _after_import(self, ctx, imported):
        """Keep the ciphertexts of receivers the platform sent encrypted (next
        to the masked receiver the order gets), for a decryption when a
        waybill needs them (``order.hub.receiver``)."""
        receivers = self.env["order.hub.receiver"]
        for _rec, sale, order, _result in imported:
            if order.receiver.encrypted and decryptable(order.platform):
                receivers._hub_store(sale, order.receiver)
        return super()._after_import(ctx, imported)
