"""Webhook routes: one URL per channel, /order_hub/webhook/<channel code>.

The signature is checked before anything is written; unsigned or wrongly
signed requests, and requests whose signed timestamp is outside the platform's
window (WeChat Shop, Shopee), get 401 and nothing is stored; oversized ones get
413.  An unknown or inactive channel code gets exactly the answer of a bad
signature (401, same body), so the codes cannot be listed from outside.

A replay inside the window, i.e. the same signed push delivered again (the
platforms redeliver until they get their acknowledgement), is deduplicated:
it is answered 200 with the platform's acknowledgement and stored once (by
the platform's event id, and by payload digest per order).

A verified push is stored in the inbox and an import job enqueued; the answer
goes out at once (the platforms time out after a few seconds).
"""

import logging

from werkzeug.wrappers import Response

from odoo import SUPERUSER_ID, http
from odoo.http import request

from odoo.addons.order_hub.controllers.request_body import read_body

from ..connectors.registry import CLIENTS

_logger = logging.getLogger(__name__)

MAX_BODY = 512 * 1024  # bytes; an order push is a few kilobytes


def _plain(status, text=""):
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


def _refused():
    """The one answer to a bad signature and to an unknown channel alike."""
    return _plain(401, "invalid signature")


class OrderHubWebhook(http.Controller):
    def _find_channel(self, code):
        # sudo only here: the caller is anonymous until its signature is checked
        return (
            request.env["order.hub.channel"]
            .sudo()
            .search([("code", "=", code), ("active", "=", True)], limit=1)
        )

    def _verify(self, channel, body):
        """Events of the current request to ``channel``, its signature checked
        with the channel's secrets (SignatureError / BadPayload otherwise)."""
        from ..connectors import webhooks

        httprequest = request.httprequest
        return webhooks.verify_and_parse(
            channel.platform,
            headers=dict(httprequest.headers),
            body=body,
            secret=channel.app_secret or "",
            app_key=channel.app_key or None,
            token=channel.webhook_secret or None,
            aes_key=channel.webhook_aes_key or None,
            url=httprequest.url,
        )

    @http.route(
        "/order_hub/webhook/<string:code>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, code, **_params):
        body = read_body(request.httprequest, MAX_BODY)
        if body is None:
            return _plain(413, "payload too large")
        channel = self._find_channel(code)
        if not channel:
            return _refused()
        from ..connectors import errors

        try:
            events = self._verify(channel, body)
        except errors.SignatureError as error:
            _logger.info("webhook of channel %s refused: %s", channel.id, error.__class__.__name__)
            return _refused()
        except errors.BadPayload:
            return _plain(400, "malformed payload")
        # jobs run as the superuser, not as the anonymous caller
        inbox = request.env["order.hub.inbound.order"].with_user(SUPERUSER_ID)
        seen = inbox._seen_events(channel, [event.event_id for event in events])
        events = [event for event in events if not (event.event_id and event.event_id in seen)]
        records = inbox.browse()
        for kind in ("order", "notification"):
            # a push carrying the full order (Shopify) is imported as it is;
            # the others carry an order id and the job fetches the order
            chosen = [e for e in events if (e.order_payload is not None) == (kind == "order")]
            records |= inbox._store_payloads(
                channel.with_user(SUPERUSER_ID),
                [event.raw for event in chosen],
                source="webhook",
                kind=kind,
                external_ids={index: event.external_id for index, event in enumerate(chosen)},
                event_ids={index: event.event_id for index, event in enumerate(chosen)},
            )
        records._enqueue_import()
        content_type, text = CLIENTS[channel.platform].webhook_ack
        return Response(text, status=200, content_type=content_type)

    @http.route(
        "/order_hub/webhook/<string:code>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def verify_url(self, code, **_params):
        """WeChat's URL verification: answer ``echostr`` when the signature matches."""
        channel = self._find_channel(code)
        if not channel:
            return _refused()
        from ..connectors import errors

        try:
            events = self._verify(channel, b"")
        except (errors.SignatureError, errors.BadPayload):
            return _refused()
        if len(events) != 1 or events[0].topic != "url_verification":
            return _refused()
        return _plain(200, events[0].raw["echostr"])
