from odoo import _, api, fields, models
from odoo.exceptions import UserError

# a delivery of an order from one of these platforms is shipped with a waybill
PLATFORM_SOURCES = ("douyin", "jd", "wechat_shop", "shopify", "shopee")
CARRIER_CHECKED_CONTEXT_KEY = "order_hub_carrier_checked"


class OrderHubShipWizard(models.TransientModel):
    """Asked when a delivery of a platform order is validated without a
    carrier that creates its waybill and without a tracking number: the
    platform needs both for the shipment write-back. With a carrier of
    Order Hub (SF, ZTO) the waybill is created at validation (Odoo's
    ``send_to_shipper``); with any other carrier the warehouse types the
    tracking number of the paper waybill."""

    _name = "order.hub.ship.wizard"
    _description = "Carrier and Tracking Number of a Shipment"

    picking_ids = fields.Many2many("stock.picking", string="Deliveries", required=True)
    carrier_id = fields.Many2one("delivery.carrier", string="Carrier", required=True)
    creates_waybill = fields.Boolean(compute="_compute_creates_waybill")
    tracking_ref = fields.Char(
        string="Tracking Number",
        help="Number of the paper waybill; leave empty when the carrier creates the waybill.",
    )

    @api.depends("carrier_id")
    def _compute_creates_waybill(self):
        for wizard in self:
            wizard.creates_waybill = wizard.carrier_id._hub_creates_waybill()

    def action_validate(self):
        """Set the carrier (and tracking number) on the deliveries and
        validate them again, this time without the question."""
        self.ensure_one()
        if not self.creates_waybill and not (self.tracking_ref or "").strip():
            raise UserError(
                _(
                    "%(carrier)s does not create waybills in Order Hub: type the tracking "
                    "number of the paper waybill.",
                    carrier=self.carrier_id.name,
                )
            )
        vals = {"carrier_id": self.carrier_id.id}
        if self.tracking_ref:
            vals["carrier_tracking_ref"] = self.tracking_ref.strip()
        self.picking_ids.write(vals)
        return self.picking_ids.with_context(**{CARRIER_CHECKED_CONTEXT_KEY: True}).button_validate()
