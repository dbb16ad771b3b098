"""The public tracking page (/order/track) and the portal user's tracking list (/my/tracking).

Who sees an order:
- the public: only after the serial and the last 4 digits of the receiver's
  phone matched; the order id is then kept in the visitor's session so that
  the request forms can name it. A wrong pair gets exactly the answer of an
  unknown serial (same template, same status, the same database work).
- a portal user: the orders Odoo's record rules let them read (their own).
Failed look-ups are throttled per IP and per serial (order.hub.portal.attempt).
"""

import logging

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.sale.controllers.portal import CustomerPortal

_logger = logging.getLogger(__name__)
SESSION_KEY = "order_hub_tracked_orders"
MAX_TRACKED = 10
LANGS = ("zh_CN", "en_US")
MAX_INPUT = 64


def _set_lang(lang):
    """Chinese or English, from ?lang= (the page's switch), else the browser."""
    active = {code for code, _name in request.env["res.lang"].get_installed()}
    if lang not in LANGS or lang not in active:
        current = request.env.context.get("lang")
        lang = current if current in LANGS and current in active else None
        lang = lang or next((code for code in LANGS if code in active), "en_US")
    request.update_context(lang=lang)
    return lang


def _client_ip():
    return request.httprequest.remote_addr


class OrderHubTracking(CustomerPortal):
    def _render_track(self, lang, status=200, **values):
        values = {"lang": lang, "serial": "", "error": False, "notice": False, "cards": [], **values}
        values["page_name"] = "order_hub_track"
        return request.render("order_hub_portal.track_page", values, status=status)

    def _remember(self, order):
        tracked = [oid for oid in request.session.get(SESSION_KEY, []) if oid != order.id]
        request.session[SESSION_KEY] = [*tracked, order.id][-MAX_TRACKED:]

    @http.route("/order/track", type="http", auth="public", methods=["GET", "POST"], sitemap=False)
    def order_track(self, serial="", phone="", lang=None, **kwargs):
        lang = _set_lang(lang)
        if request.httprequest.method != "POST":
            return self._render_track(lang)
        serial = (serial or "")[:MAX_INPUT]
        phone = (phone or "")[:MAX_INPUT]
        attempts = request.env["order.hub.portal.attempt"]
        if attempts._is_throttled(_client_ip(), serial):
            return self._render_track(
                lang,
                status=429,
                error=_("Too many attempts. Please wait a quarter of an hour and try again."),
            )
        order = request.env["sale.order"]._hub_portal_find(serial, phone)
        attempts._record(_client_ip(), serial, order)
        if not order:
            # nothing of the input is echoed: the answer must not depend on it
            return self._render_track(
                lang,
                error=_("We could not find an order with this serial and phone number. Please check both."),
            )
        self._remember(order)
        return self._render_track(lang, serial=serial, cards=[order._hub_portal_values()])

    def _requested_order(self, order_id, access_token):
        """The order the request names, if this visitor may see it: tracked in
        this session (the pair matched) or, for a customer's portal login, one
        of their own orders (Odoo's portal check, with the order's access token
        for a shared link). Staff (internal users, who read every order) file
        no customer request on an order they did not look up: it would count
        as a customer's in the self-service rate."""
        if order_id in request.session.get(SESSION_KEY, []):
            return request.env["sale.order"].sudo().browse(order_id).exists()
        if not request.env.user._is_public() and not request.env.user.share:
            return request.env["sale.order"]
        try:
            return self._document_check_access("sale.order", order_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.env["sale.order"]

    @http.route("/order/track/request", type="http", auth="public", methods=["POST"], sitemap=False)
    def order_track_request(self, order_id=None, kind="", message="", access_token=None, lang=None, **kwargs):
        lang = _set_lang(lang)
        try:
            order_id = int(order_id or 0)
        except ValueError:
            order_id = 0
        order = self._requested_order(order_id, access_token) if order_id else None
        if not order:
            return self._render_track(lang, status=403, error=_("Look up your order first."))
        try:
            ticket, created = order._hub_portal_request(kind, message)
        except UserError as error:
            return self._render_track(lang, error=str(error), cards=[order._hub_portal_values()])
        if created:
            notice = _(
                "Thank you: customer service has your request (%(ref)s) and will contact you.",
                ref=ticket.name,
            )
        else:
            notice = _("Customer service already has this request (%(ref)s).", ref=ticket.name)
        return self._render_track(lang, notice=notice, cards=[order._hub_portal_values()])

    # ------------------------------------------------------------------
    # logged-in customers: all their orders, the same way
    # ------------------------------------------------------------------
    def _hub_tracking_domain(self, partner):
        return [*self._prepare_orders_domain(partner), ("hub_serial", "!=", False)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "hub_tracking_count" in counters:
            orders = request.env["sale.order"]
            partner = request.env.user.partner_id
            values["hub_tracking_count"] = (
                orders.search_count(self._hub_tracking_domain(partner)) if orders.has_access("read") else 0
            )
        return values

    @http.route("/my/tracking", type="http", auth="user", sitemap=False)
    def my_tracking(self, lang=None, **kwargs):
        lang = _set_lang(lang)
        partner = request.env.user.partner_id
        # as the user: Odoo's record rules keep the portal user to their own orders
        orders = request.env["sale.order"].search(
            self._hub_tracking_domain(partner), order="date_order desc", limit=20
        )
        cards = [order._hub_portal_values() for order in orders]
        return self._render_track(lang, cards=cards, my_orders=True)
