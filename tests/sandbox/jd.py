"""JD (JOS) sandbox: /routerjson with jingdong.pop.order.search and .get.

Checks ``sign = UPPER(md5(secret + k1v1k2v2... + secret))`` over every
non-empty parameter except ``sign``, sorted by name, the GMT+8 timestamp
(within 6 minutes) and the access token; gateway errors come as
``{"error_response": {code, zh_desc, en_desc}}``.  The search filters on the
modified time (``dateType=0``) or creation time, sorts ascending unless
``sortType=1``, pages from 1 and refuses windows longer than a month.
"""

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

from .common import local_text, mask_name, mask_phone, parse_local, yuan
from .server import Answer, PlatformSandbox

STATE = {
    "unpaid": "WAIT_SELLER_STOCK_OUT",
    "paid": "WAIT_SELLER_STOCK_OUT",
    "shipped": "WAIT_GOODS_RECEIVE_CONFIRM",
    "completed": "FINISHED_L",
    "cancelled": "TRADE_CANCELED",
}
NO_TIME = "0001-01-01 00:00:00"
# logiCoprId of the carriers the hub's data maps (JD's logistics company list)
COMPANIES = {"467", "1499", "463", "470", "1327", "465", "2170", "3046"}
SHIP_REFUSALS = {
    "not_found": ("10400001", "订单不存在", "order not found"),
    "cancelled": ("10400002", "订单已取消，不能出库", "the order is cancelled"),
    "unpaid": ("10400003", "订单状态不允许出库", "the order state does not allow shipment"),
    "duplicate": ("10400004", "订单已出库", "the order was already shipped"),
    "shipped": ("10400004", "订单已出库", "the order was already shipped"),
    "too_many": ("10400005", "出库数量错误", "wrong quantities"),
}


def gateway_error(code, en, zh=""):
    return {"error_response": {"code": str(code), "zh_desc": zh or en, "en_desc": en}}


