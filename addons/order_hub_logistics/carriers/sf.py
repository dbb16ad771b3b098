"""SF Express (顺丰开放平台) client: order creation and address change.

Gateway: form POST with partnerID, requestID, serviceCode, timestamp, msgData
and msgDigest = base64(md5(URLEncoder.encode(msgData + timestamp + checkWord))).
"""

import base64
import hashlib
import json
import re
import time
import uuid
from urllib.parse import quote_plus

from .errors import (
    CarrierAuthError,
    CarrierBadPayload,
    CarrierRateLimited,
    CarrierRefused,
    CarrierSignatureError,
    CarrierTransientError,
)
from .http import DEFAULT_TIMEOUT, post

SERVICE_CREATE = "EXP_RECE_CREATE_ORDER"
SERVICE_UPDATE = "EXP_RECE_UPDATE_ORDER"
SERVICE_SEARCH = "EXP_RECE_SEARCH_ORDER_RESP"
DUPLICATE_ORDER = "8016"
# Intercept and redirect a parcel already collected (派件前改址).  The service
# code and its fields are not in our reference notes: treated as an assumption
# the sandbox implements the same way.
SERVICE_CHANGE_ADDRESS = "EXP_RECE_WANTED_INTERCEPT"
EXPRESS_NEXT_MORNING = 1  # 顺丰特快
EXPRESS_STANDARD = 2  # 顺丰标快

AUTH_CODES = {"A1002", "A1003", "A1004", "A1011"}
TRANSIENT_CODES = {"A1009", "A1099"}


def java_urlencode(text):
    """``java.net.URLEncoder.encode(text, "UTF-8")``: space → +, ``*`` kept, ``~`` → %7E."""
    return quote_plus(text, safe="*").replace("~", "%7E")


def sf_msg_digest(msg_data, timestamp, check_word):
    raw = java_urlencode(f"{msg_data}{timestamp}{check_word}").encode("utf-8")
    return base64.b64encode(hashlib.md5(raw).digest()).decode("ascii")


def format_sf_public(number):
    """SF waybills are shown as ``SF`` + digits in groups of four (``SF 1234 5678 9012 3``)."""
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return (number or "").strip().upper()
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return "SF " + " ".join(groups)


class SfClient:
    """One SF Express account (partnerID/checkWord) on one gateway URL."""

    def __init__(self, base_url, partner_id, check_word, timeout=DEFAULT_TIMEOUT, session=None):
        if not (base_url and partner_id and check_word):
            raise CarrierAuthError("SF Express needs a gateway URL, a partner ID and a check word.")
        self.base_url = base_url
        self.partner_id = partner_id
        self._check_word = check_word
        self.timeout = timeout
        self.session = session

    def __repr__(self):  # never show the check word
        return f"SfClient({self.base_url!r}, partner_id={self.partner_id!r})"

    def call(self, service_code, msg_data, timestamp=None):
        body = json.dumps(msg_data, ensure_ascii=False, separators=(",", ":"))
        timestamp = str(timestamp or int(time.time() * 1000))
        form = {
            "partnerID": self.partner_id,
            "requestID": str(uuid.uuid4()),
            "serviceCode": service_code,
            "timestamp": timestamp,
            "msgData": body,
            "msgDigest": sf_msg_digest(body, timestamp, self._check_word),
        }
        answer = post(
            self.base_url, carrier="SF Express", timeout=self.timeout, session=self.session, data=form
        )
        return self._result_data(answer)

    @staticmethod
    def _result_data(answer):
        if not isinstance(answer, dict):
            raise CarrierBadPayload("SF Express answered with an unexpected body.")
        code = answer.get("apiResultCode")
        message = answer.get("apiErrorMsg") or ""
        if code == "A1005":
            raise CarrierRateLimited(f"SF Express flow control: {message}", code=code)
        if code == "A1006":
            raise CarrierSignatureError("SF Express refused the request signature (A1006).", code=code)
        if code in AUTH_CODES:
            raise CarrierAuthError(f"SF Express refused the account ({code}): {message}", code=code)
        if code in TRANSIENT_CODES:
            raise CarrierTransientError(f"SF Express service error ({code}): {message}", code=code)
        if code != "A1000":
            raise CarrierBadPayload(f"SF Express refused the request ({code}): {message}", code=code)
        try:
            result = json.loads(answer.get("apiResultData") or "")
        except ValueError as exc:
            raise CarrierBadPayload("SF Express apiResultData is not JSON.") from exc
        if not result.get("success") or result.get("errorCode") != "S0000":
            raise CarrierRefused(
                f"SF Express refused: {result.get('errorMsg') or result.get('errorCode')}",
                code=result.get("errorCode"),
            )
        return result.get("msgData") or {}

    def create_order(self, order_id, sender, receiver, cargo, express_type=EXPRESS_STANDARD, weight=None):
        """Create the shipment; returns ``{"waybill": ..., "raw": msgData}``.

        ``sender``/``receiver``: dicts with contact, mobile, province, city, county, address.
        ``cargo``: list of dicts with name, count (and optionally weight, amount).
        """
        msg = {
            "language": "zh-CN",
            "orderId": order_id,
            "cargoDetails": cargo,
            "contactInfoList": [dict(sender, contactType=1), dict(receiver, contactType=2)],
            "payMethod": 1,
            "expressTypeId": express_type,
            "parcelQty": 1,
        }
        if weight:
            msg["totalWeight"] = round(weight, 3)
        try:
            data = self.call(SERVICE_CREATE, msg)
        except CarrierRefused as error:
            if error.code != DUPLICATE_ORDER:
                raise
            # created by an earlier attempt whose answer or transaction was
            # lost: the same orderId gives back the same waybill
            data = self.search_order(order_id)
        return {"waybill": self._master_waybill(data), "raw": data}

    @staticmethod
    def _master_waybill(data):
        waybills = [
            w.get("waybillNo")
            for w in data.get("waybillNoInfoList") or []
            if str(w.get("waybillType", 1)) == "1" and w.get("waybillNo")
        ]
        if not waybills:
            raise CarrierBadPayload("SF Express answered without a waybill number.")
        return waybills[0]

    def search_order(self, order_id):
        return self.call(SERVICE_SEARCH, {"orderId": order_id, "searchType": "1", "language": "zh-CN"})

    def cancel_order(self, order_id):
        return self.call(SERVICE_UPDATE, {"orderId": order_id, "dealType": 2})

    def change_address(self, waybill, receiver):
        """Ask SF to redirect a collected parcel; raises CarrierRefused when it cannot."""
        msg = {
            "waybillNo": waybill,
            "serviceCode": "2",
            "role": "1",
            "payMode": "1",
            "newDestAddress": receiver,
        }
        return self.call(SERVICE_CHANGE_ADDRESS, msg)
