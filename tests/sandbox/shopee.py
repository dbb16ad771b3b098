"""Shopee Open Platform v2 sandbox: get_order_list, get_order_detail, get_shop_info, access_token/get.

Checks ``partner_id``, ``timestamp`` (within 5 minutes) and ``sign = hex
HMAC-SHA256(partner_key, partner_id + path + timestamp [+ access_token +
shop_id])`` (shop APIs with the token, auth APIs without), then the access
token (``error_auth``).  ``get_order_list`` takes at most 15 days, page_size
1..100 and an opaque cursor; ``get_order_detail`` at most 50 order_sn.
Pushes: ``Authorization = hex HMAC-SHA256(partner_key, url + "|" + body)``.
"""

import hashlib
import hmac
import json
import secrets
import time

from .common import b64json_decode, b64json_encode, mask_detail, mask_name, num
from .server import Answer, PlatformSandbox

STATUS = {
    "unpaid": "UNPAID",
    "paid": "READY_TO_SHIP",
    "shipped": "SHIPPED",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
}
AUTH_PATHS = ("/api/v2/auth/access_token/get", "/api/v2/auth/token/get")
SHIP_REFUSALS = {
    "not_found": ("error_not_found", "Order not found."),
    "cancelled": ("logistics.order_status_error", "The order is cancelled and cannot be shipped."),
    "unpaid": ("logistics.order_status_error", "The order is not ready to ship."),
    "duplicate": ("logistics.package_already_shipped", "The package has already been shipped."),
    "shipped": ("logistics.package_already_shipped", "The package has already been shipped."),
    "too_many": ("error_param", "Wrong package."),
}


def envelope(response=None, error="", message=""):
    data = {"request_id": secrets.token_hex(16), "error": error, "message": message}
    if response is not None:
        data["response"] = response
    return data


