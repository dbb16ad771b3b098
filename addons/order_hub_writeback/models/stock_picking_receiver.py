from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .order_hub_receiver import RECEIVER_STATE

# carriers that make no waybill through an API (no receiver is sent anywhere)
NO_API_CARRIERS = ("fixed", "base_on_rule")


class StockPicking(models.Model):
    """A delivery asks its carrier for a waybill (Odoo's ``send_to_shipper``,
    at validation or with *Send to Shipper*) with the receiver decrypted:
    confirming an order whose delivery has a carrier that makes waybills
    through its API (``sale.order._action_confirm``), or giving an open
    delivery such a carrier later, queues the decryption, and the waybill is
    refused while the receiver is not decrypted."""

    _inherit = "stock.picking"

    hub_receiver_state = fields.Selection(
        RECEIVER_STATE, "Receiver", compute="_compute_hub_receiver_state", compute_sudo=True
    )
    hub_receiver_error = fields.Text(
        "Decryption Problem", compute="_compute_hub_receiver_state", compute_sudo=True
    )

    @api.depends("sale_id")
    def _compute_hub_receiver_state(self):
        for picking in self:
            receiver = picking.sale_id.hub_receiver_ids[:1]
            picking.hub_receiver_state = receiver.state or False
            picking.hub_receiver_error = receiver.error or False

    def _hub_sends_receiver(self):
        """True when a waybill request for this delivery sends its receiver to a carrier's API."""
        self.ensure_one()
        carrier = self.carrier_id
        return bool(
            carrier
            and carrier.integration_level == "rate_and_ship"
            and carrier.delivery_type not in NO_API_CARRIERS
            and self.picking_type_code == "outgoing"
            and not self.carrier_tracking_ref
        )

    def _hub_requests_waybill(self):
        """True when validating this open delivery asks its carrier for a
        waybill (the condition of stock_delivery's ``_send_confirmation_email``)."""
        self.ensure_one()
        return (
            self.state not in ("done", "cancel")
            and self._hub_sends_receiver()
            and self.picking_type_id.print_label
        )

    # ------------------------------------------------------------------
    # a waybill becomes needed: decrypt, in a job
    # ------------------------------------------------------------------
    def write(self, vals):
        result = super().write(vals)
        if "carrier_id" in vals:
            self._hub_request_decryption()
        return result

    def _hub_request_decryption(self):
        """Queue the decryption of the encrypted receivers these deliveries'
        waybills need.  A deliberate sudo: the hub's own records, the
        warehouse may not read sale orders."""
        needing = self.filtered(lambda p: p.carrier_id and p._hub_requests_waybill())
        receivers = needing.sudo().sale_id.hub_receiver_ids
        if receivers:
            receivers._hub_request()

    # ------------------------------------------------------------------
    # the waybill request: only with the decrypted receiver
    # ------------------------------------------------------------------
    def _hub_receiver_for_waybill(self):
        """Put the decrypted receiver on deliveries about to ask for a waybill;
        UserError (no waybill requested) while it is not decrypted."""
        for picking in self.filtered(lambda p: p._hub_sends_receiver()):
            sale = picking.sudo().sale_id
            receiver = sale.hub_receiver_ids[:1]
            if not receiver or picking.partner_id not in (sale.partner_shipping_id | sale.partner_id):
                continue  # not encrypted, or another address chosen in Odoo
            if receiver.state == "decrypted" and receiver.partner_id:
                picking.sudo().with_context(tracking_disable=True).partner_id = receiver.partner_id
                continue
            raise UserError(receiver._hub_waybill_refusal(picking))

    def action_hub_retry_decrypt(self):
        """Retry Decryption from the delivery (warehouse, customer service)."""
        receivers = self.sudo().sale_id.hub_receiver_ids
        if not receivers:
            raise UserError(_("The receiver of this delivery is not encrypted."))
        return receivers.with_env(self.env).action_retry()

    def button_validate(self):
        self.filtered(lambda p: p.picking_type_id.print_label)._hub_receiver_for_waybill()
        return super().button_validate()

    def send_to_shipper(self):
        self._hub_receiver_for_waybill()
        return super().send_to_shipper()
