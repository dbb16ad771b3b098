"""Douyin shop (抖店开放平台) client and normaliser.

Requests follow the official SDK: system parameters in the query string,
``param_json`` (compact JSON, keys sorted recursively, no HTML escaping) as the
raw POST body, ``sign = md5|hmac-sha256(app_secret + pattern + app_secret)``
with ``pattern = "app_key"+app_key+"method"+method+"param_json"+param_json+
"timestamp"+timestamp+"v2"``.  ``access_token`` and ``sign_method`` are not
signed.  Options in ``config.extra``: ``sign_method`` ("hmac-sha256", the SDK's
choice, or "md5").

Orders: ``order.searchList`` (0-based ``page``, ``size`` <= 100, filtered and
sorted by update time) returns detail-shaped orders; ``order.orderDetail`` one
order.  Amounts are fen; times Unix seconds; receiver data encrypted + masked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

from . import canonical as c
from .base import (
    ChannelClient,
    OrderPage,
    as_dict,
    as_list,
    decimal,
    fen,
    need,
    optional_unix_time,
    seek_pages,
    text,
    unix_time,
)
from .errors import AuthError, BadPayload, ConnectorError, QuotaExceeded, RateLimited, TransientError

STATUS = {
    "1": c.STATUS_UNPAID,
    "103": c.STATUS_UNPAID,
    "105": c.STATUS_PAID,
    "2": c.STATUS_PAID,
    "101": c.STATUS_PARTIALLY_SHIPPED,
    "3": c.STATUS_SHIPPED,
    "4": c.STATUS_CANCELLED,
    "5": c.STATUS_COMPLETED,
    "21": c.STATUS_CANCELLED,
    "22": c.STATUS_CANCELLED,
    "39": c.STATUS_CANCELLED,
}
EXPIRED_SUB_CODES = ("isv.access-token-expired", "isv.access-token-no-existed")
# the shop's quota is used up (decrypt quota: "已达到店铺解密上限") [T]
QUOTA_CODES = ("90000",)


def param_json(params) -> str:
    """Compact JSON with keys sorted recursively, UTF-8 kept, no HTML escaping."""
    return json.dumps(params or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(app_key, app_secret, method, params_json, timestamp, sign_method="hmac-sha256") -> str:
    pattern = f"app_key{app_key}method{method}param_json{params_json}timestamp{timestamp}v2"
    payload = f"{app_secret}{pattern}{app_secret}".encode()
    if sign_method == "md5":
        return hashlib.md5(payload).hexdigest()
    if sign_method == "hmac-sha256":
        return hmac.new(app_secret.encode(), payload, hashlib.sha256).hexdigest()
    raise ValueError(f"Unknown Douyin sign_method {sign_method!r}")


class DouyinClient(ChannelClient):
    platform = "douyin"
    label = "Douyin"
    webhook_ack = ("application/json", '{"code": 0, "msg": "success"}')
    default_base_url = "https://openapi-fxg.jinritemai.com"
    max_page_size = 100
    order_id_key = "order_id"

    def can_refresh(self):
        return bool(self.config.refresh_token or self.config.shop_id)

    # ---- transport -----------------------------------------------------------
    def _call(self, method, params=None, with_token=True):
        body = param_json(params)
        timestamp = str(int(time.time()))
        sign_method = self.config.extra.get("sign_method", "hmac-sha256")
        query = {
            "app_key": self.config.app_key,
            "method": method,
            "v": "2",
            "timestamp": timestamp,
            "sign_method": sign_method,
            "sign": sign(self.config.app_key, self.config.app_secret, method, body, timestamp, sign_method),
        }
        if with_token:
            query["access_token"] = self.config.access_token
        response = self.http.request(
            "POST",
            method.replace(".", "/"),
            params=query,
            data=body.encode(),
            headers={"Content-Type": "application/json", "x-open-no-old-err-code": "1"},
        )
        return self._unwrap(method, response)

    def _unwrap(self, method, response):
        data = response.data
        if not isinstance(data, dict):
            raise BadPayload(f"Douyin answered {method} with something that is not an object.", field="body")
        code = str(data.get("code", data.get("err_no", "")))
        if code in ("10000", "0"):
            return as_dict(data.get("data"), "data")
        sub_code = text(data.get("sub_code"))
        reason = f"{text(data.get('msg') or data.get('message'))} {text(data.get('sub_msg'))}".strip()
        what = f"Douyin refused {method} (code {code}{', ' + sub_code if sub_code else ''}: {reason})."
        if code == "60000":
            raise RateLimited(what, retry_after=float(self.config.extra.get("busy_retry_after", 1)))
        if code in QUOTA_CODES:
            raise QuotaExceeded(what)
        if code in ("20000", "70000") or response.status >= 500:
            raise TransientError(what)
        if sub_code in EXPIRED_SUB_CODES:
            raise AuthError(what, expired=True)
        if code in ("30001", "30002", "40001", "40003", "50001") or response.status in (401, 403):
            raise AuthError(what)
        raise ConnectorError(what)

    def _call_token(self, method, params=None):
        return self._with_token(self._call, method, params)

    # ---- tokens -------------------------------------------------------------
    def refresh_access_token(self):
        if self.config.refresh_token:
            params = {"grant_type": "refresh_token", "refresh_token": self.config.refresh_token}
            data = self._call("token.refresh", params, with_token=False)
        else:
            params = {"grant_type": "authorization_self", "code": "", "shop_id": self.config.shop_id}
            data = self._call("token.create", params, with_token=False)
        token = need(data, "access_token", "data")
        return self._store_new_token(token, int(data.get("expires_in") or 0), text(data.get("refresh_token")))

    # ---- orders ---------------------------------------------------------------
    def test_connection(self):
        end = datetime.now(timezone.utc)
        data = self._search(end - timedelta(days=1), end, 0, 1)
        return (
            f"Connected to Douyin shop {self.config.shop_id or '?'}: "
            f"{int(data.get('total') or 0)} orders updated in the last 24 hours."
        )

    def _search(self, start, end, page, size):
        params = {
            "update_time_start": int(start.timestamp()),
            "update_time_end": int(end.timestamp()),
            "page": page,
            "size": size,
            "order_by": "update_time",
            "order_asc": True,
        }
        return self._call_token("order.searchList", params)

    def iter_order_pages(self, start, end, page_size=50):
        if not self._check_range(start, end, page_size):
            return

        def fetch(since, page):
            data = self._search(since, end, page, page_size)
            orders = as_list(data.get("shop_order_list"), "shop_order_list")
            return orders, int(data.get("total") or 0)

        for orders, watermark, cursor, _last in seek_pages(
            fetch, start, end, page_size, self._update_time, self.external_id
        ):
            yield OrderPage(orders, watermark, cursor)

    @staticmethod
    def _update_time(raw):
        return unix_time(need(raw, "update_time"), "update_time")

    def get_order(self, external_id):
        data = self._call_token("order.orderDetail", {"shop_order_id": str(external_id)})
        return as_dict(need(data, "shop_order_detail", "data"), "data.shop_order_detail")


def _receiver(raw):
    addr = as_dict(raw.get("mask_post_addr") or raw.get("post_addr"), "mask_post_addr")
    plain = as_dict(raw.get("post_addr"), "post_addr")

    def part(key):
        return text(as_dict(addr.get(key), f"post_addr.{key}").get("name"))

    encrypted = {
        key: raw[src]
        for key, src in (("name", "encrypt_post_receiver"), ("phone", "encrypt_post_tel"))
        if raw.get(src)
    }
    if plain.get("encrypt_detail"):
        encrypted["detail"] = plain["encrypt_detail"]
    name = text(raw.get("mask_post_receiver") or raw.get("post_receiver"))
    phone = text(raw.get("mask_post_tel") or raw.get("post_tel"))
    return c.Address(
        name=name,
        phone=phone,
        province=part("province"),
        city=part("city"),
        district=part("town"),
        street=part("street"),
        detail=text(addr.get("detail")),
        masked=bool(raw.get("mask_post_receiver") or raw.get("mask_post_tel") or encrypted),
        encrypted=encrypted,
    )


def _line(item, index):
    path = f"sku_order_list[{index}]"
    qty = decimal(need(item, "item_num", path), f"{path}.item_num")
    unit = fen(need(item, "origin_amount", path), f"{path}.origin_amount")
    total = fen(item.get("sum_amount", 0), f"{path}.sum_amount") or unit * qty
    paid = fen(item.get("pay_amount", item.get("sum_amount", 0)), f"{path}.pay_amount")
    gift = bool(item.get("is_gift")) or text(item.get("given_product_type")).upper() in ("FREE", "GIFT")
    return c.Line(
        platform_sku=text(need(item, "sku_id", path)),
        merchant_code=text(item.get("out_sku_id") or item.get("code")),
        name=text(item.get("product_name")),
        quantity=qty,
        unit_price=unit,
        discount=max(total - paid, 0) if not gift else total,
        is_gift=gift,
        external_line_id=text(item.get("order_id")),
    )


# shop_order_detail.pay_type: 0 货到付款, 1 微信, 2 支付宝, 3 小程序, 4 银行卡, 5 余额,
# 7 无需支付 (0 元单), 8 DOU 分期 (credit), 9 新卡支付, 12 先用后付, 16 收银台
PAY_TYPES = {"0": c.PAYMENT_COD, "8": c.PAYMENT_CREDIT, "12": c.PAYMENT_CREDIT}
PAY_TYPES.update(dict.fromkeys(("1", "2", "3", "4", "5", "7", "9", "16"), c.PAYMENT_PREPAID))


def payment_method(raw):
    """The hub's payment method of a Douyin order ("" for an unknown code)."""
    return PAY_TYPES.get(text(raw.get("pay_type")), "")


