import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.order_hub.controllers.request_body import body_too_large
from odoo.addons.order_hub_logistics.carriers import errors as carrier_errors
from odoo.addons.order_hub_logistics.carriers.kuaidi100 import parse_callback

_logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _answer(ok, status, message):
    body = {"result": ok, "returnCode": "200" if ok else str(status), "message": message}
    return request.make_response(
        json.dumps(body, ensure_ascii=False), headers=[("Content-Type", "application/json")], status=status
    )


class Kuaidi100Callback(http.Controller):
    @http.route(
        "/order_hub/tracking/kuaidi100/<int:carrier_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def kuaidi100_push(self, carrier_id, **form):
        """Kuaidi100 push: verify UPPER(md5(param + salt)) first; a bad sign writes nothing."""
        if body_too_large(request.httprequest, MAX_BODY):
            return _answer(False, 413, "payload too large")
        carrier = request.env["delivery.carrier"].sudo().browse(carrier_id).exists()
        if not carrier or carrier.delivery_type not in ("sf_express", "zto"):
            return _answer(False, 404, "unknown carrier")
        try:
            push = parse_callback(form.get("param"), form.get("sign"), carrier.hub_kd100_salt)
        except carrier_errors.CarrierSignatureError:
            _logger.info("Kuaidi100 push with a bad signature refused for carrier %s", carrier_id)
            return _answer(False, 401, "invalid sign")
        except carrier_errors.CarrierBadPayload:
            return _answer(False, 400, "unreadable param")
        result = push["result"]
        picking = (
            request.env["stock.picking"]
            .sudo()
            .search([("carrier_id", "=", carrier.id), ("carrier_tracking_ref", "=", result.number)], limit=1)
        )
        if picking:
            picking.with_context(order_hub_source="webhook")._hub_apply_tracking(result)
        return _answer(True, 200, "成功")
