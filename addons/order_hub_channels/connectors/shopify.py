"""Shopify Admin REST client and normaliser.

Authentication is the ``X-Shopify-Access-Token`` header (no request signing);
``config.base_url`` is ``https://{shop}.myshopify.com`` (``config.shop_id`` may
hold the shop domain instead).  Option ``config.extra["api_version"]``.

Orders: ``GET /admin/api/{version}/orders.json?status=any&updated_at_min=&
updated_at_max=&order=updated_at asc&limit=`` then the ``Link`` header's
``rel="next"`` URL (``page_info`` cursor; with it only ``limit`` may be sent).
The REST API answers 429 with ``Retry-After`` past its leaky bucket (40
requests, 2/s): the HTTP core turns that into ``RateLimited``.  Money are
decimal strings in the shop currency, times ISO 8601 with offset.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from . import canonical as c
from .base import (
    ChannelClient,
    OrderPage,
    as_dict,
    as_list,
    decimal,
    iso_time,
    money,
    need,
    page_watermark,
    text,
)
from .errors import AuthError, BadPayload, ConnectorError

DEFAULT_API_VERSION = "2025-01"
LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?([a-z]+)"?')


def next_link(header):
    """The ``rel="next"`` URL of a ``Link`` header, or None."""
    for url, rel in LINK_RE.findall(header or ""):
        if rel == "next":
            return url
    return None


class ShopifyClient(ChannelClient):
    platform = "shopify"
    label = "Shopify"
    max_page_size = 250
    order_id_key = "id"

    def __init__(self, config, **kwargs):
        if not config.base_url and config.shop_id:
            domain = config.shop_id if "." in config.shop_id else f"{config.shop_id}.myshopify.com"
            config.base_url = f"https://{domain}"
        if not config.base_url:
            raise ValueError("A Shopify channel needs its shop domain (base URL or shop id).")
        super().__init__(config, **kwargs)

    @property
    def api(self):
        return f"admin/api/{self.config.extra.get('api_version', DEFAULT_API_VERSION)}"

    def _get(self, path, params=None):
        response = self.http.request(
            "GET", path, params=params, headers={"X-Shopify-Access-Token": self.config.access_token}
        )
        data = response.data
        if response.status == 401:
            raise AuthError("Shopify refused the access token (HTTP 401); install the app again.")
        if response.status in (402, 403, 423):
            raise AuthError(
                f"Shopify refused access (HTTP {response.status}): "
                f"{text(as_dict(data, 'body').get('errors'))}"
            )
        if response.status >= 400:
            errors = data.get("errors") if isinstance(data, dict) else data
            raise ConnectorError(f"Shopify answered HTTP {response.status}: {text(errors)}")
        if not isinstance(data, dict):
            raise BadPayload("Shopify answered with something that is not an object.", field="body")
        return response, data

    def test_connection(self):
        _response, data = self._get(f"{self.api}/shop.json")
        shop = as_dict(need(data, "shop"), "shop")
        return f"Connected to Shopify shop {text(shop.get('name'))} ({text(shop.get('myshopify_domain'))})."

    def iter_order_pages(self, start, end, page_size=50):
        if not self._check_range(start, end, page_size):
            return
        path = f"{self.api}/orders.json"
        params = {
            "status": "any",
            "updated_at_min": start.isoformat(),
            "updated_at_max": end.isoformat(),
            "order": "updated_at asc",
            "limit": page_size,
        }
        while True:
            response, data = self._get(path, params)
            if "orders" not in data:
                raise BadPayload("Shopify answered the order list without orders.", field="orders")
            orders = as_list(data["orders"], "orders")
            link = next_link(response.headers.get("Link"))
            cursor = parse_qs(urlsplit(link).query).get("page_info", [None])[0] if link else None
            last = not link or not orders
            updates = [iso_time(need(o, "updated_at"), "updated_at") for o in orders]
            yield OrderPage(orders, page_watermark(updates, start, end, last, True), None if last else cursor)
            if last:
                return
            path, params = f"{self.api}/orders.json", {"page_info": cursor, "limit": page_size}

    def get_order(self, external_id):
        _response, data = self._get(f"{self.api}/orders/{external_id}.json")
        return as_dict(need(data, "order"), "order")


def _status(raw):
    financial = text(raw.get("financial_status"))
    fulfillment = text(raw.get("fulfillment_status"))
    if raw.get("cancelled_at") or financial in ("voided", "refunded"):
        return c.STATUS_CANCELLED
    if fulfillment == "fulfilled":
        return c.STATUS_COMPLETED if raw.get("closed_at") else c.STATUS_SHIPPED
    if fulfillment == "partial":
        return c.STATUS_PARTIALLY_SHIPPED
    if financial in ("paid", "partially_refunded", "authorized", "partially_paid"):
        return c.STATUS_PAID
    if financial in ("pending", "expired"):
        return c.STATUS_UNPAID
    return c.STATUS_OTHER


def _line(item, index):
    path = f"line_items[{index}]"
    price = money(need(item, "price", path), f"{path}.price")
    return c.Line(
        platform_sku=text(item.get("variant_id") or need(item, "id", path)),
        merchant_code=text(item.get("sku")),
        name=text(item.get("title")),
        quantity=decimal(need(item, "quantity", path), f"{path}.quantity"),
        unit_price=price,
        discount=money(item.get("total_discount") or 0, f"{path}.total_discount"),
        is_gift=price == 0,
        external_line_id=text(item.get("id")),
    )


# words of Shopify payment gateway names (payment_gateway_names, or the older
# gateway) that tell how the buyer pays; other gateways of a paid order are online payments
GATEWAY_WORDS = (
    (c.PAYMENT_COD, ("cash on delivery", "(cod)", "cod")),
    (c.PAYMENT_TRANSFER, ("bank", "transfer", "deposit", "money order")),
    (
        c.PAYMENT_CREDIT,
        ("afterpay", "klarna", "affirm", "pay later", "paylater", "installment", "instalment"),
    ),
)
PAID_STATUSES = ("paid", "partially_paid", "partially_refunded", "refunded", "authorized")


def payment_method(raw):
    """The hub's payment method of a Shopify order ("" when it cannot tell)."""
    names = raw.get("payment_gateway_names")
    names = [text(name).lower() for name in names] if isinstance(names, list) else []
    if raw.get("gateway"):
        names.append(text(raw["gateway"]).lower())
    for method, words in GATEWAY_WORDS:
        if any(name == word or (len(word) > 3 and word in name) for name in names for word in words):
            return method
    return c.PAYMENT_PREPAID if text(raw.get("financial_status")) in PAID_STATUSES else ""


