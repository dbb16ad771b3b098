"""Shopee Open Platform v2 client and normaliser.

Every call carries ``partner_id`` (``config.app_key``), ``timestamp`` (Unix s)
and ``sign``; shop calls also ``access_token`` and ``shop_id``.
``sign = hex HMAC-SHA256(partner_key, partner_id + path + timestamp
[+ access_token + shop_id])`` with the bare API path (no host, no query);
``config.app_secret`` holds the partner key.  Access tokens (about 4 h) are
renewed with ``POST /api/v2/auth/access_token/get`` and the refresh token.

Orders: ``get_order_list`` by ``update_time`` in windows of at most 15 days,
``page_size`` <= 100, ``cursor``/``more``/``next_cursor``; ids only, so the
orders are fetched with ``get_order_detail`` in batches of up to 50.  Money are
decimals in the local currency, times Unix seconds, recipient data masked.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta, timezone

from . import canonical as c
from .base import (
    ChannelClient,
    as_dict,
    as_list,
    cursor_pages,
    decimal,
    is_masked,
    money,
    need,
    optional_unix_time,
    text,
    unix_time,
)
from .errors import AuthError, BadPayload, ConnectorError, RateLimited, TransientError

UTC = timezone.utc
STATUS = {
    "UNPAID": c.STATUS_UNPAID,
    "PENDING": c.STATUS_UNPAID,
    "INVOICE_PENDING": c.STATUS_UNPAID,
    "READY_TO_SHIP": c.STATUS_PAID,
    "PROCESSED": c.STATUS_PAID,
    "RETRY_SHIP": c.STATUS_PAID,
    "SHIPPED": c.STATUS_SHIPPED,
    "TO_CONFIRM_RECEIVE": c.STATUS_SHIPPED,
    "COMPLETED": c.STATUS_COMPLETED,
    "IN_CANCEL": c.STATUS_OTHER,
    "CANCELLED": c.STATUS_CANCELLED,
    "TO_RETURN": c.STATUS_OTHER,
}
MAX_WINDOW = timedelta(days=15)
DETAIL_BATCH = 50
DETAIL_FIELDS = (
    "buyer_user_id,buyer_username,recipient_address,item_list,pay_time,note,package_list,"
    "shipping_carrier,payment_method,total_amount,estimated_shipping_fee,actual_shipping_fee"
)
LIST_PATH = "/api/v2/order/get_order_list"
DETAIL_PATH = "/api/v2/order/get_order_detail"
REFRESH_PATH = "/api/v2/auth/access_token/get"
SHOP_INFO_PATH = "/api/v2/shop/get_shop_info"


def _number(value):
    """Shopee ids are integers in JSON bodies."""
    return int(value) if str(value).isdigit() else value


def sign(partner_key, partner_id, path, timestamp, access_token="", shop_id="") -> str:
    base = f"{partner_id}{path}{timestamp}{access_token}{shop_id}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


class ShopeeClient(ChannelClient):
    platform = "shopee"
    label = "Shopee"
    default_base_url = "https://partner.shopeemobile.com"
    max_page_size = 100
    order_id_key = "order_sn"

    def can_refresh(self):
        return bool(self.config.refresh_token)

    def _check(self, path, response):
        data = response.data
        if not isinstance(data, dict):
            raise BadPayload(f"Shopee answered {path} with something that is not an object.", field="body")
        error = text(data.get("error"))
        if not error and response.status < 400:
            return data
        message = f"Shopee refused {path} ({error or response.status}: {text(data.get('message'))})."
        lowered = f"{error} {text(data.get('message'))}".lower()
        if (
            response.status == 429
            or "too_many" in lowered
            or "too many" in lowered
            or "rate_limit" in lowered
        ):
            raise RateLimited(message, retry_after=float(self.config.extra.get("busy_retry_after", 1)))
        if error in ("error_server", "error_inner", "error_busy", "error_system") or response.status >= 500:
            raise TransientError(message)
        if "access_token" in lowered or error in (
            "error_auth",
            "invalid_access_token",
            "invalid_acceess_token",
        ):
            raise AuthError(message, expired=True)
        if error in ("error_sign", "error_permission", "error_partner", "error_shop") or response.status in (
            401,
            403,
        ):
            raise AuthError(message)
        raise ConnectorError(message)

    def _signed_query(self, path):
        """The query every shop-API call carries: partner, time, token, shop and signature."""
        timestamp = int(time.time())
        return {
            "partner_id": self.config.app_key,
            "timestamp": timestamp,
            "access_token": self.config.access_token,
            "shop_id": self.config.shop_id,
            "sign": sign(
                self.config.app_secret,
                self.config.app_key,
                path,
                timestamp,
                self.config.access_token,
                self.config.shop_id,
            ),
        }

    def _get(self, path, params):
        query = {**self._signed_query(path), **params}
        return self._check(path, self.http.request("GET", path, params=query))

    def _post(self, path, body):
        """A shop-API POST: the query signed as the reads, a JSON body."""
        return self._check(
            path, self.http.request("POST", path, params=self._signed_query(path), json_body=body)
        )

    def _call(self, path, params):
        return self._with_token(self._get, path, params)

    def refresh_access_token(self):
        timestamp = int(time.time())
        query = {
            "partner_id": self.config.app_key,
            "timestamp": timestamp,
            "sign": sign(self.config.app_secret, self.config.app_key, REFRESH_PATH, timestamp),
        }
        body = {
            "refresh_token": self.config.refresh_token,
            "partner_id": _number(self.config.app_key),
            "shop_id": _number(self.config.shop_id),
        }
        data = self._check(
            REFRESH_PATH, self.http.request("POST", REFRESH_PATH, params=query, json_body=body)
        )
        expires_in = int(data.get("expire_in") or 14400)
        return self._store_new_token(need(data, "access_token"), expires_in, text(data.get("refresh_token")))

    def test_connection(self):
        data = self._call(SHOP_INFO_PATH, {})
        name, region = text(data.get("shop_name")), text(data.get("region"))
        return f"Connected to Shopee shop {name} ({self.config.shop_id}, {region})."

    def _list(self, start, end, page_size, cursor):
        params = {
            "time_range_field": "update_time",
            "time_from": int(start.timestamp()),
            "time_to": int(end.timestamp()),
            "page_size": page_size,
            "cursor": cursor,
            "response_optional_fields": "order_status",
        }
        return as_dict(need(self._call(LIST_PATH, params), "response"), "response")

    def details(self, order_sns):
        """Detail payloads of up to 50 orders per call, in the order asked."""
        found = {}
        for index in range(0, len(order_sns), DETAIL_BATCH):
            batch = order_sns[index : index + DETAIL_BATCH]
            params = {"order_sn_list": ",".join(batch), "response_optional_fields": DETAIL_FIELDS}
            response = as_dict(need(self._call(DETAIL_PATH, params), "response"), "response")
            for order in as_list(response.get("order_list"), "response.order_list"):
                found[text(as_dict(order, "order_list[]").get("order_sn"))] = order
        missing = [sn for sn in order_sns if sn not in found]
        if missing:
            raise ConnectorError(f"Shopee has no order {', '.join(missing)} (no detail returned).")
        return [found[sn] for sn in order_sns]

    def iter_order_pages(self, start, end, page_size=50):
        if not self._check_range(start, end, page_size):
            return

        def fetch(window_start, query_end, cursor):
            data = self._list(window_start, query_end, page_size, cursor)
            listed = as_list(data.get("order_list"), "response.order_list")
            sns = [text(need(as_dict(x, "order_list[]"), "order_sn", "order_list[]")) for x in listed]
            new_cursor = text(data.get("next_cursor"))
            last = not data.get("more") or not sns or not new_cursor
            return (self.details(sns) if sns else []), new_cursor, last

        yield from cursor_pages(fetch, start, end, MAX_WINDOW)

    def get_order(self, external_id):
        return self.details([str(external_id)])[0]


def _line(item, index):
    path = f"item_list[{index}]"
    qty = decimal(need(item, "model_quantity_purchased", path), f"{path}.model_quantity_purchased")
    original = money(need(item, "model_original_price", path), f"{path}.model_original_price")
    discounted = money(item.get("model_discounted_price", original), f"{path}.model_discounted_price")
    gift = text(item.get("promotion_type")) in ("add_on_free_gift_sub",) or bool(item.get("is_gift"))
    model = text(item.get("model_id"))
    return c.Line(
        platform_sku=model if model not in ("", "0") else text(need(item, "item_id", path)),
        merchant_code=text(item.get("model_sku") or item.get("item_sku")),
        name=" ".join(x for x in (text(item.get("item_name")), text(item.get("model_name"))) if x),
        quantity=qty,
        unit_price=original,
        discount=max((original - discounted) * qty, 0).quantize(original),
        is_gift=gift,
        external_line_id=f"{text(item.get('item_id'))}:{model}",
    )


# words of Shopee's payment_method text ("Cash on Delivery", "SPayLater",
# "Bank Transfer", "Online Payment", "ShopeePay", "Credit Card" ...)
PAYMENT_WORDS = (
    (c.PAYMENT_COD, ("cash on delivery", "cod")),
    (c.PAYMENT_CREDIT, ("paylater", "pay later", "installment", "instalment")),
    (c.PAYMENT_TRANSFER, ("bank transfer", "transfer")),
)


def payment_method(raw):
    """The hub's payment method of a Shopee order ("" when it has none)."""
    if raw.get("cod") in (True, 1, "1", "true"):
        return c.PAYMENT_COD
    name = text(raw.get("payment_method")).lower()
    if not name:
        return ""
    for method, words in PAYMENT_WORDS:
        if any(name == word or (len(word) > 3 and word in name) for word in words):
            return method
    return c.PAYMENT_PREPAID


