"""Kuaidi100 (快递100) tracking: real-time query, subscription and push callbacks.

query:     form customer, param, sign = UPPER(md5(param + key + customer))
subscribe: form schema=json, param (the key travels inside param)
callback:  form param, sign = UPPER(md5(param + salt))
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from .errors import (
    CarrierAuthError,
    CarrierBadPayload,
    CarrierError,
    CarrierRateLimited,
    CarrierSignatureError,
    CarrierTransientError,
)
from .http import DEFAULT_TIMEOUT, post

# Kuaidi100 state -> (hub event, exception ticket type or None).
# Events: "in_transit" (first pickup scan or any transit scan), "delivered"
# (signed), "exception" (problem, returned, refused, customs trouble).
STATE_EVENTS = {
    "0": ("in_transit", None),  # 在途
    "1": ("in_transit", None),  # 揽收
    "2": ("exception", "logistics_stalled"),  # 疑难
    "3": ("delivered", None),  # 签收
    "4": ("exception", "refused_by_customer"),  # 退签
    "5": ("in_transit", None),  # 派件
    "6": ("exception", "refused_by_customer"),  # 退回
    "7": ("in_transit", None),  # 转投
    "8": ("in_transit", None),  # 清关
    "10": ("in_transit", None),  # 待清关
    "11": ("in_transit", None),  # 清关中
    "12": ("in_transit", None),  # 已清关
    "13": ("exception", "customs_hold"),  # 清关异常
    "14": ("exception", "refused_by_customer"),  # 拒签
}
STATE_LABELS = {
    "0": "In transit",
    "1": "Picked up",
    "2": "Problem",
    "3": "Signed",
    "4": "Returned and signed",
    "5": "Out for delivery",
    "6": "Returning",
    "7": "Transferred",
    "8": "Customs",
    "10": "Awaiting customs",
    "11": "In customs",
    "12": "Cleared customs",
    "13": "Customs problem",
    "14": "Refused",
}


def state_event(state):
    """``(event, ticket_type)`` for a Kuaidi100 state; unknown states change nothing."""
    return STATE_EVENTS.get(str(state), (None, None))


def kuaidi100_query_sign(param, key, customer):
    return hashlib.md5(f"{param}{key}{customer}".encode()).hexdigest().upper()


def kuaidi100_callback_sign(param, salt):
    return hashlib.md5(f"{param}{salt}".encode()).hexdigest().upper()


@dataclass
class TrackingResult:
    number: str
    company: str
    state: str
    signed: bool
    events: list = field(default_factory=list)  # [{"time", "context", "status", "area"}], oldest first

    @classmethod
    def from_payload(cls, data):
        try:
            events = [
                {
                    "time": item["ftime"] if item.get("ftime") else item["time"],
                    "context": item.get("context") or "",
                    "status": item.get("status") or "",
                    "area": item.get("areaName") or "",
                }
                for item in data.get("data") or []
            ]
            return cls(
                number=str(data["nu"]),
                company=str(data.get("com") or ""),
                state=str(data["state"]),
                signed=str(data.get("ischeck")) == "1",
                events=list(reversed(events)),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise CarrierBadPayload("Kuaidi100 tracking data lacks nu/state/data.") from exc


ERROR_TYPES = {
    "503": CarrierSignatureError,
    "601": CarrierAuthError,
    "501": CarrierTransientError,
    "502": CarrierRateLimited,
}


def _raise_for(answer):
    code = str(answer.get("returnCode") or "")
    message = answer.get("message") or ""
    error = ERROR_TYPES.get(code, CarrierBadPayload)
    if code == "500":
        error = CarrierError  # no result (yet) for this number
    raise error(f"Kuaidi100 refused the request ({code}): {message}", code=code or None)


class Kuaidi100Client:
    def __init__(self, base_url, customer, key, timeout=DEFAULT_TIMEOUT, session=None):
        if not (base_url and customer and key):
            raise CarrierAuthError("Kuaidi100 needs an API URL, a customer code and a key.")
        self.base_url = base_url.rstrip("/")
        self.customer = customer
        self._key = key
        self.timeout = timeout
        self.session = session

    def __repr__(self):
        return f"Kuaidi100Client({self.base_url!r}, customer={self.customer!r})"

    def _post(self, path, form):
        """POST ``form`` to ``path``; the answer object (CarrierBadPayload when it is not one)."""
        answer = post(
            f"{self.base_url}/{path}",
            carrier="Kuaidi100",
            timeout=self.timeout,
            session=self.session,
            data=form,
        )
        if not isinstance(answer, dict):
            raise CarrierBadPayload("Kuaidi100 answered with an unexpected body.")
        return answer

    def query(self, company, number, phone=None):
        """Latest tracking of one waybill (``company`` is Kuaidi100's code, e.g. ``shunfeng``)."""
        param = {"com": company, "num": number, "resultv2": "1", "show": "0", "order": "desc"}
        if phone:
            param["phone"] = phone
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        form = {
            "customer": self.customer,
            "param": text,
            "sign": kuaidi100_query_sign(text, self._key, self.customer),
        }
        answer = self._post("poll/query.do", form)
        if answer.get("result") is False or str(answer.get("status", "200")) != "200":
            _raise_for(answer)
        return TrackingResult.from_payload(answer)

    def subscribe(self, company, number, callback_url, salt=None, phone=None):
        parameters = {"callbackurl": callback_url, "resultv2": "1"}
        if salt:
            parameters["salt"] = salt
        if phone:
            parameters["phone"] = phone
        param = {"company": company, "number": number, "key": self._key, "parameters": parameters}
        form = {"schema": "json", "param": json.dumps(param, ensure_ascii=False, separators=(",", ":"))}
        answer = self._post("poll", form)
        code = str(answer.get("returnCode") or "")
        if answer.get("result") is True or code == "501":  # 501: already subscribed
            return True
        _raise_for(answer)


def parse_callback(param, sign, salt):
    """Verify and decode a push; raises CarrierSignatureError (write nothing) on a bad sign."""
    if not salt:
        raise CarrierSignatureError("No Kuaidi100 salt is configured: pushes cannot be verified.")
    expected = kuaidi100_callback_sign(param or "", salt)
    if not sign or not hmac.compare_digest(expected, str(sign).upper()):
        raise CarrierSignatureError("The Kuaidi100 push signature does not match.")
    try:
        data = json.loads(param)
        last = data["lastResult"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CarrierBadPayload("The Kuaidi100 push has no readable lastResult.") from exc
    return {
        "status": data.get("status"),
        "message": data.get("message"),
        "result": TrackingResult.from_payload(last),
    }
