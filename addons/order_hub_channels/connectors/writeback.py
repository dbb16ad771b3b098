"""Write-back: tell the platform that a parcel left (carrier and tracking
number), or that the seller cancelled an order before shipping it.

``ship(client, external_id, parcel)`` and ``cancel(client, external_id,
reason)`` take a client of ``connectors.get_client`` and return a
``WritebackResult``.  Each first reads the order on the platform and does
nothing when the platform already knows (the tracking number is on the order,
the order is cancelled): a job retried after a timeout whose first call did
reach the platform never ships twice.  Douyin's multi-pack call also carries
the parcel's idempotency key as ``request_id``.

A platform that refuses (order cancelled there, unknown company code, a
seller may not cancel) raises ``PlatformRefused`` with the platform's own
reason; network trouble, 5xx, 429 and busy codes raise the retryable errors
of ``errors.py`` as every other call does.

Where ``channel-apis.md`` is silent, the requests follow the platforms'
public documentation as we know it ([?] marks what we could not confirm):

* Douyin ``order.logisticsAdd`` {order_id, company_code, logistics_code} for a
  whole order in one parcel; ``order.logisticsAddMultiPack`` {order_id,
  request_id, pack_list[{shipped_order_info[{shipped_order_id, shipped_num}],
  company_code, logistics_code}]} for each parcel of a split shipment.
  Sellers cannot cancel a paid Douyin order through the open API (the buyer
  asks for a refund).
* JD ``jingdong.pop.order.shipment`` {orderId, logiCoprId, logiNo}; JD ships
  whole orders: several parcels go as one call with the tracking numbers
  joined by "," (as the order's ``waybill`` field shows them).  No seller
  cancellation through the API.  Answer key ``sopjosshipment_result`` [?].
* Shopify ``GET orders/{id}/fulfillment_orders.json`` then ``POST
  fulfillments.json`` with ``line_items_by_fulfillment_order`` and
  ``tracking_info{number, company}``; cancellation ``POST
  orders/{id}/cancel.json`` (HTTP 422 with ``errors`` when refused).
* Shopee ``POST /api/v2/logistics/ship_order`` {order_sn, package_number,
  non_integrated{tracking_number}} (a seller's own carrier is a
  non-integrated channel, which takes the tracking number only: the carrier
  is the order's logistics channel), then the tracking update ``POST
  /api/v2/logistics/update_tracking_status`` {order_sn, package_number,
  logistics_status: logistics_pickup_done, tracking_number} (Shopee documents
  it for sellers' own logistics channels [?]); cancellation ``POST /api/v2/order/cancel_order`` {order_sn,
  cancel_reason: OUT_OF_STOCK, item_list}.
* WeChat Shop ``POST /channels/ec/order/delivery/send`` {order_id,
  delivery_list[{delivery_id, waybill_id, deliver_type: 1,
  product_infos[{product_id, sku_id, product_cnt}]}]}; no seller
  cancellation of paid orders.  Error codes of refusals [?].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import as_dict, as_list, need, text
from .errors import AuthError, BadPayload, ConnectorError


class PlatformRefused(ConnectorError):
    """The platform refused the write-back; ``message`` carries its reason.
    Retrying the same request does not help; fix the cause, then retry."""


@dataclass(frozen=True)
class Parcel:
    """One parcel of an order: what left the warehouse under one tracking number."""

    key: str  # our idempotency key of this parcel (stable across retries)
    tracking_number: str
    company_code: str  # the platform's code of the carrier ("" on Shopee)
    company_name: str = ""
    items: tuple = ()  # ((merchant code, quantity), ...) shipped in this parcel
    whole_order: bool = False  # True: this parcel completes the order in one go
    tracking_numbers: tuple = ()  # JD: every number of the order, this one included


@dataclass(frozen=True)
class WritebackResult:
    sent: bool  # False: the platform already knew, nothing was sent
    request: dict = field(default_factory=dict)  # what was sent (business parameters, no secrets)
    answer: object = None  # the platform's answer (or what it already had)
    message: str = ""


def ship(client, external_id, parcel: Parcel) -> WritebackResult:
    handler = _SHIP.get(client.platform)
    if handler is None:
        raise ValueError(f"No shipment write-back for platform {client.platform!r}.")
    if not parcel.tracking_number:
        raise BadPayload("The parcel has no tracking number.", field="tracking_number")
    return handler(client, str(external_id), parcel)


def cancel(client, external_id, reason="") -> WritebackResult:
    handler = _CANCEL.get(client.platform)
    if handler is None:
        raise PlatformRefused(
            NO_SELLER_CANCEL.get(client.platform, "The platform does not take cancellations.")
        )
    return handler(client, str(external_id), reason)


NO_SELLER_CANCEL = {
    "douyin": "Douyin does not let sellers cancel a paid order: the buyer has to ask for a refund.",
    "jd": "JD does not let sellers cancel an order through the API: the buyer has to cancel it.",
    "wechat_shop": "WeChat Shop does not let sellers cancel a paid order: the buyer has to ask for a refund.",
}


def _quantities(parcel):
    wanted = {}
    for code, qty in parcel.items:
        wanted[code] = wanted.get(code, 0) + int(qty)
    return wanted


def _match(lines, parcel, codes_of, platform):
    """[(line, quantity)] of the platform's lines for the parcel's items, by
    merchant code or platform SKU id (``codes_of(line)``)."""
    wanted = _quantities(parcel)
    chosen = []
    for line in lines:
        for code in codes_of(line):
            qty = wanted.pop(code, 0)
            if qty:
                chosen.append((line, qty))
                break
    if wanted:
        raise BadPayload(
            f"The {platform} order has no line with the merchant code {', '.join(sorted(wanted))}.",
            field="items",
        )
    return chosen


# ---- Douyin -------------------------------------------------------------------
DOUYIN_CANCELLED = ("4", "21", "22", "39")


def _douyin_ship(client, external_id, parcel):
    order = client.get_order(external_id)
    known = {text(x.get("tracking_no")) for x in as_list(order.get("logistics_info"), "logistics_info")}
    if parcel.tracking_number in known:
        return WritebackResult(False, answer={"logistics_info": order.get("logistics_info")})
    if text(order.get("order_status")) in DOUYIN_CANCELLED:
        raise PlatformRefused(f"Douyin says order {external_id} is cancelled; it cannot be shipped.")
    if parcel.whole_order:
        method = "order.logisticsAdd"
        params = {
            "order_id": external_id,
            "company_code": parcel.company_code,
            "logistics_code": parcel.tracking_number,
        }
    else:
        lines = _match(
            as_list(order.get("sku_order_list"), "sku_order_list"),
            parcel,
            lambda line: (text(line.get("out_sku_id") or line.get("code")), text(line.get("sku_id"))),
            "Douyin",
        )
        method = "order.logisticsAddMultiPack"
        params = {
            "order_id": external_id,
            "request_id": parcel.key,
            "pack_list": [
                {
                    "shipped_order_info": [
                        {"shipped_order_id": text(line.get("order_id")), "shipped_num": qty}
                        for line, qty in lines
                    ],
                    "company_code": parcel.company_code,
                    "logistics_code": parcel.tracking_number,
                }
            ],
        }
    answer = _refusing(client, lambda: client._call_token(method, params))
    return WritebackResult(True, {"method": method, **params}, answer)


def _refusing(client, call):
    """Run ``call``; a non-retryable platform error becomes ``PlatformRefused``."""
    try:
        return call()
    except PlatformRefused:
        raise
    except ConnectorError as error:
        if error.retryable or type(error) is not ConnectorError:
            raise
        raise PlatformRefused(error.message) from None


# ---- JD ---------------------------------------------------------------------
JD_SHIPPED = ("WAIT_GOODS_RECEIVE_CONFIRM", "FINISHED_L")


def _jd_ship(client, external_id, parcel):
    order = client.get_order(external_id)
    numbers = parcel.tracking_numbers or (parcel.tracking_number,)
    state = text(order.get("orderState"))
    waybill = text(order.get("waybill"))
    if state in JD_SHIPPED and all(n in waybill.replace("|", ",").split(",") for n in numbers):
        return WritebackResult(False, answer={"orderState": state, "waybill": waybill})
    if state == "TRADE_CANCELED":
        raise PlatformRefused(f"JD says order {external_id} is cancelled; it cannot be shipped.")
    method = "jingdong.pop.order.shipment"
    params = {"orderId": external_id, "logiCoprId": parcel.company_code, "logiNo": ",".join(numbers)}
    body = _refusing(client, lambda: client._call(method, params))
    result = as_dict(body.get("sopjosshipment_result"), "sopjosshipment_result")
    if result.get("success") is False:
        raise PlatformRefused(
            f"JD refused {method} ({text(result.get('errorCode') or result.get('code'))}: "
            f"{text(result.get('chineseErrCode') or result.get('englishErrCode'))})."
        )
    return WritebackResult(True, {"method": method, **params}, body)


# ---- Shopify --------------------------------------------------------------------
def _shopify_request(client, method, path, body=None):
    response = client.http.request(
        method, path, json_body=body, headers={"X-Shopify-Access-Token": client.config.access_token}
    )
    data = response.data
    if response.status in (400, 404, 406, 409, 422):
        errors = data.get("errors") if isinstance(data, dict) else data
        raise PlatformRefused(f"Shopify refused {method} {path.split('/api/', 1)[-1]}: {text(errors)}")
    if response.status in (401, 402, 403, 423):
        raise AuthError(f"Shopify refused access (HTTP {response.status}); install the app again.")
    if response.status >= 400:
        raise ConnectorError(f"Shopify answered HTTP {response.status}.")
    if not isinstance(data, dict):
        raise BadPayload("Shopify answered with something that is not an object.", field="body")
    return data


def _shopify_ship(client, external_id, parcel):
    order = client.get_order(external_id)
    fulfilled = as_list(order.get("fulfillments"), "fulfillments")
    if any(text(f.get("tracking_number")) == parcel.tracking_number for f in fulfilled):
        return WritebackResult(False, answer={"fulfillments": fulfilled})
    if order.get("cancelled_at"):
        raise PlatformRefused(f"Shopify says order {external_id} is cancelled; it cannot be fulfilled.")
    wanted = _quantities(parcel)
    skus = {}
    for line in as_list(order.get("line_items"), "line_items"):
        codes = (text(line.get("sku")), text(line.get("variant_id")))
        skus[text(line.get("id"))] = next((code for code in codes if code in wanted), codes[0])
    data = _shopify_request(client, "GET", f"{client.api}/orders/{external_id}/fulfillment_orders.json")
    groups = []
    for fulfillment_order in as_list(data.get("fulfillment_orders"), "fulfillment_orders"):
        if text(fulfillment_order.get("status")) not in ("open", "in_progress"):
            continue
        items = []
        for item in as_list(fulfillment_order.get("line_items"), "line_items"):
            code = skus.get(text(item.get("line_item_id")), "")
            qty = min(wanted.get(code, 0), int(item.get("fulfillable_quantity") or 0))
            if qty:
                items.append({"id": item["id"], "quantity": qty})
                wanted[code] -= qty
        if items:
            groups.append(
                {"fulfillment_order_id": fulfillment_order["id"], "fulfillment_order_line_items": items}
            )
    if not groups or any(wanted.values()):
        raise PlatformRefused(
            f"Shopify has no open fulfillment order for what this parcel holds "
            f"({', '.join(sorted(code for code, qty in wanted.items() if qty)) or 'everything'})."
        )
    body = {
        "fulfillment": {
            "line_items_by_fulfillment_order": groups,
            "tracking_info": {"number": parcel.tracking_number, "company": parcel.company_code},
            "notify_customer": True,
        }
    }
    answer = _shopify_request(client, "POST", f"{client.api}/fulfillments.json", body)
    return WritebackResult(True, {"path": "fulfillments.json", **body}, answer)


def _shopify_cancel(client, external_id, reason):
    order = client.get_order(external_id)
    if order.get("cancelled_at"):
        return WritebackResult(False, answer={"cancelled_at": order.get("cancelled_at")})
    body = {"reason": "inventory" if reason == "stock" else "other", "email": False}
    answer = _shopify_request(client, "POST", f"{client.api}/orders/{external_id}/cancel.json", body)
    return WritebackResult(True, {"path": f"orders/{external_id}/cancel.json", **body}, answer)


# ---- Shopee -------------------------------------------------------------------
SHOPEE_PICKED_UP = ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
SHOPEE_SHIPPED = ("PROCESSED", *SHOPEE_PICKED_UP)


def _shopee_post(client, path, body):
    return _refusing(client, lambda: client._with_token(client._post, path, body))


def _shopee_ship(client, external_id, parcel):
    """Two steps: ``ship_order`` arranges the shipment with the tracking number
    (the order becomes PROCESSED), ``update_tracking_status`` with
    ``logistics_pickup_done`` tells Shopee the carrier took it (SHIPPED).  A
    retry does only what the platform does not show yet."""
    order = client.get_order(external_id)
    packages = as_list(order.get("package_list"), "package_list")
    status = text(order.get("order_status"))
    ours = any(text(p.get("tracking_number")) == parcel.tracking_number for p in packages)
    if ours and status in SHOPEE_PICKED_UP:
        return WritebackResult(False, answer={"order_status": status, "package_list": packages})
    if status in ("CANCELLED", "IN_CANCEL"):
        raise PlatformRefused(f"Shopee says order {external_id} is cancelled; it cannot be shipped.")
    if not ours and status in SHOPEE_SHIPPED:
        raise PlatformRefused(
            f"Shopee already has order {external_id} shipped ({status}) under another tracking number."
        )
    package = text(packages[0].get("package_number")) if packages else ""
    calls, answers = [], []
    if not ours:
        body = {"order_sn": external_id, "non_integrated": {"tracking_number": parcel.tracking_number}}
        if package:
            body["package_number"] = package
        answers.append(_shopee_post(client, "/api/v2/logistics/ship_order", body))
        calls.append({"path": "/api/v2/logistics/ship_order", **body})
    body = {
        "order_sn": external_id,
        "logistics_status": "logistics_pickup_done",
        "tracking_number": parcel.tracking_number,
    }
    if package:
        body["package_number"] = package
    answers.append(_shopee_post(client, "/api/v2/logistics/update_tracking_status", body))
    calls.append({"path": "/api/v2/logistics/update_tracking_status", **body})
    return WritebackResult(True, {"calls": calls}, answers)


def _shopee_cancel(client, external_id, reason):
    order = client.get_order(external_id)
    if text(order.get("order_status")) in ("CANCELLED", "IN_CANCEL"):
        return WritebackResult(False, answer={"order_status": order.get("order_status")})
    path = "/api/v2/order/cancel_order"
    body = {
        "order_sn": external_id,
        "cancel_reason": "OUT_OF_STOCK",
        "item_list": [
            {"item_id": item.get("item_id"), "model_id": item.get("model_id")}
            for item in as_list(order.get("item_list"), "item_list")
        ],
    }
    answer = _shopee_post(client, path, body)
    return WritebackResult(True, {"path": path, **body}, answer)


# ---- WeChat Shop ----------------------------------------------------------------
def _wechat_ship(client, external_id, parcel):
    order = client.get_order(external_id)
    detail = as_dict(order.get("order_detail"), "order_detail")
    delivery = as_dict(detail.get("delivery_info"), "delivery_info")
    sent = as_list(delivery.get("delivery_product_info"), "delivery_product_info")
    if any(text(d.get("waybill_id")) == parcel.tracking_number for d in sent):
        return WritebackResult(False, answer={"delivery_product_info": sent})
    if text(order.get("status")) in ("200", "250"):
        raise PlatformRefused(f"WeChat Shop says order {external_id} is cancelled; it cannot be shipped.")
    lines = _match(
        as_list(detail.get("product_infos"), "product_infos"),
        parcel,
        lambda line: (text(line.get("sku_code")), text(line.get("sku_id"))),
        "WeChat Shop",
    )
    path = "channels/ec/order/delivery/send"
    body = {
        "order_id": external_id,
        "delivery_list": [
            {
                "delivery_id": parcel.company_code,
                "waybill_id": parcel.tracking_number,
                "deliver_type": 1,
                "product_infos": [
                    {
                        "product_id": text(need(line, "product_id")),
                        "sku_id": text(need(line, "sku_id")),
                        "product_cnt": qty,
                    }
                    for line, qty in lines
                ],
            }
        ],
    }
    answer = _refusing(client, lambda: client._call(path, body))
    return WritebackResult(True, {"path": path, **body}, answer)


_SHIP = {
    "douyin": _douyin_ship,
    "jd": _jd_ship,
    "shopify": _shopify_ship,
    "shopee": _shopee_ship,
    "wechat_shop": _wechat_ship,
}
_CANCEL = {"shopify": _shopify_cancel, "shopee": _shopee_cancel}
