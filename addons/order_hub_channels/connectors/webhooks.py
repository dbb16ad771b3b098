"""Webhook verification: check the platform's signature on the raw bytes
before anything else, then parse the events.

``verify_and_parse(platform, headers=, body=, secret=, ...)`` returns a list
of ``WebhookEvent`` or raises ``SignatureError`` (answer 401, store nothing)
or ``BadPayload`` (signed but unreadable).  A signed timestamp outside
``max_age`` is refused here; a replay inside the window passes the signature
and is deduplicated by the caller (event id, payload digest), answered 200.

* Shopify: ``X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(client secret, raw
  body))``.  No signed timestamp: replays are caught by the webhook id
  (``event_id``), which the caller stores uniquely.
* Douyin: ``event-sign = md5(app_key + raw body + app_secret)`` and header
  ``app-id``; a ``sign-method: hmac-sha256`` header switches to
  ``HMAC-SHA256(app_secret, app_key + body + app_secret)`` (unconfirmed
  variant).  No signed timestamp: replays are caught by ``msg_id``.
* WeChat Shop: GET URL verification (``signature = sha1(sorted(token,
  timestamp, nonce))``, the caller echoes ``echostr``: one event with topic
  ``url_verification`` and ``raw = {"echostr": ...}``) and POSTed messages in
  safe mode (AES-256-CBC, ``msg_signature = sha1(sorted(token, timestamp,
  nonce, Encrypt))``); ``timestamp`` older than ``max_age`` is a replay.
  Query parameters are read from ``url``.
* Shopee: ``Authorization = hex HMAC-SHA256(partner_key, url + "|" + body)``;
  the body's ``timestamp`` older than ``max_age`` is a replay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import BadPayload, SignatureError


@dataclass(frozen=True)
class WebhookEvent:
    platform: str
    topic: str
    external_id: str
    event_id: str
    raw: dict = field(repr=False)

    @property
    def order_payload(self):
        """The full order when the push carries it (Shopify), else None: fetch it with
        ``client.get_order(event.external_id)`` (Douyin, WeChat Shop and Shopee push ids only)."""
        if self.platform == "shopify" and isinstance(self.raw.get("line_items"), list):
            return self.raw
        return None


def _headers(headers):
    return {str(key).lower(): str(value) for key, value in (headers or {}).items()}


def _now(now):
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


def _check_age(timestamp, now, max_age, what):
    try:
        stamp = float(timestamp)
    except (TypeError, ValueError):
        raise SignatureError(f"The {what} has no valid timestamp.") from None
    if abs(_now(now) - stamp) > max_age:
        raise SignatureError(f"The {what} is too old or from the future (replayed?); refused.")


def _json(body, what):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadPayload(f"The {what} body is not valid JSON.", field="body") from None


def _require_secret(secret, what):
    if not secret:
        raise SignatureError(f"No secret is configured to verify {what}; refused.")


def verify_shopify(headers, body, secret):
    _require_secret(secret, "Shopify webhooks")
    given = _headers(headers).get("x-shopify-hmac-sha256", "")
    if not given:
        raise SignatureError("The Shopify webhook has no X-Shopify-Hmac-Sha256 header.")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise SignatureError("The Shopify webhook signature does not match.")


def _shopify(headers, body, secret):
    verify_shopify(headers, body, secret)
    head = _headers(headers)
    order = _json(body, "Shopify webhook")
    if not isinstance(order, dict):
        raise BadPayload("The Shopify webhook body is not an object.", field="body")
    external = str(order.get("id") or order.get("order_id") or "")
    event_id = head.get("x-shopify-webhook-id") or head.get("x-shopify-event-id") or ""
    return [WebhookEvent("shopify", head.get("x-shopify-topic", ""), external, event_id, order)]


def douyin_event_sign(app_key, body, secret, method="md5"):
    payload = app_key.encode() + body + secret.encode()
    if method == "hmac-sha256":
        return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return hashlib.md5(payload).hexdigest()


def _douyin(headers, body, secret, app_key):
    _require_secret(secret, "Douyin pushes")
    head = _headers(headers)
    given = head.get("event-sign", "")
    if not given:
        raise SignatureError("The Douyin push has no event-sign header.")
    if app_key and head.get("app-id") and head["app-id"] != app_key:
        raise SignatureError("The Douyin push is for another app (app-id).")
    method = "hmac-sha256" if head.get("sign-method", "").lower() == "hmac-sha256" else "md5"
    expected = douyin_event_sign(app_key or head.get("app-id", ""), body, secret, method)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise SignatureError("The Douyin push signature does not match.")
    messages = _json(body, "Douyin push")
    if not isinstance(messages, list):
        raise BadPayload("The Douyin push body is not a list of messages.", field="body")
    events = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadPayload(f"Douyin push message {index} is not an object.", field=f"[{index}]")
        data = message.get("data") or "{}"
        try:
            data = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            raise BadPayload(
                f"Douyin push message {index} has data that is not JSON.", field=f"[{index}].data"
            ) from None
        if not isinstance(data, dict):
            raise BadPayload(
                f"Douyin push message {index} has data that is not an object.", field=f"[{index}].data"
            )
        external = str(data.get("p_id") or data.get("shop_order_id") or data.get("order_id") or "")
        events.append(
            WebhookEvent(
                "douyin",
                str(message.get("tag", "")),
                external,
                str(message.get("msg_id", "")),
                {**message, "data": data},
            )
        )
    return events


def wechat_signature(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def wechat_decrypt(encrypted, aes_key, app_id=None):
    """Plain text of a WeChat safe-mode ``Encrypt`` field (AES-256-CBC, PKCS#7 to 32)."""
    try:
        key = base64.b64decode(aes_key + "=")
        data = base64.b64decode(encrypted)
    except (ValueError, TypeError):
        raise SignatureError("The WeChat message or EncodingAESKey is not valid base64.") from None
    if len(key) != 32 or not data or len(data) % 16:
        raise SignatureError("The WeChat message cannot be decrypted with this EncodingAESKey.")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 32:
        raise SignatureError("The WeChat message cannot be decrypted with this EncodingAESKey.")
    content = plain[16:-pad]
    (length,) = struct.unpack(">I", content[:4])
    message, from_app = content[4 : 4 + length], content[4 + length :]
    if app_id and from_app.decode(errors="replace") != app_id:
        raise SignatureError("The WeChat message was encrypted for another app id.")
    return message


def wechat_encrypt(message: bytes, aes_key, app_id, random16=None):
    """The inverse of ``wechat_decrypt`` (replies, tests and the webhook sender)."""
    import os

    key = base64.b64decode(aes_key + "=")
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(message)) + message + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url or "").query).items()}


