"""JD (宙斯/JOS) client and normaliser.

Requests go to ``/routerjson`` as a form: system parameters (``method,
app_key, access_token, timestamp`` in GMT+8 ``yyyy-MM-dd HH:mm:ss``, ``v=2.0``,
``format=json``) plus the business parameters as the JSON string
``360buy_param_json``.  ``sign = UPPER(md5(secret + k1v1k2v2... + secret))``
over every non-empty parameter sorted by name (the JD SDK's TreeMap).

Orders: ``jingdong.pop.order.search`` by modified time (``dateType=0``),
1-based ``page``, ascending; JD advises time-window scrolling rather than deep
paging, so the range is cut into windows (``config.extra["window_hours"]``,
default 24, at most a month).  The search returns full ``OrderInfo`` objects
(``optional_fields``), so no detail call is needed per order.  Money are yuan
strings, times Beijing local time, consignee data TDE-encrypted.
Options in ``config.extra``: ``window_hours``, ``order_states`` (comma list).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

from . import canonical as c
from .base import (
    CHINA_TZ,
    ChannelClient,
    OrderPage,
    as_dict,
    as_list,
    decimal,
    is_masked,
    local_time,
    money,
    need,
    next_cursor,
    seek_pages,
    text,
    windows,
)
from .errors import AuthError, BadPayload, ConnectorError, RateLimited, TransientError

STATUS = {
    "WAIT_SELLER_STOCK_OUT": c.STATUS_PAID,
    "WAIT_SELLER_DELIVERY": c.STATUS_PAID,
    "WAIT_SEND_CODE": c.STATUS_PAID,
    "WAIT_GOODS_RECEIVE_CONFIRM": c.STATUS_SHIPPED,
    "FINISHED_L": c.STATUS_COMPLETED,
    "TRADE_CANCELED": c.STATUS_CANCELLED,
    "PAUSE": c.STATUS_OTHER,
    "POP_ORDER_PAUSE": c.STATUS_OTHER,
    "LOCKED": c.STATUS_OTHER,
}
ALL_STATES = ",".join(STATUS)
OPTIONAL_FIELDS = (
    "orderId,venderId,orderType,payType,orderTotalPrice,orderSellerPrice,orderPayment,freightPrice,"
    "sellerDiscount,orderState,orderStateRemark,orderRemark,venderRemark,orderStartTime,"
    "paymentConfirmTime,orderEndTime,modified,consigneeInfo,itemInfoList,couponDetailList,"
    "invoiceInfo,invoiceCode,vatInfo,waybill,logisticsId,pin,open_id_buyer,installationService"
)
NO_TIME = "0001-01-01 00:00:00"
AUTH_CODES = ("11", "12", "19", "21", "24")


def _modified(raw):
    return local_time(need(raw, "modified"), "modified")


def sign(params: dict, secret: str) -> str:
    concat = "".join(f"{key}{params[key]}" for key in sorted(params) if key and params[key] not in (None, ""))
    return hashlib.md5(f"{secret}{concat}{secret}".encode()).hexdigest().upper()


def jd_timestamp(moment=None) -> str:
    return (moment or datetime.now(timezone.utc)).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


class JdClient(ChannelClient):
    platform = "jd"
    label = "JD"
    webhook_ack = ("application/json", '{"code": 0, "msg": "success"}')
    default_base_url = "https://api.jd.com"
    max_page_size = 100
    order_id_key = "orderId"

    def _call(self, method, params):
        form = {
            "method": method,
            "app_key": self.config.app_key,
            "access_token": self.config.access_token,
            "timestamp": jd_timestamp(),
            "v": "2.0",
            "format": "json",
            "360buy_param_json": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        }
        form["sign"] = sign(form, self.config.app_secret)
        response = self.http.request("POST", "routerjson", data=form)
        data = response.data
        if not isinstance(data, dict):
            raise BadPayload(f"JD answered {method} with something that is not an object.", field="body")
        if "error_response" in data:
            self._raise_gateway(method, as_dict(data["error_response"], "error_response"))
        key = method.replace(".", "_") + "_responce"
        return as_dict(need(data, key), key)

    def _raise_gateway(self, method, error):
        code = text(error.get("code"))
        what = f"JD refused {method} (code {code}: {text(error.get('en_desc') or error.get('zh_desc'))})."
        if code == "2":
            raise RateLimited(what, retry_after=float(self.config.extra.get("busy_retry_after", 10)))
        if code in ("65",) or code.startswith("5"):
            raise TransientError(what)
        if code in AUTH_CODES:
            raise AuthError(what, expired=code == "19")
        raise ConnectorError(what)

    @staticmethod
    def _api_result(result, method):
        api = as_dict(result.get("apiResult"), "apiResult")
        if api and api.get("success") is False:
            raise ConnectorError(
                f"JD refused {method} ({text(api.get('code'))}: "
                f"{text(api.get('englishErrCode') or api.get('chineseErrCode'))})."
            )

    def _search(self, start, end, page, page_size):
        params = {
            "start_date": jd_timestamp(start),
            "end_date": jd_timestamp(end),
            "order_state": self.config.extra.get("order_states", ALL_STATES),
            "optional_fields": OPTIONAL_FIELDS,
            "page": str(page),
            "page_size": str(page_size),
            "sortType": "0",
            "dateType": "0",
        }
        body = self._call("jingdong.pop.order.search", params)
        result = as_dict(need(body, "searchorderinfo_result"), "searchorderinfo_result")
        self._api_result(result, "jingdong.pop.order.search")
        return result

    def test_connection(self):
        end = datetime.now(timezone.utc)
        result = self._search(end - timedelta(days=1), end, 1, 1)
        return (
            f"Connected to JD shop {self.config.shop_id or '?'}: "
            f"{int(result.get('orderTotal') or 0)} orders updated in the last 24 hours."
        )

    def iter_order_pages(self, start, end, page_size=50):
        if not self._check_range(start, end, page_size):
            return
        hours = min(float(self.config.extra.get("window_hours", 24)), 24 * 30)
        for window_start, window_end, query_end in windows(start, end, timedelta(hours=hours)):

            def fetch(since, page, query_end=query_end):
                result = self._search(since, query_end, page, page_size)
                orders = as_list(result.get("orderInfoList"), "orderInfoList")
                return orders, int(result.get("orderTotal") or 0)

            for orders, watermark, cursor, last in seek_pages(
                fetch, window_start, window_end, page_size, _modified, self.external_id, first_page=1
            ):
                yield OrderPage(orders, watermark, next_cursor(last, cursor, window_end, end))

    def get_order(self, external_id):
        params = {"order_id": str(external_id), "optional_fields": OPTIONAL_FIELDS, "order_state": ALL_STATES}
        body = self._call("jingdong.pop.order.get", params)
        detail = as_dict(need(body, "orderDetailInfo"), "orderDetailInfo")
        self._api_result(detail, "jingdong.pop.order.get")
        return as_dict(need(detail, "orderInfo", "orderDetailInfo"), "orderDetailInfo.orderInfo")


def _invoice(raw):
    """``invoiceInfo`` is text like "发票类型:普通发票;发票抬头:个人;发票内容:明细"."""
    info = text(raw.get("invoiceInfo"))
    vat = as_dict(raw.get("vatInfo"), "vatInfo")
    if (not info or "不需要" in info) and not vat:
        return None
    parts = {}
    for chunk in info.replace("；", ";").split(";"):
        key, _sep, value = chunk.replace("：", ":").partition(":")
        parts[key.strip()] = value.strip()
    kind = parts.get("发票类型", "")
    special = bool(vat.get("vatNo")) or "专用" in kind or kind.startswith("增值税")
    return c.InvoiceRequest(
        invoice_type="special" if special else "normal",
        title=text(vat.get("userName") or vat.get("vatCompanyName") or parts.get("发票抬头")),
        tax_id=text(vat.get("vatNo") or raw.get("invoiceCode")),
        address=text(vat.get("addressRegIstered")),
        phone=text(vat.get("phoneRegIstered")),
        bank_name=text(vat.get("depositBank")),
        bank_account=text(vat.get("bankAccount")),
        email=text(parts.get("邮箱")),
    )


def _lines(raw):
    coupons = {}
    for index, coupon in enumerate(as_list(raw.get("couponDetailList"), "couponDetailList")):
        coupon = as_dict(coupon, f"couponDetailList[{index}]")
        sku = text(coupon.get("skuId"))
        if sku:
            amount = money(coupon.get("couponPrice") or 0, f"couponDetailList[{index}].couponPrice")
            coupons[sku] = coupons.get(sku, 0) + amount
    lines = []
    for index, item in enumerate(as_list(need(raw, "itemInfoList"), "itemInfoList")):
        path = f"itemInfoList[{index}]"
        item = as_dict(item, path)
        sku = text(need(item, "skuId", path))
        price = money(need(item, "jdPrice", path), f"{path}.jdPrice")
        gift = bool(item.get("isGift")) or price == 0
        lines.append(
            c.Line(
                platform_sku=sku,
                merchant_code=text(item.get("outerSkuId") or item.get("productNo")),
                name=text(item.get("skuName")),
                quantity=decimal(need(item, "itemTotal", path), f"{path}.itemTotal"),
                unit_price=price,
                discount=coupons.get(sku, money(0, "discount")),
                is_gift=gift,
                external_line_id=sku,
            )
        )
    return tuple(lines)


def _installation(raw):
    flag = raw.get("installationService")
    if flag in (True, 1, "1", "true", "True", "是"):
        return True
    items = raw.get("itemInfoList") or []
    return any("安装" in text(item.get("serviceName")) for item in items if isinstance(item, dict))


# payType "<code>-<name>": 1 货到付款, 2 邮局汇款, 3 自提 (paid at the pickup point),
# 4 在线支付, 5 公司转账, 6 银行卡转账
PAY_TYPES = {
    "1": c.PAYMENT_COD,
    "2": c.PAYMENT_TRANSFER,
    "3": c.PAYMENT_COD,
    "4": c.PAYMENT_PREPAID,
    "5": c.PAYMENT_TRANSFER,
    "6": c.PAYMENT_TRANSFER,
}


def payment_method(raw):
    """The hub's payment method of a JD order ("" for an unknown code)."""
    return PAY_TYPES.get(text(raw.get("payType")).split("-", 1)[0].strip(), "")


