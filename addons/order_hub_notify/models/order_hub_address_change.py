from odoo import models

DONE_STATES = ("applied", "carrier_done")


class OrderHubAddressChange(models.Model):
    _inherit = "order.hub.address.change"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in DONE_STATES:
            self.env["order.hub.notification"]._hub_notify(self.order_id, "address_changed")
        return result
