"""Shopify Admin REST sandbox: /admin/api/{version}/orders.json, orders/{id}.json, shop.json.

Checks ``X-Shopify-Access-Token`` (401 otherwise).  ``orders.json`` filters on
``updated_at_min/max`` (``status=any``), sorts by ``order`` and pages with an
opaque ``page_info`` in the ``Link`` header (keyset, as Shopify does); with
``page_info`` only ``limit`` and ``fields`` are accepted (400 otherwise).  Every
answer carries ``X-Shopify-Shop-Api-Call-Limit``.  Webhooks are signed with
``base64(HMAC-SHA256(client secret, raw body))``.
"""

import base64
import hashlib
import hmac
import json
import re
import uuid

from .common import b64json_decode, b64json_encode, iso, parse_iso, yuan
from .server import Answer, PlatformSandbox

# Shopify's province codes of the sandbox's places (ISO 3166-2:CN)
PROVINCE_CODES = {
    "浙江省": "ZJ",
    "上海市": "SH",
    "江苏省": "JS",
    "广东省": "GD",
    "北京市": "BJ",
    "四川省": "SC",
}
PROVINCE_CODES.update({"湖北省": "HB", "山东省": "SD"})
ORDERS_RE = re.compile(r"^/admin/api/(\d{4}-\d{2})/orders(?:/(\d+))?\.json$")
FULFILLMENT_ORDERS_RE = re.compile(r"^/admin/api/\d{4}-\d{2}/orders/(\d+)/fulfillment_orders\.json$")
FULFILLMENTS_RE = re.compile(r"^/admin/api/\d{4}-\d{2}/fulfillments\.json$")
CANCEL_RE = re.compile(r"^/admin/api/\d{4}-\d{2}/orders/(\d+)/cancel\.json$")
GRAPHQL_RE = re.compile(r"^/admin/api/\d{4}-\d{2}/graphql\.json$")
TOPICS = {
    "created": "orders/create",
    "paid": "orders/paid",
    "cancelled": "orders/cancelled",
    "updated": "orders/updated",
}


