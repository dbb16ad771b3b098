"""WeChat Shop (微信小店) sandbox: /cgi-bin/token, /channels/ec/order/list/get, /channels/ec/order/get.

``access_token`` in the query is checked on every call (40001 unknown, 42001
expired); the token endpoint checks appid/secret.  The list call takes
``update_time_range`` (at most 7 days), ``page_size`` (<= 100) and an opaque
``next_key`` and returns ids only.  Pushes are built in safe mode: AES-256-CBC
with the EncodingAESKey and ``msg_signature = sha1(sort(token, timestamp,
nonce, Encrypt))``.
"""

import base64
import hashlib
import json
import os
import secrets
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .common import b64json_decode, b64json_encode, mask_detail, mask_name, mask_phone
from .server import Answer, PlatformSandbox

STATUS = {"unpaid": 10, "paid": 20, "shipped": 30, "completed": 100}
# delivery_id of the companies the hub's data maps (/channels/ec/order/deliverycompanylist/get)
COMPANIES = {"SF", "ZTO", "YTO", "STO", "YUNDA", "JTSD", "EMS", "YZPY", "JD", "DBL"}
# errcodes of refused deliveries [?]: not in the reference, shaped like the platform's errors
SHIP_REFUSALS = {
    "not_found": (100002, "order not exist"),
    "cancelled": (10020051, "order status not allow deliver: order cancelled"),
    "unpaid": (10020051, "order status not allow deliver"),
    "duplicate": (10020052, "waybill already delivered"),
    "shipped": (10020051, "order status not allow deliver: order already delivered"),
    "too_many": (10020053, "product cnt exceeds the quantity to deliver"),
}
EVENTS = {
    "created": "channels_ec_order_new",
    "paid": "channels_ec_order_pay",
    "cancelled": "channels_ec_order_cancel",
}


def error(code, message):
    return {"errcode": code, "errmsg": message}


