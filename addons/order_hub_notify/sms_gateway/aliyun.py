"""Aliyun SMS (阿里云短信服务, dysmsapi 2017-05-25) ``SendSms``, without Odoo.

Signed with Aliyun's RPC signature, version 1.0 (``SignatureMethod=HMAC-SHA1``):

1. every parameter except ``Signature``, sorted by name, each name and value
   percent-encoded per RFC 3986 (unreserved ``A-Z a-z 0-9 - _ . ~`` kept, space
   as ``%20``), joined as ``name=value`` with ``&``: the canonical query;
2. ``StringToSign = METHOD + "&" + enc("/") + "&" + enc(canonical query)``;
3. ``Signature = base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign))``.

The request is a form POST to the endpoint (``https://dysmsapi.aliyuncs.com/``).
An answer ``{"Code": "OK", "BizId": ..., "RequestId": ...}`` is a sent message;
any other ``Code`` is an error: throttling and server errors are retryable,
the rest (bad phone, template, signature, key) are not. Error texts carry the
provider's code and message, never the AccessKey secret or the signature.
"""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

import requests

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
DEFAULT_REGION = "cn-hangzhou"
TIMEOUT = (5, 15)
# codes after which the same message may be sent again later
RETRYABLE_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
    "SignatureNonceUsed",
}
MAX_ERROR_TEXT = 300


class AliyunSmsError(Exception):
    """The provider refused the message or could not be reached."""

    def __init__(self, message, code=None, retryable=False):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


def percent_encode(value):
    return quote(str(value), safe="-_.~")


def canonical_query(params):
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}"
        for name in sorted(params)
        if name != "Signature"
    )


def string_to_sign(method, params):
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(access_key_secret, method, params):
    digest = hmac.new(
        f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def timestamp(now=None):
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsClient:
    def __init__(
        self,
        access_key_id,
        access_key_secret,
        sign_name,
        endpoint=DEFAULT_ENDPOINT,
        region=DEFAULT_REGION,
        timeout=TIMEOUT,
        session=None,
    ):
        if not (access_key_id and access_key_secret and sign_name):
            raise AliyunSmsError("Aliyun SMS needs an AccessKey ID, its secret and a signature name.")
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self.sign_name = sign_name
        self.endpoint = endpoint or DEFAULT_ENDPOINT
        self.region = region
        self.timeout = timeout
        self.session = session or requests.Session()

    def __repr__(self):  # never the secret
        return f"<AliyunSmsClient {self.access_key_id} {self.endpoint}>"

    def _signed_params(self, action, params, now=None, nonce=None):
        signed = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": timestamp(now),
            "Version": API_VERSION,
            **params,
        }
        signed["Signature"] = sign(self._secret, "POST", signed)
        return signed

    def send_sms(self, phone, template_code, template_params=None, out_id=None):
        """Send one templated SMS; returns ``{"biz_id", "request_id"}``."""
        params = {
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_code,
        }
        if template_params:
            params["TemplateParam"] = json.dumps(template_params, ensure_ascii=False, separators=(",", ":"))
        if out_id:
            params["OutId"] = str(out_id)
        body = self._signed_params("SendSms", params)
        try:
            response = self.session.post(self.endpoint, data=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise AliyunSmsError(
                f"Aliyun SMS could not be reached ({type(error).__name__}).", retryable=True
            ) from None
        return self._parse(response)

    @staticmethod
    def _parse(response):
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        code = payload.get("Code") if isinstance(payload, dict) else None
        if response.status_code == 200 and code == "OK":
            return {"biz_id": payload.get("BizId"), "request_id": payload.get("RequestId")}
        message = str(payload.get("Message") or "")[:MAX_ERROR_TEXT] if isinstance(payload, dict) else ""
        retryable = response.status_code >= 500 or response.status_code == 429 or code in RETRYABLE_CODES
        text = f"Aliyun SMS refused the message: {code or response.status_code}"
        if message:
            text = f"{text} ({message})"
        raise AliyunSmsError(text, code=code or str(response.status_code), retryable=retryable)
