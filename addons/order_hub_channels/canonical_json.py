"""The documented JSON form of a canonical order, for systems that push orders
over RPC without a platform format (ERP, phone orders, files).

Plain Python (no ``odoo`` import): ``from_dict`` is the inverse of
``CanonicalOrder.to_dict`` and raises ``BadPayload`` with a readable sentence.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from .connectors.canonical import (
    Address,
    BadPayload,
    CanonicalOrder,
    InvoiceRequest,
    Line,
)

FORMAT_KEY = "order_hub_format"
FORMAT_VALUE = "canonical"


def is_canonical(raw):
    """True when ``raw`` is a canonical order dict (see ``README``)."""
    return isinstance(raw, dict) and raw.get(FORMAT_KEY) == FORMAT_VALUE


def _decimal(value, name):
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as err:
        raise BadPayload(f"The field {name} is not a number: {value!r}.", name) from err


def _datetime(value, name, required=False):
    if value in (None, ""):
        if required:
            raise BadPayload(f"The field {name} is missing.", name)
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise BadPayload(f"The field {name} is not an ISO 8601 date: {value!r}.", name) from err
    if stamp.tzinfo is None:
        raise BadPayload(f"The field {name} needs a time zone offset: {value!r}.", name)
    return stamp


def _line(raw, index):
    if not isinstance(raw, dict):
        raise BadPayload(f"Line {index} is not an object.", "lines")
    sku = str(raw.get("platform_sku") or raw.get("merchant_code") or "")
    if not sku:
        raise BadPayload(f"Line {index} has neither platform_sku nor merchant_code.", "lines")
    return Line(
        platform_sku=sku,
        merchant_code=str(raw.get("merchant_code") or ""),
        name=str(raw.get("name") or ""),
        quantity=_decimal(raw.get("quantity", 1), f"lines[{index}].quantity"),
        unit_price=_decimal(raw.get("unit_price"), f"lines[{index}].unit_price"),
        discount=_decimal(raw.get("discount"), f"lines[{index}].discount"),
        is_gift=bool(raw.get("is_gift")),
        external_line_id=str(raw.get("external_line_id") or ""),
    )


def from_dict(raw):
    """Build a ``CanonicalOrder`` from its JSON form; ``BadPayload`` when it cannot."""
    if not isinstance(raw, dict):
        raise BadPayload("The order is not a JSON object.")
    lines = raw.get("lines")
    if not isinstance(lines, list) or not lines:
        raise BadPayload("The order has no lines.", "lines")
    receiver = raw.get("receiver") or {}
    if not isinstance(receiver, dict):
        raise BadPayload("The field receiver is not an object.", "receiver")
    address_fields = set(Address.__dataclass_fields__)
    invoice = raw.get("invoice")
    invoice_fields = set(InvoiceRequest.__dataclass_fields__)
    return CanonicalOrder(
        platform=str(raw.get("platform") or ""),
        external_id=str(raw.get("external_id") or ""),
        shop_id=str(raw.get("shop_id") or ""),
        status=str(raw.get("status") or ""),
        platform_status=str(raw.get("platform_status") or raw.get("status") or ""),
        created_at=_datetime(raw.get("created_at"), "created_at", required=True),
        updated_at=_datetime(raw.get("updated_at") or raw.get("created_at"), "updated_at", True),
        paid_at=_datetime(raw.get("paid_at"), "paid_at"),
        currency=str(raw.get("currency") or "CNY"),
        total_amount=_decimal(raw.get("total_amount"), "total_amount"),
        shipping_amount=_decimal(raw.get("shipping_amount"), "shipping_amount"),
        discount_amount=_decimal(raw.get("discount_amount"), "discount_amount"),
        buyer_remark=str(raw.get("buyer_remark") or ""),
        seller_remark=str(raw.get("seller_remark") or ""),
        buyer_id=str(raw.get("buyer_id") or ""),
        receiver=Address(**{k: v for k, v in receiver.items() if k in address_fields}),
        lines=tuple(_line(line, index) for index, line in enumerate(lines, 1)),
        invoice=InvoiceRequest(**{k: v for k, v in invoice.items() if k in invoice_fields})
        if isinstance(invoice, dict)
        else None,
        promised_ship_at=_datetime(raw.get("promised_ship_at"), "promised_ship_at"),
        tracking_numbers=tuple(raw.get("tracking_numbers") or ()),
        payment_method=str(raw.get("payment_method") or ""),
        extra=dict(raw.get("extra") or {}),
    )


def to_dict(order):
    """The JSON form of ``order`` (``CanonicalOrder.to_dict`` plus the format marker)."""
    return {FORMAT_KEY: FORMAT_VALUE, **order.to_dict()}