class WechatShopSandbox(PlatformSandbox):
    platform = "wechat_shop"
    busy_answer = Answer(200, error(45011, "api minute-quota reach limit  mustslower  retry next minute"))

    def make_credentials(self, seed):
        return {
            "app_key": f"wx{seed:04d}5f8e3c2a1b9d",
            "app_secret": f"wechat-secret-{seed}-7c6b5a49382716",
            "access_token": "",
            "shop_id": f"wx{seed:04d}5f8e3c2a1b9d",
            "webhook_token": f"orderhub{seed}",
            "aes_key": base64.b64encode(hashlib.sha256(f"aes{seed}".encode()).digest()).decode().rstrip("="),
        }

    def new_id(self, rnd, count):
        return "37" + "".join(rnd.choice("0123456789") for _ in range(17))

    def render(self, order):
        buyer = order.buyer
        status = (
            21 if self.partially_shipped(order) else STATUS.get(order.status) or (200 if order.paid else 250)
        )
        products = [
            {
                "product_id": "10000" + line.sku_id[:8],
                "sku_id": line.sku_id,
                "sku_code": line.code,
                "sku_cnt": line.qty,
                "sale_price": line.price_fen,
                "real_price": line.price_fen * line.qty - line.discount_fen,
                "title": line.name,
                "sku_attrs": [{"attr_key": "规格", "attr_value": "标准"}],
                "is_free_gift": line.gift,
            }
            for line in order.lines
        ]
        return {
            "order_id": order.id,
            "status": status,
            "create_time": order.created,
            "update_time": order.updated,
            "openid": f"oWx{buyer.buyer_id}",
            "unionid": f"oUn{buyer.buyer_id}",
            "order_detail": {
                "product_infos": products,
                "price_info": {
                    "product_price": order.goods_fen,
                    "order_price": order.total_fen,
                    "freight": order.freight_fen,
                    "discounted_price": order.discount_fen,
                },
                "pay_info": {
                    "pay_time": order.paid or 0,
                    "transaction_id": f"42000{order.id[-10:]}" if order.paid else "",
                    "payment_method": 2 if order.payment == "credit" else 1,  # 2 先用后付
                },
                "delivery_info": {
                    "address_info": {
                        "user_name": mask_name(buyer.name),
                        "tel_number": mask_phone(buyer.phone),
                        "province_name": buyer.province,
                        "city_name": buyer.city,
                        "county_name": buyer.district,
                        "detail_info": mask_detail(buyer.detail),
                        "postal_code": buyer.zip,
                        "house_number": "",
                    },
                    "deliver_method": 0,
                    "delivery_product_info": [
                        {"waybill_id": number, "delivery_id": company or "SF", "delivery_time": order.updated}
                        for number, company in self.parcels(order)
                    ],
                },
                "ext_info": {"customer_notes": order.remark, "merchant_notes": order.seller_remark},
            },
        }

    def route(self, request):
        if request.path == "/cgi-bin/token":
            return Answer(200, self.token(request.query))
        token_state = self.token_state(request.query.get("access_token"))
        if token_state == "unknown":
            return Answer(200, error(40001, "invalid credential, access_token is invalid or not latest"))
        if token_state == "expired":
            return Answer(200, error(42001, "access_token expired"))
        try:
            body = request.json() or {}
        except ValueError:
            return Answer(200, error(47001, "data format error"))
        if request.path == "/channels/ec/order/list/get":
            return Answer(200, self.list(body))
        if request.path == "/channels/ec/order/delivery/send":
            return self.delivery_send(body)
        if request.path == "/channels/ec/product/stock/update":
            return self.stock_update(body)
        if request.path == "/channels/ec/order/get":
            order = self.orders.get(str(body.get("order_id")))
            if order is None:
                return Answer(200, error(100002, "order not exist"))
            return Answer(200, {**error(0, "ok"), "order": self.render(order)})
        return Answer(404, error(-1, "not found"))

    def delivery_send(self, body):
        order = self.orders.get(str(body.get("order_id")))
        if order is None:
            return Answer(200, error(*SHIP_REFUSALS["not_found"]))
        lines = {(f"10000{line.sku_id[:8]}", line.sku_id): line.line_id for line in order.lines}
        deliveries = body.get("delivery_list") or []
        if not deliveries:
            return Answer(200, error(40097, "invalid args: delivery_list"))
        for delivery in deliveries:
            if delivery.get("delivery_id") not in COMPANIES:
                return Answer(200, error(10020050, "invalid delivery_id"))
            items = {}
            for info in delivery.get("product_infos") or []:
                line_id = lines.get((str(info.get("product_id")), str(info.get("sku_id"))))
                if line_id is None:
                    return Answer(200, error(40097, "invalid args: product_infos"))
                items[line_id] = items.get(line_id, 0) + int(info.get("product_cnt") or 0)
            refused = self.ship(
                order.id,
                str(delivery.get("waybill_id") or ""),
                delivery["delivery_id"],
                items,
                api="delivery/send",
            )
            if refused:
                return Answer(200, error(*SHIP_REFUSALS[refused]))
        return self.late(Answer(200, error(0, "ok")))

    def stock_update(self, body):
        """One SKU's stock: ``diff_type`` 3 sets it; 45011 when faster than the quota."""
        if self.stock_too_fast():
            return Answer(200, error(45011, "api minute-quota reach limit"))
        product, sku, num_ = str(body.get("product_id") or ""), str(body.get("sku_id") or ""), body.get("num")
        if not product or not sku or body.get("diff_type") != 3 or not isinstance(num_, int) or num_ < 0:
            return Answer(200, error(47001, "data format error"))
        if product.startswith("UNKNOWN"):
            return Answer(200, error(10020003, "product not exist"))
        self.set_stock("product/stock/update", {product if product == sku else f"{product}:{sku}": num_})
        return Answer(200, error(0, "ok"))

    def token(self, query):
        creds = self.credentials
        if query.get("grant_type") != "client_credential" or query.get("appid") != creds["app_key"]:
            return error(40013, "invalid appid")
        if query.get("secret") != creds["app_secret"]:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        token = self.issue_token(f"wx-token-{secrets.token_hex(12)}")
        creds["access_token"] = token
        return {"access_token": token, "expires_in": int(self.behaviour["token_ttl"])}

    def list(self, body):
        size = int(body.get("page_size", 10))
        window = body.get("update_time_range") or body.get("create_time_range")
        if not window or not 1 <= size <= 100:
            return error(40097, "invalid args")
        start, end = int(window["start_time"]), int(window["end_time"])
        if end - start > 7 * 86400:
            return error(40097, "invalid args: time range must not exceed 7 days")
        field = "updated" if "update_time_range" in body else "created"
        with self.lock:
            chosen = sorted(
                (o for o in self.orders.values() if start <= getattr(o, field) <= end),
                key=lambda o: (getattr(o, field), o.id),
            )
        if body.get("next_key"):
            after = json.loads(b64json_decode(body["next_key"]))
            chosen = [o for o in chosen if (getattr(o, field), o.id) > tuple(after)]
        rows = chosen[:size]
        more = len(chosen) > size
        next_key = (
            b64json_encode(json.dumps([getattr(rows[-1], field), rows[-1].id]))
            if rows
            else body.get("next_key", "")
        )
        return {
            **error(0, "ok"),
            "order_id_list": [o.id for o in rows],
            "next_key": next_key,
            "has_more": more,
        }

    # ---- pushes ------------------------------------------------------------
    def encrypt(self, message: bytes):
        creds = self.credentials
        key = base64.b64decode(creds["aes_key"] + "=")
        plain = os.urandom(16) + struct.pack(">I", len(message)) + message + creds["app_key"].encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def signature(self, *parts):
        return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()

    def webhook(self, order_id, topic=None, url="", timestamp=None):
        """(headers, body, url with the signed query) of an encrypted order event."""
        order = self.orders[order_id]
        event = EVENTS.get(topic or "", topic) or (
            "channels_ec_order_cancel"
            if order.status == "cancelled"
            else "channels_ec_order_pay"
            if order.paid
            else "channels_ec_order_new"
        )
        message = {
            "ToUserName": "gh_" + self.credentials["app_key"][2:12],
            "FromUserName": f"oWx{order.buyer.buyer_id}",
            "CreateTime": order.updated,
            "MsgType": "event",
            "Event": event,
            "order_info": {"order_id": int(order.id)},
        }
        encrypted = self.encrypt(json.dumps(message, ensure_ascii=False).encode())
        stamp, nonce = str(int(timestamp or time.time())), secrets.token_hex(5)
        token = self.credentials["webhook_token"]
        query = (
            f"signature={self.signature(token, stamp, nonce)}&timestamp={stamp}&nonce={nonce}"
            f"&encrypt_type=aes&msg_signature={self.signature(token, stamp, nonce, encrypted)}"
        )
        body = json.dumps({"ToUserName": message["ToUserName"], "Encrypt": encrypted}).encode()
        joined = f"{url}{'&' if '?' in url else '?'}{query}"
        return {"Content-Type": "application/json"}, body, joined

    def verification_url(self, url, timestamp=None, echostr="sandbox-echo-1234"):
        stamp, nonce = str(int(timestamp or time.time())), secrets.token_hex(5)
        token = self.credentials["webhook_token"]
        signature = self.signature(token, stamp, nonce)
        query = f"signature={signature}&timestamp={stamp}&nonce={nonce}&echostr={echostr}"
        return f"{url}{'&' if '?' in url else '?'}{query}"