def normalise(raw) -> c.CanonicalOrder:
    if not isinstance(raw, dict):
        raise BadPayload("The Douyin order is not an object.", field="order")
    status = text(need(raw, "order_status"))
    items = as_list(need(raw, "sku_order_list"), "sku_order_list")
    logistics = as_list(raw.get("logistics_info"), "logistics_info")
    return c.CanonicalOrder(
        platform="douyin",
        external_id=text(need(raw, "order_id")),
        shop_id=text(raw.get("shop_id")),
        status=STATUS.get(status, c.STATUS_OTHER),
        platform_status=status,
        created_at=unix_time(need(raw, "create_time"), "create_time"),
        updated_at=unix_time(need(raw, "update_time"), "update_time"),
        paid_at=optional_unix_time(raw.get("pay_time"), "pay_time"),
        total_amount=fen(need(raw, "pay_amount"), "pay_amount"),
        shipping_amount=fen(raw.get("post_amount") or 0, "post_amount"),
        discount_amount=fen(raw.get("promotion_amount") or 0, "promotion_amount"),
        buyer_remark=text(raw.get("buyer_words")),
        seller_remark=text(raw.get("seller_words")),
        buyer_id=text(raw.get("doudian_open_id") or raw.get("open_id")),
        receiver=_receiver(raw),
        lines=tuple(_line(as_dict(item, f"sku_order_list[{i}]"), i) for i, item in enumerate(items)),
        promised_ship_at=optional_unix_time(raw.get("exp_ship_time"), "exp_ship_time"),
        tracking_numbers=tuple(text(x.get("tracking_no")) for x in logistics if x.get("tracking_no")),
        payment_method=payment_method(raw),
        extra={
            key: raw[key]
            for key in (
                "order_type",
                "trade_type",
                "main_status",
                "seller_remark_stars",
                "b_type",
                "pay_type",
            )
            if raw.get(key) not in (None, "")
        },
    )


DouyinClient.normaliser = staticmethod(normalise)  # defined after the client
