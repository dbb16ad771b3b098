"""WeChat Shop (微信小店/视频号小店) client and normaliser.

No request signing: every call carries ``?access_token=``, which the client
fetches with ``GET /cgi-bin/token?grant_type=client_credential&appid=&secret=``
(``config.app_key`` = appid, ``config.app_secret`` = secret) and fetches again
when it is due or the API answers 40001/40014/42001.

Orders: ``POST /channels/ec/order/list/get`` with ``update_time_range`` (at
most 7 days, so the range is cut into windows), ``page_size`` <= 100 and
``next_key``; it returns ids only, so each id is fetched with
``POST /channels/ec/order/get``.  Money in fen, times Unix seconds, receiver
data masked.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from . import canonical as c
from .base import (
    ChannelClient,
    as_dict,
    as_list,
    cursor_pages,
    decimal,
    fen,
    is_masked,
    need,
    optional_unix_time,
    text,
    unix_time,
)
from .errors import AuthError, BadPayload, ConnectorError, RateLimited, TransientError

STATUS = {
    "10": c.STATUS_UNPAID,
    "12": c.STATUS_OTHER,
    "13": c.STATUS_UNPAID,
    "20": c.STATUS_PAID,
    "21": c.STATUS_PARTIALLY_SHIPPED,
    "30": c.STATUS_SHIPPED,
    "100": c.STATUS_COMPLETED,
    "200": c.STATUS_CANCELLED,
    "250": c.STATUS_CANCELLED,
}
TOKEN_CODES = ("40001", "40014", "42001")
MAX_WINDOW = timedelta(days=7)


class WechatShopClient(ChannelClient):
    platform = "wechat_shop"
    label = "WeChat Shop"
    webhook_ack = ("text/plain", "success")
    default_base_url = "https://api.weixin.qq.com"
    max_page_size = 100
    order_id_key = "order_id"

    def can_refresh(self):
        return bool(self.config.app_key and self.config.app_secret)

    def _check(self, what, data):
        if not isinstance(data, dict):
            raise BadPayload(
                f"WeChat Shop answered {what} with something that is not an object.", field="body"
            )
        code = text(data.get("errcode", 0))
        if code in ("0", ""):
            return data
        message = f"WeChat Shop refused {what} (errcode {code}: {text(data.get('errmsg'))})."
        if code in TOKEN_CODES:
            raise AuthError(message, expired=True)
        if code in ("40013", "40125", "40164", "41002", "41004", "48001"):
            raise AuthError(message)
        if code == "45011":
            raise RateLimited(message, retry_after=60)
        if code == "45009":
            raise RateLimited(message, retry_after=float(self.config.extra.get("quota_retry_after", 3600)))
        if code == "-1":
            raise TransientError(message)
        raise ConnectorError(message)

    def refresh_access_token(self):
        params = {
            "grant_type": "client_credential",
            "appid": self.config.app_key,
            "secret": self.config.app_secret,
        }
        data = self._check("the token request", self.http.request("GET", "cgi-bin/token", params=params).data)
        token = need(data, "access_token")
        return self._store_new_token(token, int(data.get("expires_in") or 7200))

    def _post(self, path, body):
        response = self.http.request(
            "POST", path, params={"access_token": self.config.access_token}, json_body=body
        )
        return self._check(path, response.data)

    def _call(self, path, body):
        return self._with_token(self._post, path, body)

    def _list(self, start, end, page_size, next_key=""):
        body = {
            "update_time_range": {"start_time": int(start.timestamp()), "end_time": int(end.timestamp())},
            "page_size": page_size,
        }
        if next_key:
            body["next_key"] = next_key
        return self._call("channels/ec/order/list/get", body)

    def test_connection(self):
        end = datetime.now(timezone.utc)
        data = self._list(end - timedelta(days=1), end, 1)
        more = " or more" if data.get("has_more") else ""
        return (
            f"Connected to WeChat Shop {self.config.app_key}: "
            f"{len(data.get('order_id_list') or [])}{more} orders updated in the last 24 hours."
        )

    def iter_order_pages(self, start, end, page_size=50):
        if not self._check_range(start, end, page_size):
            return

        def fetch(window_start, query_end, next_key):
            data = self._list(window_start, query_end, page_size, next_key)
            ids = as_list(data.get("order_id_list"), "order_id_list")
            new_key = text(data.get("next_key"))
            more = data.get("has_more")
            last = not ids or not new_key or new_key == next_key or more is False
            return [self.get_order(order_id) for order_id in ids], new_key, last

        yield from cursor_pages(fetch, start, end, MAX_WINDOW)

    def get_order(self, external_id):
        data = self._call("channels/ec/order/get", {"order_id": str(external_id)})
        return as_dict(need(data, "order"), "order")


def _line(item, index):
    path = f"order_detail.product_infos[{index}]"
    qty = decimal(need(item, "sku_cnt", path), f"{path}.sku_cnt")
    unit = fen(need(item, "sale_price", path), f"{path}.sale_price")
    real = item.get("real_price")
    discount = unit * qty - fen(real, f"{path}.real_price") if real not in (None, "") else 0
    return c.Line(
        platform_sku=text(need(item, "sku_id", path)),
        merchant_code=text(item.get("sku_code") or item.get("out_sku_id")),
        name=text(item.get("title")),
        quantity=qty,
        unit_price=unit,
        discount=max(decimal(discount, f"{path}.real_price"), 0),
        is_gift=bool(item.get("is_free_gift") or item.get("is_gift")),
        external_line_id=text(item.get("product_id")),
    )


# order_detail.pay_info.payment_method: 1 微信支付, 2 先用后付 (credit),
# 3 抽奖商品 0 元订单, 4 会员积分兑换订单
PAYMENT_METHODS = {
    "1": c.PAYMENT_PREPAID,
    "2": c.PAYMENT_CREDIT,
    "3": c.PAYMENT_PREPAID,
    "4": c.PAYMENT_PREPAID,
}


def normalise(raw) -> c.CanonicalOrder:
    if not isinstance(raw, dict):
        raise BadPayload("The WeChat Shop order is not an object.", field="order")
    detail = as_dict(need(raw, "order_detail"), "order_detail")
    price = as_dict(need(detail, "price_info", "order_detail"), "order_detail.price_info")
    delivery = as_dict(detail.get("delivery_info"), "order_detail.delivery_info")
    address = as_dict(delivery.get("address_info"), "order_detail.delivery_info.address_info")
    pay = as_dict(detail.get("pay_info"), "order_detail.pay_info")
    ext = as_dict(detail.get("ext_info") or raw.get("ext_info"), "order_detail.ext_info")
    status = text(need(raw, "status"))
    products = as_list(need(detail, "product_infos", "order_detail"), "order_detail.product_infos")
    name, phone = text(address.get("user_name")), text(address.get("tel_number"))
    shipped = as_list(
        delivery.get("delivery_product_info"), "order_detail.delivery_info.delivery_product_info"
    )
    return c.CanonicalOrder(
        platform="wechat_shop",
        external_id=text(need(raw, "order_id")),
        shop_id=text(raw.get("shop_appid")),
        status=STATUS.get(status, c.STATUS_OTHER),
        platform_status=status,
        created_at=unix_time(need(raw, "create_time"), "create_time"),
        updated_at=unix_time(need(raw, "update_time"), "update_time"),
        paid_at=optional_unix_time(pay.get("pay_time"), "order_detail.pay_info.pay_time"),
        total_amount=fen(
            need(price, "order_price", "order_detail.price_info"), "order_detail.price_info.order_price"
        ),
        shipping_amount=fen(price.get("freight") or 0, "order_detail.price_info.freight"),
        discount_amount=fen(price.get("discounted_price") or 0, "order_detail.price_info.discounted_price"),
        buyer_remark=text(ext.get("customer_notes")),
        seller_remark=text(ext.get("merchant_notes")),
        buyer_id=text(raw.get("openid")),
        receiver=c.Address(
            name=name,
            phone=phone or text(address.get("virtual_order_tel_number")),
            province=text(address.get("province_name")),
            city=text(address.get("city_name")),
            district=text(address.get("county_name")),
            detail=" ".join(
                x for x in (text(address.get("detail_info")), text(address.get("house_number"))) if x
            ),
            zip=text(address.get("postal_code")),
            masked=is_masked(name, phone, address.get("detail_info"))
            or bool(address.get("virtual_order_tel_number")),
        ),
        lines=tuple(
            _line(as_dict(item, f"order_detail.product_infos[{i}]"), i) for i, item in enumerate(products)
        ),
        tracking_numbers=tuple(
            text(x.get("waybill_id")) for x in shipped if isinstance(x, dict) and x.get("waybill_id")
        ),
        payment_method=PAYMENT_METHODS.get(text(pay.get("payment_method")), ""),
        extra={"deliver_method": delivery.get("deliver_method")} if "deliver_method" in delivery else {},
    )


WechatShopClient.normaliser = staticmethod(normalise)  # defined after the client