def normalise(raw) -> c.CanonicalOrder:
    if not isinstance(raw, dict):
        raise BadPayload("The JD order is not an object.", field="order")
    consignee = as_dict(need(raw, "consigneeInfo"), "consigneeInfo")
    state = text(need(raw, "orderState"))
    paid = text(raw.get("paymentConfirmTime"))
    phone = text(consignee.get("mobile") or consignee.get("telephone"))
    name = text(consignee.get("fullname"))
    extra = {
        "installation_service": _installation(raw),
        **{
            key: raw[key]
            for key in ("orderType", "payType", "venderRemark", "orderStateRemark", "pin", "logisticsId")
            if raw.get(key) not in (None, "")
        },
    }
    return c.CanonicalOrder(
        platform="jd",
        external_id=text(need(raw, "orderId")),
        shop_id=text(raw.get("venderId")),
        status=STATUS.get(state, c.STATUS_OTHER),
        platform_status=state,
        created_at=local_time(need(raw, "orderStartTime"), "orderStartTime"),
        updated_at=local_time(need(raw, "modified"), "modified"),
        paid_at=local_time(paid, "paymentConfirmTime") if paid and paid != NO_TIME else None,
        total_amount=money(need(raw, "orderPayment"), "orderPayment"),
        shipping_amount=money(raw.get("freightPrice") or 0, "freightPrice"),
        discount_amount=money(raw.get("sellerDiscount") or 0, "sellerDiscount"),
        buyer_remark=text(raw.get("orderRemark")),
        seller_remark=text(raw.get("venderRemark")),
        buyer_id=text(raw.get("open_id_buyer") or raw.get("pin")),
        receiver=c.Address(
            name=name,
            phone=phone,
            province=text(consignee.get("province")),
            city=text(consignee.get("city")),
            district=text(consignee.get("county")),
            street=text(consignee.get("town")),
            detail=text(consignee.get("fullAddress")),
            masked=is_masked(name, phone),
            encrypted={k: consignee[k] for k in ("desen_mobile", "oaid") if consignee.get(k)},
        ),
        lines=_lines(raw),
        invoice=_invoice(raw),
        tracking_numbers=tuple(
            number for group in text(raw.get("waybill")).split("|") for number in group.split(",") if number
        ),
        payment_method=payment_method(raw),
        extra=extra,
    )


JdClient.normaliser = staticmethod(normalise)  # defined after the client
