"""ZTO (中通开放平台) client: order creation.

JSON body, headers ``x-appKey`` and ``x-dataDigest = base64(md5(body + appSecret))``.
"""

import base64
import hashlib
import json
import re

from .errors import (
    CarrierAuthError,
    CarrierBadPayload,
    CarrierRateLimited,
    CarrierRefused,
    CarrierSignatureError,
)
from .http import DEFAULT_TIMEOUT, post

API_CREATE_ORDER = "zto.open.createOrder"
API_CHANGE_ADDRESS = "zto.open.modifyOrder"  # assumption, see the sandbox
RATE_CODES = {"S206", "S221"}
AUTH_CODES = {"S212", "S214"}


def zto_data_digest(body, app_secret):
    return base64.b64encode(hashlib.md5((body + app_secret).encode("utf-8")).digest()).decode("ascii")


def format_zto_public(number):
    """ZTO bill codes are digits, shown in groups of four (``7859 1234 5678``)."""
    digits = re.sub(r"\D", "", number or "")
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)) if digits else ""


class ZtoClient:
    def __init__(self, base_url, app_key, app_secret, timeout=DEFAULT_TIMEOUT, session=None):
        if not (base_url and app_key and app_secret):
            raise CarrierAuthError("ZTO needs an API URL, an app key and an app secret.")
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self._app_secret = app_secret
        self.timeout = timeout
        self.session = session

    def __repr__(self):
        return f"ZtoClient({self.base_url!r}, app_key={self.app_key!r})"

    def call(self, api, payload):
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "x-appKey": self.app_key,
            "x-dataDigest": zto_data_digest(body, self._app_secret),
        }
        answer = post(
            f"{self.base_url}/{api}",
            carrier="ZTO",
            timeout=self.timeout,
            session=self.session,
            data=body.encode("utf-8"),
            headers=headers,
        )
        if not isinstance(answer, dict):
            raise CarrierBadPayload("ZTO answered with an unexpected body.")
        code = str(answer.get("statusCode") or "")
        message = answer.get("message") or ""
        if answer.get("status") is True and code in ("", "0000"):
            return answer.get("result") or {}
        if code in RATE_CODES:
            raise CarrierRateLimited(f"ZTO flow control ({code}): {message}", code=code)
        if code == "S211":
            raise CarrierSignatureError("ZTO refused the request signature (S211).", code=code)
        if code in AUTH_CODES:
            raise CarrierAuthError(f"ZTO refused the account ({code}): {message}", code=code)
        raise CarrierRefused(f"ZTO refused the request ({code}): {message}", code=code or None)

    def create_order(self, partner_order_code, sender, receiver, items, weight=None):
        payload = {
            "partnerType": "2",
            "orderType": "1",
            "partnerOrderCode": partner_order_code,
            "senderInfo": sender,
            "receiveInfo": receiver,
            "orderItems": items,
        }
        if weight:
            payload["summaryInfo"] = {"weight": round(weight, 3)}
        result = self.call(API_CREATE_ORDER, payload)
        if not result.get("billCode"):
            raise CarrierBadPayload("ZTO created the order but sent no bill code.")
        return {"waybill": result["billCode"], "raw": result}

    def change_address(self, bill_code, receiver):
        return self.call(API_CHANGE_ADDRESS, {"billCode": bill_code, "receiveInfo": receiver})
