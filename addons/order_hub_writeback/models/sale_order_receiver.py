from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_hub.models.sale_order import HUB_ROLE_GROUPS

from .order_hub_receiver import RECEIVER_STATE


class SaleOrder(models.Model):
    """The state of a platform's encrypted receiver on its order; the order
    itself keeps the masked receiver (``partner_shipping_id``)."""

    _inherit = "sale.order"

    hub_receiver_ids = fields.One2many(
        "order.hub.receiver", "sale_order_id", "Encrypted Receiver", groups=HUB_ROLE_GROUPS
    )
    hub_receiver_state = fields.Selection(
        RECEIVER_STATE,
        "Receiver",
        compute="_compute_hub_receiver_state",
        store=True,
        index="btree_not_null",
        groups=HUB_ROLE_GROUPS,
        help="Whether the receiver the platform sent encrypted is decrypted for the waybill.",
    )
    hub_receiver_error = fields.Text(
        "Decryption Problem", compute="_compute_hub_receiver_error", groups=HUB_ROLE_GROUPS
    )

    @api.depends("hub_receiver_ids.state")
    def _compute_hub_receiver_state(self):
        for order in self:
            order.hub_receiver_state = order.sudo().hub_receiver_ids[:1].state or False

    @api.depends("hub_receiver_ids.error")
    def _compute_hub_receiver_error(self):
        for order in self:
            order.hub_receiver_error = order.sudo().hub_receiver_ids[:1].error or False

    def _action_confirm(self):
        """The deliveries exist now: when their carrier makes waybills through
        its API, the encrypted receiver is decrypted (in a job)."""
        result = super()._action_confirm()
        self.sudo().hub_receiver_ids._hub_request()
        return result

    def action_hub_retry_decrypt(self):
        """Retry Decryption (customer service, warehouse)."""
        receivers = self.sudo().hub_receiver_ids
        if not receivers:
            raise UserError(_("The receiver of this order is not encrypted."))
        return receivers.with_env(self.env).action_retry()
