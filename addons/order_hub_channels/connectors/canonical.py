"""The canonical order: one shape for an order from any platform.

Normalisers turn each platform's payload into a ``CanonicalOrder``; the ORM
layer maps it onto a sale order.  Amounts are ``Decimal`` in yuan (fen already
converted), times are timezone-aware, masked or encrypted receiver fields are
kept as the platform sent them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from . import registry
from .errors import BadPayload

# Canonical order states every platform status maps onto (see each normaliser).
STATUS_UNPAID = "unpaid"
STATUS_PAID = "paid"  # paid, waiting to be shipped
STATUS_PARTIALLY_SHIPPED = "partially_shipped"
STATUS_SHIPPED = "shipped"
STATUS_COMPLETED = "completed"
STATUS_CANCELLED = "cancelled"
STATUS_OTHER = "other"
CANONICAL_STATUSES = (
    STATUS_UNPAID,
    STATUS_PAID,
    STATUS_PARTIALLY_SHIPPED,
    STATUS_SHIPPED,
    STATUS_COMPLETED,
    STATUS_CANCELLED,
    STATUS_OTHER,
)

# How the buyer pays (order_hub's sale.order.hub_payment_method); each
# normaliser maps its platform's codes onto these, "" when it cannot tell.
PAYMENT_PREPAID = "prepaid"  # paid online before shipping
PAYMENT_COD = "cod"  # cash on delivery (or on pickup)
PAYMENT_CREDIT = "credit"  # buy now pay later, instalments
PAYMENT_TRANSFER = "transfer"  # bank or company transfer
PAYMENT_METHODS = (PAYMENT_PREPAID, PAYMENT_COD, PAYMENT_CREDIT, PAYMENT_TRANSFER)


@dataclass(frozen=True)
class Address:
    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""  # town / street level, when the platform gives it
    detail: str = ""  # house number and the rest
    zip: str = ""
    country_code: str = "CN"
    masked: bool = False  # True when the platform sent masked values (138****1234)
    # ciphertexts kept as sent, for a later decrypt call (Douyin encrypt_*, JD TDE)
    encrypted: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InvoiceRequest:
    invoice_type: str = "normal"  # "normal" (普票) or "special" (专票)
    title: str = ""  # company name or personal title
    tax_id: str = ""
    address: str = ""
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    platform_sku: str  # the platform's own SKU id
    merchant_code: str = ""  # merchant's code (out_sku_id, outerSkuId, sku, model_sku)
    name: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal = Decimal(0)  # yuan, before discounts
    discount: Decimal = Decimal(0)  # total discount of the line, yuan
    is_gift: bool = False
    external_line_id: str = ""


@dataclass(frozen=True)
class CanonicalOrder:
    platform: str
    external_id: str
    shop_id: str
    status: str  # one of CANONICAL_STATUSES
    platform_status: str  # the platform's own status code, as text
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None = None
    currency: str = "CNY"
    total_amount: Decimal = Decimal(0)  # what the buyer pays, yuan
    shipping_amount: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    buyer_remark: str = ""
    seller_remark: str = ""
    buyer_id: str = ""
    receiver: Address = field(default_factory=Address)
    lines: tuple[Line, ...] = ()
    invoice: InvoiceRequest | None = None
    promised_ship_at: datetime | None = None
    tracking_numbers: tuple[str, ...] = ()
    payment_method: str = ""  # one of PAYMENT_METHODS, or "" when unknown
    # platform fields with no canonical home, e.g. {"installation_service": True}
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.platform not in registry.CLIENTS:
            raise BadPayload(f"Unknown platform {self.platform!r}.", "platform")
        if not self.external_id:
            raise BadPayload("The order has no order id.", "external_id")
        if self.status not in CANONICAL_STATUSES:
            raise BadPayload(f"Unknown order status {self.status!r}.", "status")
        if self.payment_method and self.payment_method not in PAYMENT_METHODS:
            raise BadPayload(f"Unknown payment method {self.payment_method!r}.", "payment_method")
        for stamp in ("created_at", "updated_at", "paid_at", "promised_ship_at"):
            value = getattr(self, stamp)
            if value is not None and value.tzinfo is None:
                raise BadPayload(f"{stamp} must be timezone-aware.", stamp)

    def to_dict(self):
        """JSON-friendly dict (Decimal -> str, datetime -> ISO 8601)."""

        def convert(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {key: convert(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return [convert(item) for item in value]
            return value

        return convert(dataclasses.asdict(self))