class ShopifySandbox(PlatformSandbox):
    platform = "shopify"
    stock_limit = (2.0, 40)  # the REST bucket: 40 calls, leaking 2 a second

    def make_credentials(self, seed):
        return {
            "app_key": f"shopify-client-{seed}",
            "app_secret": f"shpss_{seed:04d}9f8e7d6c5b4a39281706",
            "access_token": f"shpat_{seed:04d}" + "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "shop_id": "order-hub-auto-parts.myshopify.com",
        }

    def new_id(self, rnd, count):
        return str(5_000_000_000_000 + rnd.randint(0, 999_999_999_999))

    def render(self, order):
        buyer = order.buyer
        financial = {"unpaid": "pending", "cancelled": "refunded" if order.paid else "voided"}.get(
            order.status, "paid"
        )
        fulfillment = (
            "fulfilled"
            if order.status in ("shipped", "completed")
            else "partial"
            if self.partially_shipped(order)
            else None
        )
        numbers = self.__dict__.setdefault("_numbers", {})
        number = numbers.setdefault(order.id, 1001 + len(numbers))
        return {
            "id": int(order.id),
            "name": f"#{number}",
            "order_number": number,
            "created_at": iso(order.created),
            "updated_at": iso(order.updated),
            "processed_at": iso(order.paid or order.created),
            "cancelled_at": iso(order.updated) if order.status == "cancelled" else None,
            "cancel_reason": "customer" if order.status == "cancelled" else None,
            "closed_at": iso(order.updated) if order.status == "completed" else None,
            "financial_status": financial,
            "payment_gateway_names": [
                {"cod": "Cash on Delivery (COD)", "credit": "Klarna"}.get(order.payment, "shopify_payments")
            ],
            "fulfillment_status": fulfillment,
            "note": order.remark or None,
            "currency": "CNY",
            "total_price": yuan(order.total_fen),
            "subtotal_price": yuan(order.goods_fen - order.discount_fen),
            "total_tax": "0.00",
            "total_discounts": yuan(order.discount_fen),
            "customer": {"id": int(order.buyer.buyer_id[5:]) + 7_000_000_000_000},
            "shipping_address": {
                "name": buyer.name,
                "first_name": buyer.name[1:],
                "last_name": buyer.name[:1],
                "phone": buyer.phone,
                "address1": f"{buyer.district}{buyer.street}",
                "address2": buyer.detail,
                "city": buyer.city,
                "province": buyer.province,
                "province_code": PROVINCE_CODES.get(buyer.province, ""),
                "zip": buyer.zip,
                "country_code": "CN",
            },
            "line_items": [
                {
                    "id": self.line_item_id(order, line),
                    "variant_id": int(line.sku_id),
                    "product_id": int(line.sku_id[:9]),
                    "sku": line.code,
                    "title": line.name,
                    "quantity": line.qty,
                    "price": "0.00" if line.gift else yuan(line.price_fen),
                    "total_discount": "0.00" if line.gift else yuan(line.discount_fen),
                }
                for line in order.lines
            ],
            "shipping_lines": [{"title": "顺丰标快", "price": yuan(order.freight_fen)}]
            if order.freight_fen
            else [],
            "fulfillments": [
                {"tracking_number": number, "tracking_company": company or "SF Express", "status": "success"}
                for number, company in self.parcels(order)
            ],
        }

    def route(self, request):
        limit_header = {"X-Shopify-Shop-Api-Call-Limit": f"{min(40, len(self.requests) % 40 + 1)}/40"}
        if (
            request.headers.get("x-shopify-access-token") != self.credentials["access_token"]
            or self.token_state(request.headers.get("x-shopify-access-token")) != "ok"
        ):
            return Answer(
                401,
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            )
        if re.match(r"^/admin/api/\d{4}-\d{2}/shop\.json$", request.path):
            return Answer(
                200,
                {"shop": {"name": "杭州汽配旗舰店", "myshopify_domain": self.credentials["shop_id"]}},
                limit_header,
            )
        writeback = self.writeback(request)
        if writeback:
            return writeback
        if GRAPHQL_RE.match(request.path) and request.method == "POST":
            return self.graphql(request.json() or {})
        match = ORDERS_RE.match(request.path)
        if not match:
            return Answer(404, {"errors": "Not Found"})
        if match.group(2):
            order = self.orders.get(match.group(2))
            if order is None:
                return Answer(404, {"errors": "Not Found"})
            return Answer(200, {"order": self.render(order)}, limit_header)
        return self.list(request, match.group(1), limit_header)

    # ---- write-back ---------------------------------------------------------
    @staticmethod
    def line_item_id(order, line):
        return int(order.id[-8:]) * 10 + int(line.line_id)

    def fulfillment_order(self, order):
        """The order's one fulfillment order (one location), as Shopify shows it."""
        left = self.remaining(order)
        status = (
            "cancelled"
            if order.status == "cancelled"
            else "closed"
            if not any(left.values())
            else "in_progress"
            if self.partially_shipped(order)
            else "open"
        )
        return {
            "id": int(order.id[-9:]) + 8_000_000_000_000,
            "order_id": int(order.id),
            "status": status,
            "line_items": [
                {
                    "id": self.line_item_id(order, line) + 9_000_000_000,
                    "line_item_id": self.line_item_id(order, line),
                    "quantity": line.qty,
                    "fulfillable_quantity": left[line.line_id],
                }
                for line in order.lines
            ],
        }

    def writeback(self, request):
        match = FULFILLMENT_ORDERS_RE.match(request.path)
        if match and request.method == "GET":
            order = self.orders.get(match.group(1))
            if order is None:
                return Answer(404, {"errors": "Not Found"})
            return Answer(200, {"fulfillment_orders": [self.fulfillment_order(order)]})
        if FULFILLMENTS_RE.match(request.path) and request.method == "POST":
            return self.create_fulfillment(request.json() or {})
        match = CANCEL_RE.match(request.path)
        if match and request.method == "POST":
            refused = self.cancel(match.group(1), api="orders/cancel")
            if refused == "not_found":
                return Answer(404, {"errors": "Not Found"})
            if refused:
                return Answer(422, {"errors": "Cannot cancel an order that has fulfillments"})
            return self.late(Answer(200, {"order": self.render(self.orders[match.group(1)])}))
        return None

    def graphql(self, body):
        """``inventorySetQuantities`` only (the stock sync); 429 with Retry-After when too fast."""
        if self.stock_too_fast():
            return Answer(429, {"errors": "Exceeded call limit."}, {"Retry-After": "1"})
        if "inventorySetQuantities" not in str(body.get("query") or ""):
            return Answer(200, {"errors": [{"message": "This sandbox serves inventorySetQuantities only."}]})
        data = ((body.get("variables") or {}).get("input")) or {}
        quantities = data.get("quantities") or []
        if data.get("name") != "available" or not quantities or len(quantities) > 250:
            return Answer(200, {"errors": [{"message": "name must be available, 1 to 250 quantities."}]})
        done, user_errors = {}, []
        for index, entry in enumerate(quantities):
            item = str(entry.get("inventoryItemId") or "").rsplit("/", 1)[-1]
            quantity = entry.get("quantity")
            if not item or item.startswith("UNKNOWN") or not isinstance(quantity, int):
                user_errors.append(
                    {"field": ["input", "quantities", str(index), "inventoryItemId"], "message": "not found"}
                )
                continue
            done[item] = quantity
        if done:
            self.set_stock("inventorySetQuantities", done)
        group = {"reason": "correction"} if done else None
        return Answer(
            200,
            {
                "data": {
                    "inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": user_errors}
                }
            },
        )

    def create_fulfillment(self, body):
        fulfillment = body.get("fulfillment") or {}
        tracking = fulfillment.get("tracking_info") or {}
        groups = fulfillment.get("line_items_by_fulfillment_order") or []
        if not groups or not tracking.get("number"):
            return Answer(422, {"errors": ["line_items_by_fulfillment_order and tracking_info are required"]})
        with self.lock:
            by_fo = {}
            for order in self.orders.values():
                by_fo[int(order.id[-9:]) + 8_000_000_000_000] = order
            order = by_fo.get(int(groups[0].get("fulfillment_order_id") or 0))
            if order is None:
                return Answer(404, {"errors": "Not Found"})
            state = self.fulfillment_order(order)
            if state["status"] not in ("open", "in_progress"):
                return Answer(
                    422,
                    {
                        "errors": [
                            f"Fulfillment order {state['id']} has an unfulfillable status= {state['status']}."
                        ]
                    },
                )
            ids = {
                item["id"]: line.line_id for item, line in zip(state["line_items"], order.lines, strict=True)
            }
            items = {}
            for item in groups[0].get("fulfillment_order_line_items") or []:
                line_id = ids.get(int(item.get("id") or 0))
                if line_id is None:
                    return Answer(422, {"errors": ["Invalid fulfillment order line item id."]})
                items[line_id] = items.get(line_id, 0) + int(item.get("quantity") or 0)
            refused = self.ship(
                order.id,
                str(tracking["number"]),
                str(tracking.get("company") or ""),
                items,
                api="fulfillments",
            )
            if refused:
                return Answer(422, {"errors": [f"Cannot fulfill: {refused}"]})
            answer = {
                "fulfillment": {
                    "id": 6_000_000_000_000 + len(self.writes),
                    "order_id": int(order.id),
                    "status": "success",
                    "tracking_company": tracking.get("company"),
                    "tracking_number": tracking["number"],
                }
            }
        return self.late(Answer(201, answer))

    def list(self, request, version, headers):
        query = dict(request.query)
        limit = int(query.get("limit", 50))
        if not 1 <= limit <= 250:
            return Answer(400, {"errors": {"limit": ["must be between 1 and 250"]}})
        if "page_info" in query:
            extra = set(query) - {"page_info", "limit", "fields"}
            if extra:
                return Answer(400, {"errors": {"page_info": [f"cannot be combined with {sorted(extra)}"]}})
            state = json.loads(b64json_decode(query["page_info"]))
        else:
            if query.get("status", "open") not in ("any", "open", "closed", "cancelled"):
                return Answer(400, {"errors": {"status": ["is invalid"]}})
            state = {
                "min": parse_iso(query["updated_at_min"]) if query.get("updated_at_min") else 0,
                "max": parse_iso(query["updated_at_max"]) if query.get("updated_at_max") else 2**31,
                "status": query.get("status", "open"),
                "after": None,
            }
        chosen = self.in_window(state["min"], state["max"])
        if state["status"] == "open":
            chosen = [o for o in chosen if o.status not in ("completed", "cancelled")]
        if state["after"]:
            chosen = [o for o in chosen if (o.updated, o.id) > tuple(state["after"])]
        rows = chosen[:limit]
        if len(chosen) > limit:
            token = b64json_encode(json.dumps({**state, "after": [rows[-1].updated, rows[-1].id]}))
            base = f"{self.url}/admin/api/{version}/orders.json"
            headers = {**headers, "Link": f'<{base}?limit={limit}&page_info={token}>; rel="next"'}
        return Answer(200, {"orders": [self.render(o) for o in rows]}, headers)

    def webhook(self, order_id, topic=None, url=""):
        order = self.orders[order_id]
        topic = TOPICS.get(topic or "", topic) or (
            "orders/cancelled" if order.status == "cancelled" else "orders/updated"
        )
        body = json.dumps(self.render(order), ensure_ascii=False).encode()
        digest = hmac.new(self.credentials["app_secret"].encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": self.credentials["shop_id"],
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-API-Version": "2025-01",
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        }
        return headers, body, url