def _wechat(body, token, aes_key, app_key, url, now, max_age):
    if not token:
        raise SignatureError("No token is configured to verify WeChat Shop messages; refused.")
    query = _query(url)
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not body.strip() and "echostr" in query:
        given = query.get("signature", "")
        if not given or not hmac.compare_digest(
            wechat_signature(token, timestamp, nonce).encode(), given.encode()
        ):
            raise SignatureError("The WeChat Shop URL verification signature does not match.")
        _check_age(timestamp, now, max_age, "WeChat Shop URL verification")
        return [WebhookEvent("wechat_shop", "url_verification", "", "", {"echostr": query["echostr"]})]
    envelope = _json(body, "WeChat Shop message")
    encrypted = envelope.get("Encrypt") if isinstance(envelope, dict) else None
    given = query.get("msg_signature", "")
    if not encrypted or not given:
        raise SignatureError(
            "WeChat Shop messages must come in safe mode (Encrypt and msg_signature); refused."
        )
    if not hmac.compare_digest(wechat_signature(token, timestamp, nonce, encrypted).encode(), given.encode()):
        raise SignatureError("The WeChat Shop message signature does not match.")
    _check_age(timestamp, now, max_age, "WeChat Shop message")
    if not aes_key:
        raise SignatureError("No EncodingAESKey is configured to decrypt WeChat Shop messages; refused.")
    message = _json(wechat_decrypt(encrypted, aes_key, app_key), "decrypted WeChat Shop message")
    if not isinstance(message, dict):
        raise BadPayload("The decrypted WeChat Shop message is not an object.", field="Encrypt")
    info = message.get("order_info") if isinstance(message.get("order_info"), dict) else {}
    external = str(info.get("order_id") or "")
    topic = str(message.get("Event") or message.get("MsgType") or "")
    event_id = f"{message.get('FromUserName', '')}:{message.get('CreateTime', '')}:{topic}:{external}"
    return [WebhookEvent("wechat_shop", topic, external, event_id, message)]


def shopee_push_sign(url, body, partner_key):
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def _shopee(headers, body, secret, url, now, max_age):
    _require_secret(secret, "Shopee pushes")
    if not url:
        raise SignatureError("The Shopee push cannot be verified without its callback URL.")
    given = _headers(headers).get("authorization", "")
    if not given:
        raise SignatureError("The Shopee push has no Authorization header.")
    if not hmac.compare_digest(shopee_push_sign(url, body, secret).encode(), given.strip().lower().encode()):
        raise SignatureError("The Shopee push signature does not match.")
    push = _json(body, "Shopee push")
    if not isinstance(push, dict):
        raise BadPayload("The Shopee push body is not an object.", field="body")
    _check_age(push.get("timestamp"), now, max_age, "Shopee push")
    data = push.get("data") if isinstance(push.get("data"), dict) else {}
    external = str(data.get("ordersn") or data.get("order_sn") or "")
    code = str(push.get("code", ""))
    event_id = (
        f"{push.get('shop_id', '')}:{code}:{external}:{data.get('update_time') or push.get('timestamp')}"
    )
    return [WebhookEvent("shopee", code, external, event_id, push)]


def verify_and_parse(
    platform,
    *,
    headers,
    body: bytes,
    secret,
    app_key=None,
    token=None,
    aes_key=None,
    url=None,
    now=None,
    max_age=300,
):
    """Verify a webhook request and return its events; see the module docstring."""
    body = body or b""
    if not isinstance(body, bytes):
        raise TypeError("body must be the raw request bytes")
    if platform == "shopify":
        return _shopify(headers, body, secret)
    if platform == "douyin":
        return _douyin(headers, body, secret, app_key)
    if platform == "wechat_shop":
        return _wechat(body, token, aes_key, app_key, url, now, max_age)
    if platform == "shopee":
        return _shopee(headers, body, secret, url, now, max_age)
    raise SignatureError(f"{platform} does not push orders by webhook; refused.")
