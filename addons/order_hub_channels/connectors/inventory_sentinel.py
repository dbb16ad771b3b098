"""Stock reports of third-party (cloud) warehouses: signature and payload.

A warehouse posts its stock of some SKUs::

    POST /order_hub/inventory/<sentinel id>
    X-OrderHub-Timestamp: 1764640000            (Unix seconds)
    X-OrderHub-Signature: hex(HMAC-SHA256(secret, timestamp + "\\n" + raw body))
    {"event_id": "wh-20261202-0001", "items": [{"sku": "BRK-2026-01", "quantity": 12}]}

``verify(headers, body, secret)`` raises ``SignatureError`` for a missing or
wrong signature, or a timestamp outside the window (a replay of an old
report); ``parse(body)`` returns a ``Report`` or raises ``BadPayload``
naming the field.  ``sign(secret, timestamp, body)`` is what the warehouse
computes.  ``exceeds(theirs, ours, threshold)`` says whether a difference
pauses the product.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import BadPayload, SignatureError

SIGNATURE_HEADER = "X-OrderHub-Signature"
TIMESTAMP_HEADER = "X-OrderHub-Timestamp"
WINDOW_SECONDS = 300
MAX_ITEMS = 5000


@dataclass(frozen=True)
class Report:
    event_id: str
    items: tuple  # ((sku, Decimal quantity), ...)


def sign(secret, timestamp, body: bytes) -> str:
    message = str(timestamp).encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _header(headers, name):
    lowered = {str(k).lower(): v for k, v in headers.items()}
    return str(lowered.get(name.lower()) or "")


def verify(headers, body: bytes, secret, now=None, window=WINDOW_SECONDS):
    if not secret:
        raise SignatureError("This warehouse has no shared secret.")
    signature, timestamp = _header(headers, SIGNATURE_HEADER), _header(headers, TIMESTAMP_HEADER)
    if not signature or not timestamp.isdigit():
        raise SignatureError("The report is not signed.")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.lower()):
        raise SignatureError("The report's signature is wrong.")
    if abs((now or time.time()) - int(timestamp)) > window:
        raise SignatureError("The report's timestamp is outside the window.")


def parse(body: bytes) -> Report:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadPayload("The report is not JSON.", field="body") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise BadPayload("The report has no list of items.", field="items")
    if len(data["items"]) > MAX_ITEMS:
        raise BadPayload(f"The report has more than {MAX_ITEMS} items.", field="items")
    items = []
    for index, item in enumerate(data["items"]):
        name = f"items[{index}]"
        if not isinstance(item, dict) or not str(item.get("sku") or "").strip():
            raise BadPayload(f"The field {name}.sku is missing.", field=f"{name}.sku")
        try:
            quantity = Decimal(str(item.get("quantity")))
        except (InvalidOperation, ValueError):
            quantity = Decimal("NaN")
        if not quantity.is_finite() or quantity < 0:
            raise BadPayload(f"The field {name}.quantity is not a quantity.", field=f"{name}.quantity")
        items.append((str(item["sku"]).strip()[:256], quantity))
    return Report(str(data.get("event_id") or "")[:128], tuple(items))


def exceeds(theirs, ours, threshold) -> bool:
    """True when the two figures differ by more than ``threshold`` units."""
    difference = abs(float(theirs) - float(ours))
    return difference > float(threshold) and not math.isclose(difference, float(threshold))
