"""What the customer sees of an order on the tracking page and in /my.

Everything here reads the hub's records with ``sudo()`` on purpose: the page
is reached by the public user (after the serial + phone check in the
controller) or by a portal user on one of their own orders (Odoo's portal
access check). Only the values built by :meth:`_hub_portal_values` reach the
page: no address, no full phone, no internal note.
"""

import hmac
from datetime import timedelta

import pytz

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_hub.models.order_hub_gift import OPEN_STATES as GIFT_OPEN_STATES

# the customer's path through the hub's stages, in order
TIMELINE = ("to_confirm", "confirmed", "preparing", "shipped", "in_transit", "done")
# ticket type of each request a customer can make on the page
REQUEST_TYPES = {
    "address": "portal_address_change",
    "gift": "portal_gift_reship",
    "urgent": "portal_urgent_upgrade",
}
MAX_MESSAGE = 1000
DUMMY_DIGITS = "\x00\x00\x00\x00"


def last_digits(phone, count=4):
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    return digits[-count:] if len(digits) >= count else ""


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # the look-ups behind the dashboard's self-service rate (managers read them)
    hub_portal_attempt_ids = fields.One2many(
        "order.hub.portal.attempt",
        "order_id",
        string="Tracking Page Look-ups",
        readonly=True,
        groups="order_hub.group_order_hub_manager",
    )

    def _hub_portal_phrase(self, code):
        """The stage in the customer's words (仓库打包中 rather than Preparing)."""
        phrases = {
            "to_confirm": _("We have received your order"),
            "confirmed": _("Your order is confirmed"),
            "preparing": _("The warehouse is packing your order"),
            "shipped": _("Your parcel has been handed to the carrier"),
            "in_transit": _("Your parcel is on its way"),
            "done": _("Your parcel has been delivered"),
            "exception": _("We are sorting out a problem with your order"),
            "address_change": _("We are changing the delivery address"),
            "cancelled": _("This order was cancelled"),
        }
        return phrases.get(code) or _("We are processing your order")

    def _hub_portal_matches(self, phone_last4):
        """Constant-time comparison of the last 4 digits of the receiver's
        phone; an empty recordset compares against a dummy so that an unknown
        serial costs the same as a wrong phone."""
        expected = last_digits(self.sudo().hub_phone_normalised) if self else ""
        typed = last_digits(phone_last4)
        same = hmac.compare_digest((expected or DUMMY_DIGITS).encode(), (typed or "----").encode())
        return bool(self) and bool(expected) and same

    def _hub_portal_find(self, serial, phone_last4):
        """The order of ``serial`` whose receiver's phone ends with
        ``phone_last4``, or an empty recordset (same work either way)."""
        key = "".join((serial or "").split()).upper()
        # one query on both paths: the phone comes with the search (no second fetch
        # for a known serial that an unknown one would not make)
        candidates = (
            self.sudo().search_fetch([("hub_serial", "=", key)], ["hub_phone_normalised"], limit=5)
            if key
            else self.browse()
        )
        found = self.browse()
        for order in candidates or [self.browse()]:
            if order._hub_portal_matches(phone_last4) and not found:
                found = order
        return found

    def _hub_portal_time(self, value):
        if not value:
            return ""
        tz = pytz.timezone(self.env.context.get("tz") or self.company_id.partner_id.tz or "Asia/Shanghai")
        return pytz.utc.localize(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")

    def _hub_portal_steps(self):
        code = self.hub_stage_code
        if code not in TIMELINE:
            code = (
                self.hub_previous_stage_id.code
                if self.hub_previous_stage_id.code in TIMELINE
                else "to_confirm"
            )
        reached = TIMELINE.index(code)
        return [
            {
                "code": step,
                "label": self._hub_portal_phrase(step),
                "done": index < reached,
                "current": index == reached,
            }
            for index, step in enumerate(TIMELINE)
        ]

    def _hub_portal_requests(self):
        """Which requests the customer may make now, and why not otherwise."""
        closed = self.state == "cancel" or self.hub_stage_code in ("done", "cancelled")
        shipped = self.hub_stage_code in ("shipped", "in_transit", "done")
        partner = self.partner_id
        vip = "vip" in (partner.hub_customer_tier, partner.commercial_partner_id.hub_customer_tier)
        owed = self.hub_gift_ids.filtered(lambda g: g.state in GIFT_OPEN_STATES)
        return {
            "address": not closed,
            "gift": bool(owed) and not closed,
            "urgent": vip and not closed and not shipped,
        }

    def _hub_portal_values(self):
        """The values the tracking page renders for this order (sudo)."""
        self.ensure_one()
        order = self.sudo()
        events = order.hub_tracking_event_ids.sorted(lambda e: (e.event_time, e.id), reverse=True)
        latest_event = events[:1]
        last_action = {
            "label": order._hub_portal_phrase(order.hub_stage_code),
            "at": order.hub_stage_entered_at,
        }
        if latest_event and (not last_action["at"] or latest_event.event_time >= last_action["at"]):
            last_action = {"label": latest_event.description, "at": latest_event.event_time}
        expected = order.hub_promised_delivery_date or order.commitment_date
        pickings = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.carrier_tracking_ref
        )
        name = order.partner_shipping_id.name or ""
        return {
            "order": order,
            "serial": order.hub_serial or order.name,
            "receiver": (name[:1] + "*" * min(len(name) - 1, 3)) if name else "",
            "city": order.partner_shipping_id.city or "",
            "phrase": order._hub_portal_phrase(order.hub_stage_code),
            "steps": order._hub_portal_steps(),
            "exception": order.hub_stage_code in ("exception", "address_change", "cancelled"),
            "lines": [
                (line.product_id.display_name, line.product_uom_qty)
                for line in order.order_line
                if not line.display_type and not line.is_delivery
            ],
            "carriers": [
                (p.carrier_id.name or "", p.hub_public_tracking_ref or p.carrier_tracking_ref)
                for p in pickings
            ],
            "events": [
                {"at": order._hub_portal_time(e.event_time), "text": e.description, "area": e.area or ""}
                for e in events[:30]
            ],
            "expected": order._hub_portal_time(expected)[:10] if expected else "",
            "last_action": {"label": last_action["label"], "at": order._hub_portal_time(last_action["at"])},
            "can": order._hub_portal_requests(),
            "open_requests": order.hub_ticket_ids.filtered(
                lambda t: t.hub_from_portal and t.state in ("open", "in_progress")
            ).mapped("type_id.name"),
        }

    def _hub_portal_request(self, kind, message):
        """Raise the customer's request as an exception ticket for the desk
        (never a direct change). Returns ``(ticket, created)``; a request of
        the same kind still open is returned instead of a second one."""
        self.ensure_one()
        order = self.sudo()
        if kind not in REQUEST_TYPES or not order._hub_portal_requests().get(kind):
            raise UserError(_("This request is not available for this order."))
        message = (message or "").strip()[:MAX_MESSAGE]
        if kind == "address" and not message:
            raise UserError(_("Please write the new address."))
        code = REQUEST_TYPES[kind]
        before = order.hub_ticket_ids.filtered(
            lambda t: t.type_id.code == code and t.state in ("open", "in_progress")
        )
        reason = _("Requested by the customer on the tracking page.")
        if message:
            reason = f"{reason}\n{message}"
        ticket = order._hub_open_ticket(code, reason=reason, hub_from_portal=True)
        return ticket, not before

    def _hub_portal_recent_ticket_count(self, since, companies):
        tickets = self.env["order.hub.ticket"].sudo()
        return tickets.search_count(
            [
                ("create_date", ">=", since),
                ("company_id", "in", companies.ids),
                ("type_id.hub_customer_request", "=", True),
            ]
        )


def self_service_window():
    return fields.Datetime.now() - timedelta(days=30)
