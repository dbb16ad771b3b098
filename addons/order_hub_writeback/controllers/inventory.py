"""Stock reports of third-party (cloud) warehouses: /order_hub/inventory/<id>.

The signature is checked before anything is read or written: unsigned,
wrongly signed or stale reports, and reports to an unknown or archived
sentinel, get the same 401 and nothing is stored; oversized ones get 413.
"""

import json
import logging

from werkzeug.wrappers import Response

from odoo import SUPERUSER_ID, http
from odoo.http import request

from odoo.addons.order_hub.controllers.request_body import read_body
from odoo.addons.order_hub_channels.connectors import errors, inventory_sentinel

_logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _json(status, body):
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


class InventorySentinel(http.Controller):
    @http.route(
        "/order_hub/inventory/<int:sentinel_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, sentinel_id, **_params):
        body = read_body(request.httprequest, MAX_BODY)
        if body is None:
            return _json(413, {"result": "error", "message": "payload too large"})
        # sudo only to read the secret: the caller is anonymous until its signature is checked
        sentinel = request.env["order.hub.inventory.sentinel"].sudo().browse(sentinel_id).exists()
        try:
            if not sentinel or not sentinel.active:
                raise errors.SignatureError("unknown sentinel")
            inventory_sentinel.verify(dict(request.httprequest.headers), body, sentinel.secret or "")
        except errors.SignatureError as error:
            _logger.info(
                "inventory report for sentinel %s refused: %s", sentinel_id, error.__class__.__name__
            )
            return _json(401, {"result": "error", "message": "invalid signature"})
        try:
            report = inventory_sentinel.parse(body)
        except errors.BadPayload as error:
            return _json(400, {"result": "error", "message": str(error)})
        sentinel = sentinel.with_user(SUPERUSER_ID).with_context(order_hub_source="webhook")
        paused, unknown = sentinel._hub_receive(report)
        return _json(200, {"result": "ok", "paused": paused, "unknown": unknown})