class ShopeeSandbox(PlatformSandbox):
    platform = "shopee"
    busy_answer = Answer(
        429, envelope(error="error_too_many_request", message="Too many requests."), {"Retry-After": "1"}
    )

    def make_credentials(self, seed):
        return {
            "app_key": str(2_000_000 + seed),
            "app_secret": f"shpk{seed:04d}" + "4f6e5d4c3b2a19087f6e5d4c3b2a1908",
            "access_token": f"sp-token-{seed}-initial",
            "refresh_token": f"sp-refresh-{seed}-initial",
            "shop_id": "98765432",
        }

    def new_id(self, rnd, count):
        return "261122" + "".join(rnd.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))

    def render(self, order):
        buyer = order.buyer
        return {
            "order_sn": order.id,
            "region": "CN",
            "currency": "CNY",
            "cod": order.payment == "cod",
            "total_amount": order.total_fen / 100,
            "order_status": "PROCESSED"
            if order.status == "shipped" and self.shipments.get(order.id) and order.id not in self.picked_up
            else STATUS[order.status],
            "create_time": order.created,
            "update_time": order.updated,
            "pay_time": order.paid,
            "days_to_ship": 3,
            "ship_by_date": order.created + 3 * 86400,
            "message_to_seller": order.remark,
            "note": order.seller_remark,
            "buyer_user_id": int(buyer.buyer_id[5:]),
            "buyer_username": f"sp_{buyer.buyer_id}",
            "estimated_shipping_fee": order.freight_fen / 100,
            "recipient_address": {
                "name": mask_name(buyer.name),
                "phone": "******" + buyer.phone[-2:],
                "full_address": mask_detail(buyer.detail),
                "town": buyer.street,
                "district": buyer.district,
                "city": buyer.city,
                "state": buyer.province,
                "region": "CN",
                "zipcode": buyer.zip,
            },
            "item_list": [
                {
                    "item_id": int(line.sku_id[:10]),
                    "item_name": line.name,
                    "item_sku": line.code,
                    "model_id": int(line.sku_id),
                    "model_name": "标准",
                    "model_sku": line.code,
                    "model_quantity_purchased": line.qty,
                    "model_original_price": line.price_fen / 100,
                    "model_discounted_price": (line.price_fen * line.qty - line.discount_fen)
                    / line.qty
                    / 100,
                    "promotion_type": "add_on_free_gift_sub" if line.gift else "",
                }
                for line in order.lines
            ],
            "package_list": [
                {
                    "package_number": f"OFG{order.id}",
                    "tracking_number": self.parcels(order)[0][0] if self.parcels(order) else "",
                }
            ],
            "shipping_carrier": "SF Express",
            "payment_method": {"cod": "Cash on Delivery", "credit": "SPayLater"}.get(
                order.payment, "Online Payment"
            ),
        }

    def check(self, request):
        query, creds = request.query, self.credentials
        if str(query.get("partner_id")) != creds["app_key"]:
            return Answer(403, envelope(error="error_param", message="Invalid partner_id."))
        try:
            stamp = int(query.get("timestamp", "0"))
        except ValueError:
            stamp = 0
        if abs(time.time() - stamp) > 300:
            return Answer(403, envelope(error="error_param", message="Invalid timestamp."))
        base = f"{creds['app_key']}{request.path}{stamp}"
        if request.path not in AUTH_PATHS:
            base += f"{query.get('access_token', '')}{query.get('shop_id', '')}"
        want = hmac.new(creds["app_secret"].encode(), base.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, str(query.get("sign", ""))):
            return Answer(403, envelope(error="error_sign", message="Wrong sign."))
        if request.path in AUTH_PATHS:
            return None
        if str(query.get("shop_id")) != creds["shop_id"]:
            return Answer(403, envelope(error="error_shop", message="Invalid shop_id."))
        if self.token_state(query.get("access_token")) != "ok":
            return Answer(403, envelope(error="error_auth", message="Invalid access_token."))
        return None

    def route(self, request):
        error = self.check(request)
        if error:
            return error
        handler = {
            "/api/v2/order/get_order_list": self.order_list,
            "/api/v2/order/get_order_detail": self.order_detail,
            "/api/v2/shop/get_shop_info": lambda r: Answer(
                200, {**envelope(), "shop_name": "汽配旗舰店", "region": "CN"}
            ),
            "/api/v2/auth/access_token/get": self.refresh,
            "/api/v2/logistics/ship_order": self.ship_order,
            "/api/v2/order/cancel_order": self.cancel_order,
            "/api/v2/logistics/update_tracking_status": self.update_tracking_status,
            "/api/v2/product/update_stock": self.update_stock,
        }.get(request.path)
        if handler is None:
            return Answer(404, envelope(error="error_not_found", message="Wrong path."))
        return handler(request)

    def order_list(self, request):
        query = request.query
        try:
            start, end = int(query["time_from"]), int(query["time_to"])
            size = int(query.get("page_size", 20))
            field = query["time_range_field"]
        except (KeyError, ValueError):
            return Answer(
                400,
                envelope(
                    error="error_param", message="time_range_field, time_from and time_to are required."
                ),
            )
        if end - start > 15 * 86400 or field not in ("create_time", "update_time"):
            return Answer(
                400, envelope(error="error_param", message="The time range should not exceed 15 days.")
            )
        if not 1 <= size <= 100:
            return Answer(
                400, envelope(error="error_param", message="page_size should be between 1 and 100.")
            )
        attr = "updated" if field == "update_time" else "created"
        with self.lock:
            chosen = sorted(
                (o for o in self.orders.values() if start <= getattr(o, attr) <= end),
                key=lambda o: (getattr(o, attr), o.id),
            )
        if query.get("cursor"):
            after = tuple(json.loads(b64json_decode(query["cursor"])))
            chosen = [o for o in chosen if (getattr(o, attr), o.id) > after]
        rows, more = chosen[:size], len(chosen) > size
        cursor = b64json_encode(json.dumps([getattr(rows[-1], attr), rows[-1].id])) if more else ""
        listed = [{"order_sn": o.id, "order_status": STATUS[o.status]} for o in rows]
        return Answer(200, envelope({"more": more, "next_cursor": cursor, "order_list": listed}))

    def order_detail(self, request):
        sns = [sn for sn in str(request.query.get("order_sn_list", "")).split(",") if sn]
        if not 1 <= len(sns) <= 50:
            return Answer(
                400, envelope(error="error_param", message="order_sn_list should have 1 to 50 items.")
            )
        found = [self.render(self.orders[sn]) for sn in sns if sn in self.orders]
        return Answer(200, envelope({"order_list": found}))

    def ship_order(self, request):
        """A non-integrated channel: the seller's carrier, only the tracking number is taken."""
        if request.method != "POST":
            return Answer(405, envelope(error="error_method", message="Use POST."))
        body = request.json() or {}
        order = self.orders.get(str(body.get("order_sn")))
        if order and body.get("package_number") not in (None, f"OFG{order.id}"):
            return Answer(400, envelope(error="error_param", message="Wrong package_number."))
        tracking = str((body.get("non_integrated") or {}).get("tracking_number") or "")
        if not tracking:
            return Answer(400, envelope(error="error_param", message="tracking_number is required."))
        refused = self.ship(str(body.get("order_sn")), tracking, "", api="ship_order")
        if refused:
            error_code, message = SHIP_REFUSALS[refused]
            return Answer(400, envelope(error=error_code, message=message))
        return self.late(Answer(200, envelope()))

    @property
    def picked_up(self):
        """Orders whose seller said the carrier picked the parcel up (SHIPPED)."""
        return self.__dict__.setdefault("_picked_up", set())

    def update_tracking_status(self, request):
        """After ship_order: the seller's carrier took the parcel (logistics_pickup_done)
        under this tracking number; the order becomes SHIPPED."""
        body = request.json() or {}
        order = self.orders.get(str(body.get("order_sn")))
        if order is None:
            return Answer(400, envelope(error="error_not_found", message="Order not found."))
        if body.get("logistics_status") != "logistics_pickup_done":
            return Answer(400, envelope(error="error_param", message="Invalid logistics_status."))
        parcels = self.parcels(order)
        if not self.shipments.get(order.id):
            return Answer(
                400, envelope(error="logistics.order_status_error", message="Arrange the shipment first.")
            )
        if str(body.get("tracking_number") or "") != parcels[0][0]:
            return Answer(
                400, envelope(error="error_param", message="The tracking number is not the package's.")
            )
        with self.lock:
            if order.id in self.picked_up:
                return Answer(
                    400,
                    envelope(
                        error="logistics.tracking_status_error", message="The status is already updated."
                    ),
                )
            self.picked_up.add(order.id)
            self.writes.append(
                ("update_tracking_status", {"order_id": order.id, "tracking": parcels[0][0], "company": ""})
            )
        return self.late(Answer(200, envelope()))

    def cancel_order(self, request):
        body = request.json() or {}
        if body.get("cancel_reason") not in (
            "OUT_OF_STOCK",
            "CUSTOMER_REQUEST",
            "UNDELIVERABLE_AREA",
            "COD_NOT_SUPPORTED",
        ):
            return Answer(400, envelope(error="error_param", message="Invalid cancel_reason."))
        refused = self.cancel(str(body.get("order_sn")), api="cancel_order")
        if refused == "not_found":
            return Answer(400, envelope(error="error_not_found", message="Order not found."))
        if refused:
            return Answer(
                400,
                envelope(error="error_order_status", message="The order cannot be cancelled in its status."),
            )
        return self.late(Answer(200, envelope({"update_time": self.orders[str(body["order_sn"])].updated})))

    def update_stock(self, request):
        """The stock of an item's models (model 0: an item without models); 429 when too fast."""
        if self.stock_too_fast():
            return Answer(
                429, envelope(error="error_rate_limit", message="Too many requests."), {"Retry-After": "1"}
            )
        body = request.json() or {}
        item = str(body.get("item_id") or "")
        models = body.get("stock_list") or []
        if not item or not models or len(models) > 50:
            return Answer(
                400, envelope(error="error_param", message="item_id and 1 to 50 stock_list entries.")
            )
        done, failed = {}, []
        for model in models:
            stock = ((model.get("seller_stock") or [{}])[0]).get("stock")
            model_id = int(model.get("model_id") or 0)
            if item.startswith("9999") or not isinstance(stock, int) or stock < 0:
                failed.append({"model_id": model_id, "failed_reason": "Item or stock invalid."})
                continue
            done[f"{item}:{model_id}" if model_id else item] = stock
        if done:
            self.set_stock("product/update_stock", done)
        success = [{"model_id": int(k.partition(":")[2] or 0), "stock": v} for k, v in done.items()]
        return Answer(200, envelope({"success_list": success, "failure_list": failed}))

    def refresh(self, request):
        try:
            body = request.json() or {}
        except ValueError:
            body = {}
        creds = self.credentials
        if (
            body.get("refresh_token") != creds["refresh_token"]
            or str(body.get("shop_id")) != creds["shop_id"]
        ):
            return Answer(403, envelope(error="error_auth", message="Invalid refresh_token."))
        token = self.issue_token(f"sp-token-{secrets.token_hex(8)}")
        creds.update(access_token=token, refresh_token=f"sp-refresh-{secrets.token_hex(8)}")
        return Answer(
            200,
            {
                **envelope(),
                "access_token": token,
                "refresh_token": creds["refresh_token"],
                "expire_in": int(self.behaviour["token_ttl"]),
                "partner_id": num(creds["app_key"]),
                "shop_id": num(creds["shop_id"]),
            },
        )

    def webhook(self, order_id, topic=None, url="", timestamp=None):
        order = self.orders[order_id]
        push = {
            "shop_id": num(self.credentials["shop_id"]),
            "code": int(topic or 3),
            "timestamp": int(timestamp or time.time()),
            "data": {"ordersn": order.id, "status": STATUS[order.status], "update_time": order.updated},
        }
        body = json.dumps(push).encode()
        sign = hmac.new(
            self.credentials["app_secret"].encode(), url.encode() + b"|" + body, hashlib.sha256
        ).hexdigest()
        return {"Content-Type": "application/json", "Authorization": sign}, body, url
