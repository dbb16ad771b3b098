"""Douyin shop (抖店) sandbox: order.searchList, order.orderDetail, token.create/refresh,
the write-back calls and order.batchDecrypt (with a decrypt quota per window).

Checks signatures as the platform documents them: ``sign_method`` md5 or
hmac-sha256 over ``app_secret + "app_key"..."method"..."param_json"...
"timestamp"..."v2" + app_secret``, with ``param_json`` read from the raw POST
body (or the ``param_json`` query parameter of older clients).  Answers in the
``{code, msg, sub_code, sub_msg, log_id, data}`` envelope (success 10000).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime

from .common import CST, fake_cipher, mask_detail, mask_name, mask_phone, num
from .server import Answer, PlatformSandbox

STATUS = {"unpaid": 1, "paid": 2, "shipped": 3, "completed": 5, "cancelled": 4}
TAGS = {"created": "100", "paid": "101", "shipped": "102", "cancelled": "106"}
# company codes of order.logisticsCompanyList (the ones the hub's data maps)
COMPANIES = {
    "shunfeng": "顺丰速运",
    "zhongtong": "中通快递",
    "yuantong": "圆通速递",
    "shentong": "申通快递",
    "yunda": "韵达快递",
    "jtexpress": "极兔速递",
    "ems": "EMS",
    "youzhengguonei": "邮政快递包裹",
    "jd": "京东物流",
    "debangkuaidi": "德邦快递",
}
SHIP_REFUSALS = {
    "not_found": "订单不存在",
    "cancelled": "订单已取消，不能发货",
    "unpaid": "订单未支付，不能发货",
    "duplicate": "该运单号已回传",
    "shipped": "订单已发货",
    "too_many": "发货数量超过可发货数量",
}


def envelope(data=None, code=10000, msg="success", sub_code="", sub_msg=""):
    return {
        "code": code,
        "msg": msg,
        "sub_code": sub_code,
        "sub_msg": sub_msg,
        "log_id": secrets.token_hex(10),
        "data": data if data is not None else {},
    }


def expected_sign(secret, app_key, method, param_json, timestamp, sign_method):
    text = f"{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v2{secret}"
    if sign_method == "hmac-sha256":
        return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return hashlib.md5(text.encode()).hexdigest()


def parse_timestamp(value):
    if str(value).isdigit():
        return int(value)
    return int(datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST).timestamp())


class DouyinSandbox(PlatformSandbox):
    platform = "douyin"
    busy_answer = Answer(200, envelope(code=60000, msg="访问太频繁", sub_code="isv.rate-limited"))

    def make_credentials(self, seed):
        return {
            "app_key": f"71{seed:05d}8123456789",
            "app_secret": f"dy-secret-{seed}-" + "a1b2c3d4e5f6",
            "access_token": f"dy-token-{seed}-initial",
            "refresh_token": f"dy-refresh-{seed}-initial",
            "shop_id": "4463798",
        }

    def new_id(self, rnd, count):
        return "69" + "".join(rnd.choice("0123456789") for _ in range(17))

    # ---- rendering ---------------------------------------------------------
    def render(self, order):
        buyer = order.buyer
        addr = {
            "province": {"name": buyer.province, "id": "33"},
            "city": {"name": buyer.city, "id": "3301"},
            "town": {"name": buyer.district, "id": "330106"},
            "street": {"name": buyer.street, "id": "330106001"},
        }
        lines = []
        for line in order.lines:
            total = line.price_fen * line.qty
            lines.append(
                {
                    "order_id": f"{order.id}{line.line_id}",
                    "parent_order_id": order.id,
                    "product_id": "3" + line.sku_id[:11],
                    "sku_id": line.sku_id,
                    "out_sku_id": line.code,
                    "out_product_id": line.code.rsplit("-", 1)[0],
                    "code": line.code,
                    "product_name": line.name,
                    "spec": [{"name": "规格", "value": "标准"}],
                    "item_num": line.qty,
                    "origin_amount": line.price_fen,
                    "sum_amount": total,
                    "pay_amount": total - line.discount_fen,
                    "order_status": STATUS[order.status],
                    "given_product_type": "FREE" if line.gift else "",
                    "after_sale_info": {"after_sale_status": 0, "refund_status": 0},
                }
            )
        status = 101 if self.partially_shipped(order) else STATUS[order.status]
        return {
            "order_id": order.id,
            "shop_id": num(self.credentials["shop_id"]),
            "order_status": status,
            "main_status": status,
            "create_time": order.created,
            "update_time": order.updated,
            "pay_time": order.paid or 0,
            # 0 货到付款, 1 微信, 12 先用后付
            "pay_type": {"cod": 0, "credit": 12}.get(order.payment, 1),
            "finish_time": order.updated if order.status == "completed" else 0,
            "exp_ship_time": order.created + 2 * 86400,
            "buyer_words": order.remark,
            "seller_words": order.seller_remark,
            "seller_remark_stars": 0,
            "order_amount": order.goods_fen + order.freight_fen,
            "pay_amount": order.total_fen,
            "post_amount": order.freight_fen,
            "promotion_amount": order.discount_fen,
            "modify_amount": 0,
            "tax_amount": 0,
            "doudian_open_id": f"dy{buyer.buyer_id}",
            "post_receiver": "",
            "post_tel": "",
            "post_addr": {**addr, "detail": "", "encrypt_detail": fake_cipher(buyer.detail, "dy")},
            "encrypt_post_receiver": fake_cipher(buyer.name, "dy"),
            "encrypt_post_tel": fake_cipher(buyer.phone, "dy"),
            "mask_post_receiver": mask_name(buyer.name),
            "mask_post_tel": mask_phone(buyer.phone),
            "mask_post_addr": {**addr, "detail": mask_detail(buyer.detail)},
            "sku_order_list": lines,
            "logistics_info": [
                {
                    "tracking_no": number,
                    "company": company or "shunfeng",
                    "company_name": COMPANIES.get(company or "shunfeng", company),
                }
                for number, company in self.parcels(order)
            ],
        }

    # ---- requests ----------------------------------------------------------
    def check(self, request, method):
        """None when the request is correctly signed and authorised, else the error answer."""
        query, creds = request.query, self.credentials
        if query.get("app_key") != creds["app_key"]:
            return envelope(code=30001, msg="no permission", sub_code="isv.app-key-invalid")
        if query.get("method") != method or query.get("v") != "2":
            return envelope(code=40003, msg="invalid parameter", sub_code="isv.method-invalid")
        if not query.get("sign"):
            return envelope(code=40001, msg="missing parameter", sub_code="isv.signature-missing")
        param_json = request.body.decode() if request.body else query.get("param_json", "{}")
        sign_method = query.get("sign_method", "md5")
        want = expected_sign(
            creds["app_secret"], creds["app_key"], method, param_json, query.get("timestamp", ""), sign_method
        )
        if not hmac.compare_digest(want, query["sign"]):
            return envelope(code=40003, msg="invalid parameter", sub_code="isv.signature-invalid")
        try:
            stamp = parse_timestamp(query.get("timestamp", ""))
        except ValueError:
            stamp = 0
        if abs(time.time() - stamp) > 600:
            return envelope(code=40003, msg="invalid parameter", sub_code="isv.timestamp-invalid")
        if method.startswith("token."):
            return None
        token = query.get("access_token")
        if not token:
            return envelope(code=40001, msg="missing parameter", sub_code="isv.access-token-missing")
        state = self.token_state(token)
        if state != "ok":
            return envelope(
                code=40003,
                msg="invalid parameter",
                sub_code=f"isv.access-token-{'expired' if state == 'expired' else 'no-existed'}",
            )
        return None

    def route(self, request):
        method = request.path.strip("/").replace("/", ".")
        handler = {
            "order.searchList": self.search_list,
            "order.orderDetail": self.order_detail,
            "token.refresh": self.token_refresh,
            "token.create": self.token_create,
            "order.logisticsAdd": self.logistics_add,
            "order.logisticsAddMultiPack": self.logistics_add_multi_pack,
            "order.batchDecrypt": self.batch_decrypt,
            "sku.syncStock": self.sync_stock,
        }.get(method)
        if request.method != "POST" or handler is None:
            return Answer(200, envelope(code=70000, msg="api offline", sub_code="isv.method-not-exist"))
        error = self.check(request, method)
        if error:
            return Answer(200, error)
        try:
            params = json.loads(
                request.body.decode() if request.body else request.query.get("param_json", "{}")
            )
        except ValueError:
            return Answer(
                200, envelope(code=40003, msg="invalid parameter", sub_code="isv.param-json-invalid")
            )
        result = handler(params)
        return result if isinstance(result, Answer) else Answer(200, result)

    def search_list(self, params):
        page, size = int(params.get("page", 0)), int(params.get("size", 10))
        if page < 0 or not 1 <= size <= 100:
            return envelope(code=40003, msg="invalid parameter", sub_code="isv.parameter-invalid:size")
        start = int(params.get("update_time_start", 0))
        end = int(params.get("update_time_end", 2**31))
        chosen = self.in_window(start, end)
        if not params.get("order_asc"):
            chosen.reverse()
        rows = chosen[page * size : (page + 1) * size]
        return envelope(
            {
                "page": page,
                "size": size,
                "total": len(chosen),
                "shop_order_list": [self.render(o) for o in rows],
            }
        )

    def order_detail(self, params):
        order = self.orders.get(str(params.get("shop_order_id")))
        if order is None:
            return envelope(code=50002, msg="business error", sub_code="isv.business-failed:订单不存在")
        return envelope({"shop_order_detail": self.render(order)})

    # ---- write-back ---------------------------------------------------------
    def _ship(self, method, order_id, company, tracking, items=None):
        if company not in COMPANIES:
            return envelope(
                code=50002, msg="business error", sub_code="isv.business-failed:物流公司编码不存在"
            )
        refused = self.ship(order_id, tracking, company, items, api=method)
        if refused:
            return envelope(
                code=50002, msg="business error", sub_code=f"isv.business-failed:{SHIP_REFUSALS[refused]}"
            )
        return None

    def logistics_add(self, params):
        """The whole order leaves in one parcel."""
        refused = self._ship(
            "order.logisticsAdd",
            str(params.get("order_id")),
            params.get("company_code"),
            str(params.get("logistics_code") or ""),
        )
        return refused or self.late(Answer(200, envelope({})))

    def logistics_add_multi_pack(self, params):
        """One or more parcels of an order; ``request_id`` makes the call idempotent."""
        key = str(params.get("request_id") or "")
        if not key:
            return envelope(code=40001, msg="missing parameter", sub_code="isv.parameter-missing:request_id")
        with self.lock:
            if key in self.write_answers:
                return self.write_answers[key]
            order = self.orders.get(str(params.get("order_id")))
            lines = {f"{order.id}{line.line_id}": line.line_id for line in order.lines} if order else {}
            packs = []
            for pack in params.get("pack_list") or []:
                items = {}
                for info in pack.get("shipped_order_info") or []:
                    line_id = lines.get(str(info.get("shipped_order_id")))
                    if line_id is None:
                        return envelope(
                            code=50002, msg="business error", sub_code="isv.business-failed:子订单不存在"
                        )
                    items[line_id] = items.get(line_id, 0) + int(info.get("shipped_num") or 0)
                refused = self._ship(
                    "order.logisticsAddMultiPack",
                    str(params.get("order_id")),
                    pack.get("company_code"),
                    str(pack.get("logistics_code") or ""),
                    items,
                )
                if refused:
                    return refused
                packs.append(
                    {"pack_id": f"P{len(self.writes)}", "logistics_code": pack.get("logistics_code")}
                )
            answer = envelope({"pack_list": packs})
            self.write_answers[key] = answer
        return self.late(Answer(200, answer))

    # ---- stock sync -----------------------------------------------------------
    def sync_stock(self, params):
        """One SKU's stock (``sku_id`` or merchant ``code``), set (``incremental`` false)."""
        if self.stock_too_fast():
            return self.busy_answer
        ref = str(params.get("sku_id") or params.get("code") or "")
        num_ = params.get("stock_num")
        if not ref:
            return envelope(code=40001, msg="missing parameter", sub_code="isv.parameter-missing:sku_id")
        if not isinstance(num_, int) or num_ < 0 or params.get("incremental"):
            return envelope(code=40003, msg="invalid parameter", sub_code="isv.parameter-invalid:stock_num")
        if ref.startswith("UNKNOWN"):
            return envelope(code=50002, msg="business error", sub_code="isv.business-failed:商品不存在")
        self.set_stock("sku.syncStock", {ref: num_})
        return envelope({})

    def _new_token(self):
        token = self.issue_token(f"dy-token-{secrets.token_hex(8)}")
        refresh = f"dy-refresh-{secrets.token_hex(8)}"
        self.credentials.update(access_token=token, refresh_token=refresh)
        return envelope(
            {
                "access_token": token,
                "expires_in": int(self.behaviour["token_ttl"]),
                "refresh_token": refresh,
                "scope": "SCOPE",
                "shop_id": num(self.credentials["shop_id"]),
                "shop_name": "杭州汽配旗舰店",
            }
        )

    def token_refresh(self, params):
        if (
            params.get("grant_type") != "refresh_token"
            or params.get("refresh_token") != self.credentials["refresh_token"]
        ):
            return envelope(code=50001, msg="token generation failed", sub_code="isv.refresh-token-invalid")
        return self._new_token()

    def token_create(self, params):
        if (
            params.get("grant_type") != "authorization_self"
            or str(params.get("shop_id")) != self.credentials["shop_id"]
        ):
            return envelope(code=50001, msg="token generation failed", sub_code="isv.shop-invalid")
        return self._new_token()

    # ---- pushes ------------------------------------------------------------
    def webhook(self, order_id, topic=None, url=""):
        """(headers, body, url) of a signed order push: ``event-sign = md5(app_key + body + secret)``."""
        order = self.orders[order_id]
        tag = TAGS.get(topic or "", topic) or (
            "106" if order.status == "cancelled" else "101" if order.paid else "100"
        )
        data = {
            "p_id": int(order.id),
            "s_ids": [int(f"{order.id}{line.line_id}") for line in order.lines],
            "shop_id": num(self.credentials["shop_id"]),
            "order_status": STATUS[order.status],
            "order_type": 0,
            "create_time": order.created,
            "update_time": order.updated,
            "biz": 2,
        }
        message = [
            {
                "tag": tag,
                "msg_id": f"{order.id}{tag}{order.updated}",
                "data": json.dumps(data, ensure_ascii=False),
            }
        ]
        body = json.dumps(message, ensure_ascii=False).encode()
        creds = self.credentials
        sign = hashlib.md5(creds["app_key"].encode() + body + creds["app_secret"].encode()).hexdigest()
        headers = {"Content-Type": "application/json", "app-id": creds["app_key"], "event-sign": sign}
        return headers, body, url

    # ---- receiver decryption ---------------------------------------------------
    def __init__(self, *args, **kwargs):
        self.decrypts = []  # each batchDecrypt carried out: {"wall", "order_ids", "ciphers"}
        self.decrypt_limit = None  # orders a window may decrypt (None: no limit)
        self.decrypt_window = 86400.0
        super().__init__(*args, **kwargs)

    def decrypt_quota(self, limit=None, window=86400.0):
        """Allow ``limit`` decrypted orders per ``window`` seconds (None: no limit);
        a call beyond it is refused with the platform's quota error (code 90000)."""
        with self.lock:
            self.decrypt_limit = limit
            self.decrypt_window = float(window)

    def batch_decrypt(self, params):
        """Decrypt the ciphertexts of orders (``auth_id`` = the order id); every
        order of a call counts once against the quota of the window.  A
        ciphertext that is not one of the order's current ones is refused."""
        infos = params.get("cipher_infos")
        if not isinstance(infos, list) or not infos or len(infos) > 50:
            return envelope(
                code=40003, msg="invalid parameter", sub_code="isv.parameter-invalid:cipher_infos"
            )
        with self.lock:
            order_ids = sorted({str(info.get("auth_id")) for info in infos})
            now = time.time()
            used = sum(
                len(call["order_ids"]) for call in self.decrypts if call["wall"] > now - self.decrypt_window
            )
            if self.decrypt_limit is not None and used + len(order_ids) > self.decrypt_limit:
                return envelope(**QUOTA_ERROR)
            results = [self._decrypt_one(info) for info in infos]
            self.decrypts.append({"wall": now, "order_ids": order_ids, "ciphers": len(infos)})
        return envelope({"decrypt_infos": results, "custom_err": {"err_code": 0, "err_msg": ""}})

    def _decrypt_one(self, info):
        auth_id, cipher = str(info.get("auth_id")), str(info.get("cipher_text") or "")
        order = self.orders.get(auth_id)
        current = self.render(order) if order else {}
        ours = (
            current.get("encrypt_post_receiver"),
            current.get("encrypt_post_tel"),
            current.get("post_addr", {}).get("encrypt_detail"),
        )
        value = plaintext_of(cipher) if cipher in ours else None
        return {
            "auth_id": auth_id,
            "cipher_text": cipher,
            "decrypt_text": value or "",
            "err_no": 0 if value is not None else CIPHER_MISMATCH[0],
            "err_msg": "" if value is not None else CIPHER_MISMATCH[1],
            "is_virtual_tel": False,
            "phone_no_a": "",
            "phone_no_b": "",
            "expire_time": 0,
        }


# the shop's decrypt quota is used up (third-party integrations see code 90000)
QUOTA_ERROR = {"code": 90000, "msg": "已达到店铺解密上限", "sub_code": "isv.decrypt-quota-exceeded"}
CIPHER_MISMATCH = (300004, "密文与订单不匹配")


def plaintext_of(cipher, salt="dy"):
    """The value inside a ``fake_cipher`` ciphertext, or None when it is not one."""
    try:
        raw = base64.b64decode(cipher.strip("#"), validate=True)
    except ValueError:
        return None
    value = raw[32:].decode(errors="replace")
    if hashlib.sha256(f"{salt}:{value}".encode()).digest() != raw[:32]:
        return None
    return value
