import logging
from datetime import datetime, timedelta

from odoo import _, api, fields, models

from odoo.addons.order_hub.models.sale_order import HUB_ROLE_GROUPS
from odoo.addons.order_hub_logistics import carriers
from odoo.addons.order_hub_logistics.carriers import errors as carrier_errors
from odoo.addons.order_hub_logistics.wizard.order_hub_ship_wizard import (
    CARRIER_CHECKED_CONTEXT_KEY,
    PLATFORM_SOURCES,
)

_logger = logging.getLogger(__name__)
TRACKING_EVENTS = [("in_transit", "In Transit"), ("delivered", "Delivered"), ("exception", "Exception")]
HUB_CARRIERS = ("sf_express", "zto")
POLL_INTERVAL = timedelta(minutes=30)  # Kuaidi100: one query per number per 30 minutes


class StockPicking(models.Model):
    _inherit = "stock.picking"

    hub_carrier_order_code = fields.Char(
        "Carrier Order Code", copy=False, readonly=True, help="Our internal code."
    )
    hub_public_tracking_ref = fields.Char(
        "Public Tracking Number", compute="_compute_hub_public_tracking_ref", store=True
    )
    hub_tracking_state = fields.Char("Kuaidi100 State", copy=False, readonly=True)
    hub_tracking_event = fields.Selection(TRACKING_EVENTS, "Shipment", copy=False, readonly=True, index=True)
    hub_tracking_checked_at = fields.Datetime("Tracking Checked At", copy=False, readonly=True)
    hub_tracking_subscribed = fields.Boolean(copy=False, readonly=True)
    hub_tracking_error = fields.Char("Tracking Error", copy=False, readonly=True)
    # the scans are the hub's records: a clerk without an Order Hub role
    # validates and opens deliveries as in standard Odoo
    hub_tracking_event_ids = fields.One2many(
        "order.hub.tracking.event", "picking_id", "Tracking Timeline", groups=HUB_ROLE_GROUPS
    )

    @api.depends("carrier_tracking_ref", "carrier_id.delivery_type")
    def _compute_hub_public_tracking_ref(self):
        for picking in self:
            ref = picking.carrier_tracking_ref
            picking.hub_public_tracking_ref = (
                carriers.format_public_tracking(picking.carrier_id.delivery_type, ref) if ref else False
            )

    def _hub_carrier_order_code(self):
        self.ensure_one()
        return f"OH-{self.id}-{self.name}".replace("/", "-")

    # ------------------------------------------------------------------
    # Validation of platform deliveries
    # ------------------------------------------------------------------
    def _hub_is_platform_delivery(self):
        self.ensure_one()
        # the order's channel decides; a stock user may not read sale orders
        return self.picking_type_code == "outgoing" and self.sudo().sale_id.hub_source in PLATFORM_SOURCES

    def _hub_needs_carrier(self):
        """Deliveries of platform orders that would ship without a waybill:
        no carrier that creates one and no tracking number."""
        return self.filtered(
            lambda p: p._hub_is_platform_delivery()
            and p.state not in ("done", "cancel")
            and not p.carrier_tracking_ref
            and not p.carrier_id._hub_creates_waybill()
        )

    def button_validate(self):
        """Validating a platform delivery without a waybill first asks for
        the carrier and tracking number (``order.hub.ship.wizard``)."""
        if not self.env.context.get(CARRIER_CHECKED_CONTEXT_KEY):
            missing = self._hub_needs_carrier()
            if missing:
                return missing._hub_action_ask_carrier()
        return super().button_validate()

    def _hub_action_ask_carrier(self):
        carrier = self.carrier_id[:1] or self.sale_id.carrier_id[:1]
        return {
            "name": _("Carrier and Tracking Number"),
            "type": "ir.actions.act_window",
            "res_model": "order.hub.ship.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_picking_ids": [fields.Command.set(self.ids)],
                "default_carrier_id": carrier.id,
            },
        }

    def _check_warn_sms(self):
        """stock_sms (auto-installed with sms): no "confirm by SMS" dialog
        when validating a platform delivery; the platform informs its buyer."""
        return super()._check_warn_sms().filtered(lambda p: not p._hub_is_platform_delivery())

    def send_to_shipper(self):
        result = super().send_to_shipper()
        if self.carrier_id.delivery_type in HUB_CARRIERS and self.carrier_tracking_ref:
            self.carrier_id._hub_subscribe(self)
        return result

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------
    def _hub_apply_tracking(self, result):
        """Store new scans of a Kuaidi100 TrackingResult and fire the hub event on change."""
        self.ensure_one()
        known = {(e.event_time, e.description) for e in self.hub_tracking_event_ids}
        values = []
        for item in result.events:
            try:
                when = datetime.strptime(item["time"][:19], "%Y-%m-%d %H:%M:%S") - timedelta(hours=8)
            except ValueError:
                continue  # a scan without a readable time is kept out of the timeline
            key = (when, item["context"][:250])
            if key in known:
                continue
            known.add(key)
            values.append(
                {
                    "picking_id": self.id,
                    "event_time": when,
                    "description": key[1],
                    "area": item.get("area") or False,
                }
            )
        if values:
            values[-1]["state_code"] = (
                result.state if result.state in carriers.kuaidi100.STATE_LABELS else False
            )
            self.env["order.hub.tracking.event"].sudo().create(values)
        event, ticket = carriers.state_event(result.state)
        if result.signed:
            event, ticket = "delivered", None
        previous = self.hub_tracking_event
        self.write(
            {
                "hub_tracking_state": result.state,
                "hub_tracking_event": event or previous,
                "hub_tracking_checked_at": fields.Datetime.now(),
                "hub_tracking_error": False,
            }
        )
        if event and event != previous:
            self._hub_fire_tracking_event(event, ticket, result)

    def _hub_fire_tracking_event(self, event, ticket, result):
        """Kuaidi100 state -> hub event: first scan -> In transit, signed -> Done,
        problem/returned/refused -> exception ticket of the matching type."""
        order = self.sale_id
        if not order:
            return
        if event == "in_transit":
            order._hub_on_carrier_pickup(reason=_("Carrier scan of %(ref)s", ref=self.carrier_tracking_ref))
        elif event == "delivered":
            times = self.hub_tracking_event_ids.mapped("event_time")
            order._hub_record_signed(max(times) if times else fields.Datetime.now())
            order._hub_on_delivered(reason=_("Signed for (%(ref)s)", ref=self.carrier_tracking_ref))
        elif event == "exception":
            label = carriers.kuaidi100.STATE_LABELS.get(result.state, result.state)
            order._hub_open_ticket(
                ticket,
                reason=_(
                    "Carrier reports %(state)s for waybill %(ref)s.",
                    state=label,
                    ref=self.carrier_tracking_ref,
                ),
            )

    def _hub_poll_tracking(self):
        """Query Kuaidi100 for these pickings (one carrier); stops at the carrier's flow control."""
        for picking in self:
            carrier = picking.carrier_id
            try:
                with self.env.cr.savepoint():
                    result = carrier._hub_tracking_client().query(
                        carrier.hub_kd100_company,
                        picking.carrier_tracking_ref,
                        phone=(picking.partner_id.mobile or picking.partner_id.phone or "")[-4:] or None,
                    )
                    picking._hub_apply_tracking(result)
            except carrier_errors.CarrierRateLimited as error:
                picking.hub_tracking_error = str(error)
                return False
            except carrier_errors.CarrierError as error:
                picking.write(
                    {"hub_tracking_error": str(error), "hub_tracking_checked_at": fields.Datetime.now()}
                )
        return True

    @api.model
    def _cron_hub_poll_tracking(self):
        """Every 15 minutes: in-transit shipments not checked for 30 minutes, in batches per carrier."""
        threshold = fields.Datetime.now() - POLL_INTERVAL
        carriers_ = self.env["delivery.carrier"].search([("delivery_type", "in", HUB_CARRIERS)])
        for carrier in carriers_.filtered(lambda c: c._hub_has_tracking()):
            pickings = self.search(
                [
                    ("carrier_id", "=", carrier.id),
                    ("state", "=", "done"),
                    ("picking_type_code", "=", "outgoing"),
                    ("carrier_tracking_ref", "!=", False),
                    ("hub_tracking_event", "in", [False, "in_transit"]),
                    "|",
                    ("hub_tracking_checked_at", "=", False),
                    ("hub_tracking_checked_at", "<", threshold),
                ],
                order="hub_tracking_checked_at asc nulls first, id",
                limit=max(carrier.hub_tracking_batch, 1),
            )
            pickings._hub_poll_tracking()
            self.env["ir.cron"]._notify_progress(done=len(pickings), remaining=0)
