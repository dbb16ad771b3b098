import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_hub_logistics import carriers
from odoo.addons.order_hub_logistics.carriers import errors as carrier_errors

_logger = logging.getLogger(__name__)
MANAGER = "order_hub.group_order_hub_manager"
TIMEOUT = 20  # seconds; a scalar (Odoo's test HTTP guard compares it with a number)
CALLBACK_ROUTE = "/order_hub/tracking/kuaidi100/%s"


class DeliveryCarrier(models.Model):
    """SF Express and ZTO as delivery providers (<provider>_rate_shipment,
    _send_shipping, _get_tracking_link, _cancel_shipment) with Kuaidi100 tracking.

    Credentials are readable by Order Hub managers only; the ORM code reads
    them with sudo() and never puts them in messages or logs.
    """

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("sf_express", "SF Express"), ("zto", "ZTO")],
        ondelete={"sf_express": "set default", "zto": "set default"},
    )
    hub_api_url = fields.Char("API URL", help="Gateway URL (production or sandbox).")
    hub_sf_partner_id = fields.Char("SF Partner ID", groups=MANAGER)
    hub_sf_check_word = fields.Char("SF Check Word", groups=MANAGER)
    hub_sf_express_type = fields.Selection(
        [("1", "Next Morning (特快)"), ("2", "Standard (标快)")], "SF Service", default="2"
    )
    hub_zto_app_key = fields.Char("ZTO App Key", groups=MANAGER)
    hub_zto_app_secret = fields.Char("ZTO App Secret", groups=MANAGER)
    hub_kd100_company = fields.Char("Kuaidi100 Company Code", help="e.g. shunfeng, zhongtong")
    hub_kd100_url = fields.Char("Kuaidi100 URL", default="https://poll.kuaidi100.com")
    hub_kd100_customer = fields.Char("Kuaidi100 Customer", groups=MANAGER)
    hub_kd100_key = fields.Char("Kuaidi100 Key", groups=MANAGER)
    hub_kd100_salt = fields.Char("Kuaidi100 Push Salt", groups=MANAGER)
    hub_kd100_callback_base = fields.Char(
        "Callback Base URL", help="Public URL Kuaidi100 pushes to; empty uses web.base.url."
    )
    hub_tracking_batch = fields.Integer(
        "Queries per Run",
        default=100,
        help="Kuaidi100 queries one tracking run may make (the carrier's rate limit).",
    )
    hub_logistics_user_id = fields.Many2one(
        "res.users", "Logistics Specialist", help="Receives the address changes the carrier refused."
    )

    # -- clients -----------------------------------------------------------
    def _hub_creates_waybill(self):
        """True when validating a delivery with this carrier creates its
        waybill (Odoo's send_to_shipper through the carrier's API)."""
        return bool(
            self and self.delivery_type in ("sf_express", "zto") and self.integration_level == "rate_and_ship"
        )

    def _hub_client(self):
        self.ensure_one()
        carrier = self.sudo()
        if self.delivery_type == "sf_express":
            return carriers.SfClient(
                carrier.hub_api_url, carrier.hub_sf_partner_id, carrier.hub_sf_check_word, TIMEOUT
            )
        if self.delivery_type == "zto":
            return carriers.ZtoClient(
                carrier.hub_api_url, carrier.hub_zto_app_key, carrier.hub_zto_app_secret, TIMEOUT
            )
        raise UserError(_("%(carrier)s is not an SF Express or ZTO carrier.", carrier=self.name))

    def _hub_tracking_client(self):
        self.ensure_one()
        carrier = self.sudo()
        return carriers.Kuaidi100Client(
            carrier.hub_kd100_url, carrier.hub_kd100_customer, carrier.hub_kd100_key, TIMEOUT
        )

    def _hub_has_tracking(self):
        carrier = self.sudo()
        return bool(carrier.hub_kd100_company and carrier.hub_kd100_customer and carrier.hub_kd100_key)

    def _hub_user_error(self, error):
        hint = (
            _("Try again in a few minutes.")
            if error.retryable
            else _("Check the address and the carrier settings.")
        )
        return UserError(_("%(carrier)s: %(error)s %(hint)s", carrier=self.name, error=str(error), hint=hint))

    # -- addresses ---------------------------------------------------------
    @staticmethod
    def _hub_address(partner):
        return {
            "contact": partner.name or "",
            "mobile": partner.mobile or partner.phone or "",
            "province": partner.state_id.name or "",
            "city": partner.city or "",
            "county": partner.street2 or "",
            "address": partner.street or "",
        }

    def _hub_sender(self, picking):
        return self._hub_address(
            picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id
        )

    # -- provider methods --------------------------------------------------
    def _hub_rate(self, order):
        rule = order.hub_carrier_rule_id
        price = rule.cost if rule and rule.carrier_id == self else self.fixed_price
        return {"success": True, "price": price, "error_message": False, "warning_message": False}

    def sf_express_rate_shipment(self, order):
        return self._hub_rate(order)

    def zto_rate_shipment(self, order):
        return self._hub_rate(order)

    def _hub_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            code = picking._hub_carrier_order_code()
            cargo = [
                {"name": move.product_id.name[:60], "count": int(move.quantity or move.product_uom_qty)}
                for move in picking.move_ids
            ]
            client = self._hub_client()
            options = {"weight": picking.shipping_weight or picking.weight}
            if self.delivery_type == "sf_express":
                options["express_type"] = int(self.hub_sf_express_type or 2)
            else:  # ZTO names the count "quantity"
                cargo = [{"name": c["name"], "quantity": c["count"]} for c in cargo]
            try:
                result = client.create_order(
                    code, self._hub_sender(picking), self._hub_address(picking.partner_id), cargo, **options
                )
            except carrier_errors.CarrierError as error:
                _logger.info(
                    "%s refused waybill for %s: %s", self.delivery_type, picking.name, type(error).__name__
                )
                raise self._hub_user_error(error) from error
            picking.hub_carrier_order_code = code
            results.append(
                {
                    "exact_price": self._hub_rate(picking.sale_id)["price"],
                    "tracking_number": result["waybill"],
                }
            )
        return results

    def sf_express_send_shipping(self, pickings):
        return self._hub_send_shipping(pickings)

    def zto_send_shipping(self, pickings):
        return self._hub_send_shipping(pickings)

    def _hub_tracking_link(self, picking):
        company = self.hub_kd100_company or (
            "shunfeng" if self.delivery_type == "sf_express" else "zhongtong"
        )
        return f"https://www.kuaidi100.com/chaxun?com={company}&nu={picking.carrier_tracking_ref}"

    def sf_express_get_tracking_link(self, picking):
        return self._hub_tracking_link(picking)

    def zto_get_tracking_link(self, picking):
        return self._hub_tracking_link(picking)

    def sf_express_cancel_shipment(self, pickings):
        for picking in pickings:
            try:
                self._hub_client().cancel_order(
                    picking.hub_carrier_order_code or picking._hub_carrier_order_code()
                )
            except carrier_errors.CarrierError as error:
                raise self._hub_user_error(error) from error
            picking.write({"carrier_tracking_ref": False})

    def zto_cancel_shipment(self, pickings):
        pickings.write({"carrier_tracking_ref": False})

    # -- address change and tracking subscription ---------------------------
    def _hub_change_address(self, picking, partner):
        """Ask the carrier to redirect a shipped parcel; raises a CarrierError when it cannot."""
        self.ensure_one()
        return self._hub_client().change_address(picking.carrier_tracking_ref, self._hub_address(partner))

    def _hub_callback_url(self):
        base = self.hub_kd100_callback_base or self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url"
        )
        return base.rstrip("/") + CALLBACK_ROUTE % self.id

    def _hub_subscribe(self, picking):
        """Subscribe the waybill to Kuaidi100 pushes; a failure leaves polling to do the work."""
        if not self._hub_has_tracking():
            return False
        try:
            self._hub_tracking_client().subscribe(
                self.hub_kd100_company,
                picking.carrier_tracking_ref,
                self._hub_callback_url(),
                salt=self.sudo().hub_kd100_salt,
                phone=(picking.partner_id.mobile or picking.partner_id.phone or "")[-4:] or None,
            )
        except carrier_errors.CarrierError as error:
            picking.hub_tracking_error = str(error)
            return False
        picking.hub_tracking_subscribed = True
        return True