def normalise(raw) -> c.CanonicalOrder:
    if not isinstance(raw, dict):
        raise BadPayload("The Shopify order is not an object.", field="order")
    address = as_dict(raw.get("shipping_address"), "shipping_address")
    items = as_list(need(raw, "line_items"), "line_items")
    shipping = sum(
        (
            money(as_dict(x, "shipping_lines").get("price") or 0, "shipping_lines.price")
            for x in raw.get("shipping_lines") or []
        ),
        start=money(0, "shipping_lines"),
    )
    financial = text(raw.get("financial_status"))
    fulfillment = text(raw.get("fulfillment_status")) or "unfulfilled"
    cancelled = "cancelled/" if raw.get("cancelled_at") else ""
    fulfilments = as_list(raw.get("fulfillments"), "fulfillments")
    name, phone = text(address.get("name")), text(address.get("phone"))
    processed = raw.get("processed_at")
    return c.CanonicalOrder(
        platform="shopify",
        external_id=text(need(raw, "id")),
        shop_id="",
        status=_status(raw),
        platform_status=f"{cancelled}{financial}/{fulfillment}",
        created_at=iso_time(need(raw, "created_at"), "created_at"),
        updated_at=iso_time(need(raw, "updated_at"), "updated_at"),
        paid_at=iso_time(processed, "processed_at") if processed and financial == "paid" else None,
        currency=text(raw.get("currency") or "CNY"),
        total_amount=money(need(raw, "total_price"), "total_price"),
        shipping_amount=shipping,
        discount_amount=money(raw.get("total_discounts") or 0, "total_discounts"),
        buyer_remark=text(raw.get("note")),
        buyer_id=text(as_dict(raw.get("customer"), "customer").get("id")),
        receiver=c.Address(
            name=name
            or " ".join(x for x in (text(address.get("last_name")), text(address.get("first_name"))) if x),
            phone=phone,
            province=text(address.get("province")),
            city=text(address.get("city")),
            street=text(address.get("address1")),
            detail=text(address.get("address2")),
            zip=text(address.get("zip")),
            country_code=text(address.get("country_code") or "CN"),
            masked=False,
        ),
        lines=tuple(_line(as_dict(item, f"line_items[{i}]"), i) for i, item in enumerate(items)),
        tracking_numbers=tuple(
            text(f.get("tracking_number"))
            for f in fulfilments
            if isinstance(f, dict) and f.get("tracking_number")
        ),
        payment_method=payment_method(raw),
        extra={"name": raw["name"]} if raw.get("name") else {},
    )


ShopifyClient.normaliser = staticmethod(normalise)  # defined after the client
