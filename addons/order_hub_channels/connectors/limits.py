"""Bounds every received order must respect, whatever its platform or source.

One normalise step serves pulled, pushed and RPC payloads; it ends here:
``check_raw`` refuses non-finite numbers and oversized payloads before the
platform's normaliser reads them, ``check_order`` bounds the canonical order
(numbers finite and in range, amounts rounded to the currency's decimals,
strings cut or refused at documented lengths, a receiver, a line limit).
Both raise ``BadPayload`` with a sentence that names the field, so that the
payload fails alone and keeps its reason.  The limits are company settings in
the ORM layer; ``Limits()`` holds the documented defaults.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import BadPayload


@dataclass(frozen=True)
class Limits:
    """The bounds of one order (defaults documented in the README)."""

    max_lines: int = 500  # lines per order
    max_quantity: Decimal = Decimal(100000)  # per line
    max_price: Decimal = Decimal(1000000)  # unit price, shipping, order amounts (currency units)
    max_payload_bytes: int = 2 * 1024 * 1024  # one order's payload as received (UTF-8)
    max_external_id: int = 64  # the platform's order id: refused when longer
    max_remark: int = 2000  # buyer and seller remarks: refused when longer
    max_name: int = 256  # names, codes, address parts: cut when longer
    currency_decimals: int = 2  # amounts are rounded to these decimals


# fields that are cut at ``max_name`` (a longer value is kept to this length)
_ADDRESS_TEXTS = ("name", "phone", "province", "city", "district", "street", "detail", "zip", "country_code")
_LINE_TEXTS = ("platform_sku", "merchant_code", "name", "external_line_id")
_INVOICE_TEXTS = ("invoice_type", "title", "tax_id", "address", "phone", "bank_name", "bank_account", "email")
_ORDER_TEXTS = ("shop_id", "platform_status", "currency", "buyer_id")


def payload_size(text):
    """Size in bytes of a payload's text, as stored."""
    return len(text.encode("utf-8", errors="replace"))


def check_raw(raw, limits, size=None, path="order"):
    """Refuse a raw payload that is too large or holds a number that is not
    finite (NaN, Infinity, or 1e400 read as Infinity) at any depth."""
    if size is not None and size > limits.max_payload_bytes:
        raise BadPayload(
            f"The payload is {size} bytes, more than the limit of {limits.max_payload_bytes} bytes "
            "per order.",
            "payload",
        )
    stack = [(raw, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise BadPayload(f"The field {where} is not a finite number: {value!r}.", where)
        if isinstance(value, dict):
            stack.extend((item, f"{where}.{key}") for key, item in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{where}[{index}]") for index, item in enumerate(value))


def _number(value, where, low, high, low_open=False):
    """``value`` as a finite Decimal within [low, high] (or (low, high])."""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise BadPayload(f"The field {where} is not a number: {value!r}.", where) from None
    if not value.is_finite():
        raise BadPayload(f"The field {where} is not a finite number: {value}.", where)
    if value < low or (low_open and value == low):
        relation = "more than" if low_open else "at least"
        raise BadPayload(f"The field {where} must be {relation} {low}, not {value}.", where)
    if value > high:
        raise BadPayload(f"The field {where} is {value}, more than the limit of {high}.", where)
    return value


def _amount(value, where, limits, high=None):
    value = _number(value, where, Decimal(0), limits.max_price if high is None else high)
    exponent = Decimal(1).scaleb(-limits.currency_decimals)
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def _cut(value, size):
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    return value[:size]


def _cut_fields(obj, names, size):
    return dataclasses.replace(obj, **{name: _cut(getattr(obj, name), size) for name in names})


def _check_receiver(receiver):
    encrypted = receiver.encrypted or {}
    has_name = bool(receiver.name.strip() or encrypted.get("name"))
    has_phone = bool(receiver.phone.strip() or encrypted.get("phone"))
    parts = ("province", "city", "district", "street", "detail")
    has_address = any((getattr(receiver, part) or "").strip() for part in parts)
    has_address = has_address or bool(encrypted.get("detail"))
    if not has_name or not (has_phone or has_address):
        raise BadPayload(
            "The order has no usable receiver: it needs the receiver's name and a phone number "
            "or an address.",
            "receiver",
        )


def _check_line(line, index, limits):
    where = f"lines[{index}]"
    quantity = _number(line.quantity, f"{where}.quantity", Decimal(0), limits.max_quantity, low_open=True)
    unit_price = _amount(line.unit_price, f"{where}.unit_price", limits)
    discount = _amount(line.discount, f"{where}.discount", limits, limits.max_price * limits.max_quantity)
    line = _cut_fields(line, _LINE_TEXTS, limits.max_name)
    return dataclasses.replace(line, quantity=quantity, unit_price=unit_price, discount=discount)


def check_order(order, limits):
    """The canonical ``order`` within ``limits``: amounts rounded, long names
    cut; ``BadPayload`` for what cannot be repaired without guessing."""
    if len(order.external_id) > limits.max_external_id:
        raise BadPayload(
            f"The order id is {len(order.external_id)} characters long, more than the limit of "
            f"{limits.max_external_id}.",
            "external_id",
        )
    if len(order.lines) > limits.max_lines:
        raise BadPayload(
            f"The order has {len(order.lines)} lines, more than the limit of {limits.max_lines} per order.",
            "lines",
        )
    for name in ("buyer_remark", "seller_remark"):
        if len(getattr(order, name) or "") > limits.max_remark:
            raise BadPayload(
                f"The field {name} is {len(getattr(order, name))} characters long, more than the limit "
                f"of {limits.max_remark}.",
                name,
            )
    _check_receiver(order.receiver)
    lines = tuple(_check_line(line, index, limits) for index, line in enumerate(order.lines, 1))
    order_high = limits.max_price * max(len(lines), 1)
    vals = {
        "lines": lines,
        "total_amount": _amount(order.total_amount, "total_amount", limits, order_high),
        "shipping_amount": _amount(order.shipping_amount, "shipping_amount", limits),
        "discount_amount": _amount(order.discount_amount, "discount_amount", limits, order_high),
        "receiver": _cut_fields(order.receiver, _ADDRESS_TEXTS, limits.max_name),
        "tracking_numbers": tuple(_cut(number, limits.max_name) for number in order.tracking_numbers),
    }
    if order.invoice is not None:
        vals["invoice"] = _cut_fields(order.invoice, _INVOICE_TEXTS, limits.max_name)
    vals.update({name: _cut(getattr(order, name), limits.max_name) for name in _ORDER_TEXTS})
    return dataclasses.replace(order, **vals)