def normalise(raw) -> c.CanonicalOrder:
    if not isinstance(raw, dict):
        raise BadPayload("The Shopee order is not an object.", field="order")
    address = as_dict(raw.get("recipient_address"), "recipient_address")
    status = text(need(raw, "order_status"))
    items = as_list(need(raw, "item_list"), "item_list")
    packages = as_list(raw.get("package_list"), "package_list")
    name, phone = text(address.get("name")), text(address.get("phone"))
    return c.CanonicalOrder(
        platform="shopee",
        external_id=text(need(raw, "order_sn")),
        shop_id=text(raw.get("shop_id")),
        status=STATUS.get(status, c.STATUS_OTHER),
        platform_status=status,
        created_at=unix_time(need(raw, "create_time"), "create_time", UTC),
        updated_at=unix_time(need(raw, "update_time"), "update_time", UTC),
        paid_at=optional_unix_time(raw.get("pay_time"), "pay_time", UTC),
        promised_ship_at=optional_unix_time(raw.get("ship_by_date"), "ship_by_date", UTC),
        currency=text(raw.get("currency") or "CNY"),
        total_amount=money(need(raw, "total_amount"), "total_amount"),
        shipping_amount=money(raw.get("estimated_shipping_fee") or 0, "estimated_shipping_fee"),
        buyer_remark=text(raw.get("message_to_seller")),
        seller_remark=text(raw.get("note")),
        buyer_id=text(raw.get("buyer_user_id")),
        receiver=c.Address(
            name=name,
            phone=phone,
            province=text(address.get("state")),
            city=text(address.get("city")),
            district=text(address.get("district")),
            street=text(address.get("town")),
            detail=text(address.get("full_address")),
            zip=text(address.get("zipcode")),
            country_code=text(address.get("region") or raw.get("region") or "CN"),
            masked=is_masked(name, phone, address.get("full_address")),
        ),
        lines=tuple(_line(as_dict(item, f"item_list[{i}]"), i) for i, item in enumerate(items)),
        tracking_numbers=tuple(
            text(p.get("tracking_number"))
            for p in packages
            if isinstance(p, dict) and p.get("tracking_number")
        ),
        payment_method=payment_method(raw),
        extra={
            k: raw[k]
            for k in ("cod", "payment_method", "shipping_carrier", "region")
            if raw.get(k) not in (None, "")
        },
    )


ShopeeClient.normaliser = staticmethod(normalise)  # defined after the client