class JdSandbox(PlatformSandbox):
    platform = "jd"
    busy_answer = Answer(200, gateway_error(2, "App Call Limited", "调用次数超限"))

    def make_credentials(self, seed):
        return {
            "app_key": f"JD{seed:04d}A1B2C3D4E5F6",
            "app_secret": f"jd-secret-{seed}-0f1e2d3c",
            "access_token": f"jd-token-{seed}-initial",
            "shop_id": "10086001",
        }

    def new_id(self, rnd, count):
        return "3" + "".join(rnd.choice("0123456789") for _ in range(11))

    def render(self, order):
        buyer = order.buyer
        items, coupons = [], []
        for line in order.lines:
            items.append(
                {
                    "skuId": line.sku_id,
                    "outerSkuId": line.code,
                    "skuName": line.name,
                    "wareId": "1" + line.sku_id[:10],
                    "jdPrice": "0.00" if line.gift else yuan(line.price_fen),
                    "itemTotal": str(line.qty),
                    "productNo": line.code,
                    "giftPoint": "0",
                    "serviceName": "到店安装" if order.installation and not line.gift else "",
                }
            )
            if line.discount_fen and not line.gift:
                coupons.append(
                    {
                        "skuId": line.sku_id,
                        "couponType": "20-单品促销优惠",
                        "couponPrice": yuan(line.discount_fen),
                    }
                )
        invoice = order.invoice or {}
        if not invoice:
            invoice_info = "不需要开具发票"
        else:
            kind = "增值税专用发票" if invoice["type"] == "special" else "电子普通发票"
            invoice_info = f"发票类型:{kind};发票抬头:{invoice['title']};发票内容:明细"
        data = {
            "orderId": order.id,
            "venderId": self.credentials["shop_id"],
            "orderType": "22",
            "payType": "1-货到付款" if order.status == "unpaid" or order.payment == "cod" else "4-在线支付",
            "orderTotalPrice": yuan(order.goods_fen),
            "orderSellerPrice": yuan(order.goods_fen - order.discount_fen),
            "orderPayment": yuan(order.total_fen),
            "freightPrice": yuan(order.freight_fen),
            "sellerDiscount": yuan(order.discount_fen),
            "orderState": STATE[order.status],
            "orderStateRemark": {"TRADE_CANCELED": "取消", "FINISHED_L": "完成"}.get(
                STATE[order.status], "等待出库"
            ),
            "orderRemark": order.remark,
            "venderRemark": order.seller_remark,
            "orderStartTime": local_text(order.created),
            "paymentConfirmTime": local_text(order.paid) if order.paid else NO_TIME,
            "orderEndTime": local_text(order.updated) if order.status in ("completed", "cancelled") else "",
            "modified": local_text(order.updated),
            "consigneeInfo": {
                "fullname": mask_name(buyer.name),
                "telephone": mask_phone(buyer.phone),
                "mobile": mask_phone(buyer.phone),
                "desen_mobile": mask_phone(buyer.phone),
                "fullAddress": f"{buyer.province}{buyer.city}{buyer.district}{buyer.detail[:4]}****",
                "province": buyer.province,
                "city": buyer.city,
                "county": buyer.district,
                "town": buyer.street,
                "provinceId": "15",
            },
            "itemInfoList": items,
            "couponDetailList": coupons,
            "invoiceInfo": invoice_info,
            "invoiceCode": invoice.get("tax_id", ""),
            "waybill": "|".join(number for number, _company in self.parcels(order)),
            "logisticsId": (self.parcels(order)[0][1] or "467") if self.parcels(order) else "",
            "pin": f"jd_{order.buyer.buyer_id}",
            "open_id_buyer": f"o{order.buyer.buyer_id}",
            "installationService": "1" if order.installation else "0",
        }
        if invoice.get("type") == "special":
            data["vatInfo"] = {
                "vatNo": invoice["tax_id"],
                "addressRegIstered": invoice["address"],
                "phoneRegIstered": invoice["phone"],
                "depositBank": invoice["bank_name"],
                "bankAccount": invoice["bank_account"],
                "userName": invoice["title"],
            }
        return data

    def params(self, request):
        params = dict(request.query)
        if request.body:
            params.update(
                {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
            )
        return params

    def check(self, params):
        creds = self.credentials
        if params.get("app_key") != creds["app_key"]:
            return gateway_error(21, "Invalid app_key", "无效的app_key")
        if not params.get("sign"):
            return gateway_error(11, "Missing signature", "缺少签名参数")
        concat = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
        want = hashlib.md5(f"{creds['app_secret']}{concat}{creds['app_secret']}".encode()).hexdigest().upper()
        if not hmac.compare_digest(want, params["sign"]):
            return gateway_error(12, "Invalid signature", "无效签名")
        if not params.get("timestamp"):
            return gateway_error(7, "Missing timestamp", "缺少时间戳参数")
        try:
            stamp = parse_local(params["timestamp"])
        except ValueError:
            stamp = 0
        if abs(time.time() - stamp) > 360:
            return gateway_error(8, "Invalid timestamp", "无效的时间戳")
        if params.get("v") != "2.0":
            return gateway_error(5, "Unsupported version", "不支持的版本号")
        if self.token_state(params.get("access_token")) != "ok":
            return gateway_error(19, "Invalid access_token", "无效的access_token")
        return None

    def route(self, request):
        if request.path.rstrip("/") != "/routerjson":
            return Answer(404, {"error": "not found"})
        params = self.params(request)
        error = self.check(params)
        if error:
            return Answer(200, error)
        method = params.get("method")
        try:
            business = json.loads(params.get("360buy_param_json") or "{}")
        except ValueError:
            return Answer(200, gateway_error(13, "Invalid 360buy_param_json", "业务参数格式错误"))
        if method == "jingdong.pop.order.search":
            return Answer(
                200,
                {
                    "jingdong_pop_order_search_responce": {
                        "code": "0",
                        "searchorderinfo_result": self.search(business),
                    }
                },
            )
        if method == "jingdong.pop.order.shipment":
            return self.shipment(business)
        if method == "jingdong.stock.write.updateSkuStock":
            return self.update_sku_stock(business)
        if method == "jingdong.pop.order.get":
            return Answer(
                200, {"jingdong_pop_order_get_responce": {"code": "0", "orderDetailInfo": self.get(business)}}
            )
        return Answer(200, gateway_error(15, "Unknown method", "无效的方法名"))

    @staticmethod
    def api_result(success=True, code="0", message=""):
        return {
            "success": success,
            "code": code,
            "chineseErrCode": message or "成功",
            "englishErrCode": message or "success",
        }

    def search(self, params):
        try:
            start, end = parse_local(params["start_date"]), parse_local(params["end_date"])
            page, size = int(params.get("page", 1)), int(params.get("page_size", 10))
            states = set(params["order_state"].split(","))
            params["optional_fields"]  # noqa: B018  (required by JD)
        except (KeyError, ValueError) as error:
            return {"apiResult": self.api_result(False, "1", f"missing or bad parameter {error}")}
        if end - start > 31 * 86400:
            return {"apiResult": self.api_result(False, "1", "the time span cannot exceed one month")}
        if page < 1 or not 1 <= size <= 100:
            return {"apiResult": self.api_result(False, "1", "page must be >= 1 and page_size 1..100")}
        if str(params.get("dateType", "0")) == "1":
            with self.lock:
                chosen = sorted(
                    (o for o in self.orders.values() if start <= o.created <= end),
                    key=lambda o: (o.created, o.id),
                )
        else:
            chosen = self.in_window(start, end)
        chosen = [o for o in chosen if STATE[o.status] in states]
        if str(params.get("sortType", "0")) == "1":
            chosen.reverse()
        rows = chosen[(page - 1) * size : page * size]
        return {
            "apiResult": self.api_result(),
            "orderInfoList": [self.render(o) for o in rows],
            "orderTotal": len(chosen),
        }

    def get(self, params):
        order = self.orders.get(str(params.get("order_id")))
        if order is None:
            return {"apiResult": self.api_result(False, "404", "order not found")}
        return {"apiResult": self.api_result(), "orderInfo": self.render(order)}

    def shipment(self, params):
        """The whole order leaves; ``logiNo`` holds its tracking numbers joined by ","."""
        key = "jingdong_pop_order_shipment_responce"
        if str(params.get("logiCoprId")) not in COMPANIES:
            result = {
                "success": False,
                "errorCode": "10400006",
                "chineseErrCode": "物流公司不存在",
                "englishErrCode": "unknown logistics company",
            }
            return Answer(200, {key: {"code": "0", "sopjosshipment_result": result}})
        refused = self.ship(
            str(params.get("orderId")),
            str(params.get("logiNo") or ""),
            str(params.get("logiCoprId")),
            api="jingdong.pop.order.shipment",
        )
        if refused:
            code, zh, en = SHIP_REFUSALS[refused]
            result = {"success": False, "errorCode": code, "chineseErrCode": zh, "englishErrCode": en}
            return Answer(200, {key: {"code": "0", "sopjosshipment_result": result}})
        result = {"success": True, "errorCode": "0", "chineseErrCode": "成功", "englishErrCode": "success"}
        return self.late(Answer(200, {key: {"code": "0", "sopjosshipment_result": result}}))

    def update_sku_stock(self, business):
        """One SKU's stock, set; "App Call Limited" (code 2) when faster than the limit."""
        if self.stock_too_fast():
            return self.busy_answer
        sku, stock = str(business.get("skuId") or ""), business.get("stockNum")
        key = "jingdong_stock_write_updateSkuStock_responce"
        if not sku or not isinstance(stock, int) or stock < 0:
            return Answer(200, {key: {"code": "0", "success": False, "message": "参数错误"}})
        if sku.startswith("UNKNOWN"):
            return Answer(200, {key: {"code": "0", "success": False, "message": "商品不存在"}})
        self.set_stock("jingdong.stock.write.updateSkuStock", {sku: stock})
        return Answer(200, {key: {"code": "0", "success": True}})

    def webhook(self, order_id, topic=None, url=""):
        raise NotImplementedError("JD has no simple signed order webhook; orders arrive by pull.")
