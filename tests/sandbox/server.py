"""The sandbox HTTP server every platform shares.

Each platform subclass of ``PlatformSandbox`` implements ``route(request)``;
this module runs it on a ``ThreadingHTTPServer`` on localhost and adds what
every sandbox needs:

* misbehaviour on demand (``behave``): N answers 429 with ``Retry-After``,
  bursts of 5xx, an outage of N seconds (``outage``: 5xx and 429 in turn),
  platform "busy" codes, malformed or truncated JSON bodies, slow answers,
  a server-side request-rate limit, token expiry;
* a log of every API request (monotonic time, method, path, status) so tests
  can check that Retry-After and rate limits were honoured;
* a control API over HTTP under ``/_sandbox/`` (``GET requests``, ``GET
  credentials``, ``GET orders``, ``POST behave``, ``POST orders``, ``POST update``,
  ``POST reset``) for scripts and other processes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .generator import OrderGenerator

BEHAVIOUR_DEFAULTS = {
    "rate_limited": 0,  # next N API requests answer HTTP 429
    "retry_after": 1.0,  # ... with this Retry-After (seconds)
    "server_errors": 0,  # next N API requests answer error_status
    "error_status": 503,
    "busy": 0,  # next N answer the platform's own "busy / rate limited" code (HTTP 200)
    "malformed": 0,  # next N answer 200 with a body that is not JSON
    "truncated": 0,  # next N answer 200 with a body cut in half (connection closed)
    "delay": 0.0,  # every answer waits this long (slow platform)
    "max_rps": 0.0,  # server-side leaky bucket: faster requests get 429 (0 = none) ...
    "burst": 1,  # ... holding this many requests (Shopify REST: 40 at 2/s)
    "token_ttl": 7200,  # lifetime of tokens issued from now on
    "late_writes": 0,  # next N write-back calls are carried out, then answered only after ...
    "late_delay": 3.0,  # ... this many seconds (a client with a shorter timeout gives up)
    "stock_max_rps": None,  # stock updates: the platform's limit (None: the sandbox's ``stock_limit``) ...
    "stock_burst": None,  # ... and the updates it takes at once; faster ones get the platform's refusal
    "outage": 0.0,  # the next N seconds every API request fails: error_status, 429 (Retry-After) in turn
}


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict  # lower-case names
    body: bytes

    def json(self):
        return json.loads(self.body.decode() or "null")


@dataclass
class Answer:
    status: int = 200
    data: object = None
    headers: dict = field(default_factory=dict)
    raw: bytes | None = None


@dataclass(frozen=True)
class LoggedRequest:
    time: float  # time.monotonic()
    wall: float  # time.time()
    method: str
    path: str
    status: int
    query: dict = field(default_factory=dict)  # query string (and form fields)
    body: str = ""  # the request body, for checking business parameters


class PlatformSandbox:
    platform = ""
    busy_answer = Answer(200, {"code": "busy"})
    stock_limit = (100.0, 5)  # stock updates per second, and at once (see connectors/stock_sync.py)

    def __init__(self, orders=0, seed=0, now=None, spread=2 * 86400, credentials=None, token_ttl=None):
        self.lock = threading.RLock()
        self.generator = OrderGenerator(seed, self.new_id)
        self.orders = {}
        self.requests = []
        self.writes = []  # write-back calls the platform carried out: (api, params)
        self.shipments = {}  # order id -> [{"tracking", "company", "items": {line id: qty}}]
        self.write_answers = {}  # idempotency key (Douyin request_id) -> the answer given
        self.stock = {}  # platform SKU reference -> the stock last set
        self.stock_calls = []  # stock updates carried out: (api, {reference: quantity})
        self.stock_refused = 0  # stock updates refused as too fast
        self._stock_bucket = None
        self._stock_last = 0.0
        self.behaviour = dict(BEHAVIOUR_DEFAULTS)
        if token_ttl:
            self.behaviour["token_ttl"] = token_ttl
        self.tokens = {}  # access token -> expiry (Unix s)
        self.credentials = {**self.make_credentials(seed), **(credentials or {})}
        self.issue_token(self.credentials.get("access_token"))
        self._last_api_request = 0.0
        self._bucket = 1.0
        self._outage_until = 0.0  # time.monotonic() until which every API request fails
        self._outage_answers = 0
        self.server = None
        self.thread = None
        self.url = ""
        if orders:
            self.add_orders(orders, now=now, spread=spread)

    # ---- to implement per platform -------------------------------------------
    def make_credentials(self, seed):
        raise NotImplementedError

    def new_id(self, rnd, count):
        raise NotImplementedError

    def route(self, request: Request) -> Answer:
        raise NotImplementedError

    def render(self, order):
        """The order as the platform's detail API returns it."""
        raise NotImplementedError

    # ---- orders --------------------------------------------------------------
    def add_orders(self, count=1, now=None, spread=2 * 86400):
        with self.lock:
            new = self.generator.stream(count, now=now, spread=spread)
            for order in new:
                self.orders[order.id] = order
            return [order.id for order in new]

    def update_order(self, order_id, *, status=None, address=None, remark=None, tracking=None, at=None):
        """Change an order on the platform (cancellation, address change...); bumps its update time."""
        with self.lock:
            order = self.orders[order_id]
            stamp = int(at or time.time())
            if status:
                order.status = status
                order.history.append((status, stamp))
                if status in ("paid", "shipped", "completed") and not order.paid:
                    order.paid = stamp
            if address:
                order.buyer.detail = address
                order.history.append(("address_changed", stamp))
            if remark is not None:
                order.remark = remark
            if tracking:
                order.tracking = tracking
            order.updated = max(stamp, order.updated + 1)
            return self.render(order)

    def in_window(self, start, end):
        """Orders updated in [start, end] (Unix s), sorted by (update time, id)."""
        with self.lock:
            chosen = [o for o in self.orders.values() if start <= o.updated <= end]
        return sorted(chosen, key=lambda o: (o.updated, o.id))

    # ---- tokens --------------------------------------------------------------
    def issue_token(self, token):
        if token:
            self.tokens[token] = time.time() + float(self.behaviour["token_ttl"])
        return token

    def token_state(self, token):
        """'ok', 'expired' or 'unknown'."""
        expiry = self.tokens.get(token or "")
        if expiry is None:
            return "unknown"
        return "ok" if time.time() < expiry else "expired"

    def expire_tokens(self):
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0

    # ---- behaviour -----------------------------------------------------------
    def behave(self, **changes):
        unknown = set(changes) - set(BEHAVIOUR_DEFAULTS) - {"expire_token"}
        if unknown:
            raise ValueError(f"unknown sandbox behaviour {sorted(unknown)}")
        with self.lock:
            if changes.pop("expire_token", False):
                self.expire_tokens()
            if "outage" in changes:
                self._outage_until = time.monotonic() + max(0.0, float(changes["outage"]))
                self._outage_answers = 0
            self.behaviour.update(changes)

    def outage_left(self):
        """Seconds the outage asked with ``behave(outage=N)`` still lasts (0: none)."""
        with self.lock:
            return max(0.0, self._outage_until - time.monotonic())

    def reset(self):
        with self.lock:
            self.behaviour = dict(BEHAVIOUR_DEFAULTS)
            self._outage_until = 0.0
            self.requests.clear()
            self.writes.clear()
            self.stock_calls.clear()
            self.stock_refused = 0
            self._stock_bucket = None

    # ---- write-back state ------------------------------------------------------
    def remaining(self, order):
        """{line id: quantity not shipped yet} of an order."""
        left = {line.line_id: line.qty for line in order.lines}
        for parcel in self.shipments.get(order.id, []):
            for line_id, qty in parcel["items"].items():
                left[line_id] -= qty
        return left

    def parcels(self, order):
        """[(tracking number, company code)] of an order's parcels, first first."""
        shipped = self.shipments.get(order.id)
        if shipped:
            return [(p["tracking"], p["company"]) for p in shipped]
        return [(order.tracking, "")] if order.tracking else []

    def partially_shipped(self, order):
        return bool(self.shipments.get(order.id)) and order.status == "paid"

    def ship(self, order_id, tracking, company, items=None, api=""):
        """Ship ``items`` ({line id: qty}; None: all that is left) of an order in one
        parcel; None when done, else why the platform refuses: "not_found",
        "cancelled", "unpaid", "duplicate" (tracking number already on the order),
        "shipped" (nothing left), "too_many" (more than is left of a line)."""
        with self.lock:
            order = self.orders.get(str(order_id))
            if order is None:
                return "not_found"
            if order.status == "cancelled":
                return "cancelled"
            if order.status == "unpaid":
                return "unpaid"
            if any(tracking == number for number, _company in self.parcels(order)):
                return "duplicate"
            left = self.remaining(order)
            if order.status in ("shipped", "completed") or not any(left.values()):
                return "shipped"
            items = {k: v for k, v in (items or left).items() if v}
            if not items or any(qty > left.get(line_id, 0) for line_id, qty in items.items()):
                return "too_many"
            self.shipments.setdefault(order.id, []).append(
                {"tracking": tracking, "company": company, "items": dict(items)}
            )
            if not any(self.remaining(order).values()):
                order.status = "shipped"
            order.tracking = order.tracking or tracking
            order.history.append(
                ("shipped" if order.status == "shipped" else "partially_shipped", int(time.time()))
            )
            order.updated = max(int(time.time()), order.updated + 1)
            self.writes.append((api, {"order_id": order.id, "tracking": tracking, "company": company}))
            return None

    def cancel(self, order_id, api=""):
        """Cancel an order as its seller; None when done, else "not_found", "shipped"."""
        with self.lock:
            order = self.orders.get(str(order_id))
            if order is None:
                return "not_found"
            if order.status in ("shipped", "completed") or self.shipments.get(order.id):
                return "shipped"
            if order.status != "cancelled":
                order.status = "cancelled"
                order.history.append(("cancelled", int(time.time())))
                order.updated = max(int(time.time()), order.updated + 1)
                self.writes.append((api, {"order_id": order.id}))
            return None

    def stock_too_fast(self):
        """True (and counted) when this stock update comes faster than the platform's limit."""
        with self.lock:
            rate = self.behaviour["stock_max_rps"]
            burst = self.behaviour["stock_burst"]
            rate = float(self.stock_limit[0] if rate is None else rate)
            burst = float(self.stock_limit[1] if burst is None else burst)
            if not rate:
                return False
            now = time.monotonic()
            if self._stock_bucket is None:
                self._stock_bucket, self._stock_last = burst, now
            self._stock_bucket = min(burst, self._stock_bucket + (now - self._stock_last) * rate)
            self._stock_last = now
            if self._stock_bucket < 1:
                self.stock_refused += 1
                return True
            self._stock_bucket -= 1
            return False

    def set_stock(self, api, quantities):
        """Carry out a stock update ({reference: quantity})."""
        with self.lock:
            self.stock_calls.append((api, dict(quantities)))
            self.stock.update(quantities)

    def late(self, answer):
        """Mark a write-back answer to be sent late when ``behave(late_writes=N)`` asked for it."""
        with self.lock:
            if self._take("late_writes"):
                answer.headers["X-Sandbox-Late"] = "1"
        return answer

    def _take(self, key):
        if self.behaviour[key] > 0:
            self.behaviour[key] -= 1
            return True
        return False

    def misbehaviour(self):
        """The answer forced by ``behave`` for the next API request, if any."""
        with self.lock:
            now = time.monotonic()
            max_rps = float(self.behaviour["max_rps"])
            capacity = float(self.behaviour["burst"])
            self._bucket = min(capacity, self._bucket + (now - self._last_api_request) * max_rps)
            self._last_api_request = now
            too_fast = bool(max_rps) and self._bucket < 1
            if max_rps and not too_fast:
                self._bucket -= 1
            if now < self._outage_until:
                self._outage_answers += 1
                if self._outage_answers % 2:
                    return Answer(
                        self.behaviour["error_status"], raw=b"<html><body>Service Unavailable</body></html>"
                    )
                retry = self.behaviour["retry_after"]
                return Answer(429, {"errors": "Exceeded call limit."}, {"Retry-After": f"{retry:g}"})
            if self._take("rate_limited") or too_fast:
                retry = self.behaviour["retry_after"] if not too_fast else round(1.0 / max_rps, 3)
                return Answer(429, {"errors": "Exceeded call limit."}, {"Retry-After": f"{retry:g}"})
            if self._take("server_errors"):
                return Answer(
                    self.behaviour["error_status"], raw=b"<html><body>Service Unavailable</body></html>"
                )
            if self._take("busy"):
                return self.busy_answer
            return None

    # ---- serving -------------------------------------------------------------
    def handle(self, request):
        if request.path.startswith("/_sandbox/"):
            return self.control(request), False
        delay = float(self.behaviour["delay"])
        answer = self.misbehaviour()
        if answer is None:
            answer = self.route(request)
            with self.lock:
                if answer.status == 200 and self._take("malformed"):
                    answer = Answer(200, raw=b'{"code": 10000, "data": {"orders": [}')
                elif answer.status == 200 and self.behaviour["truncated"] > 0:
                    self.behaviour["truncated"] -= 1
                    answer.headers["X-Sandbox-Truncate"] = "1"
        with self.lock:
            self.requests.append(
                LoggedRequest(
                    time.monotonic(),
                    time.time(),
                    request.method,
                    request.path,
                    answer.status,
                    dict(request.query),
                    request.body[:4000].decode(errors="replace"),
                )
            )
        if answer.headers.pop("X-Sandbox-Late", None):
            delay = max(delay, float(self.behaviour["late_delay"]))
        if delay:
            time.sleep(delay)
        return answer, True

    def control(self, request):
        name = request.path[len("/_sandbox/") :]
        body = request.json() if request.body else {}
        if name == "requests":
            return Answer(200, [r.__dict__ for r in self.requests])
        if name == "credentials":
            return Answer(200, {**self.credentials, "base_url": self.url})
        if name == "orders" and request.method == "GET":
            return Answer(200, {oid: self.render(o) for oid, o in self.orders.items()})
        if name == "orders":
            return Answer(200, {"ids": self.add_orders(int(body.get("count", 1)))})
        if name == "update":
            order_id = body.pop("id")
            return Answer(200, self.update_order(order_id, **body))
        if name == "push":
            return self.push(body["id"], body["url"], body.get("topic"))
        if name == "behave":
            self.behave(**body)
            return Answer(200, {**self.behaviour, "outage_left": round(self.outage_left(), 3)})
        if name == "stock":
            return Answer(
                200, {"stock": self.stock, "calls": len(self.stock_calls), "refused": self.stock_refused}
            )
        if name == "reset":
            self.reset()
            return Answer(200, self.behaviour)
        return Answer(404, {"error": f"unknown control {name}"})

    def start(self, port=0, host="127.0.0.1"):
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

            def log_message(self, *args):  # keep test output clean
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = {
                    k: v[0] if len(v) == 1 else v
                    for k, v in parse_qs(parts.query, keep_blank_values=True).items()
                }
                request = Request(
                    self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body
                )
                try:
                    answer, _api = sandbox.handle(request)
                except Exception as error:  # a sandbox bug must show, not hang the client
                    answer = Answer(500, {"sandbox_error": repr(error)})
                self._write(answer)

            def _write(self, answer):
                raw = answer.raw
                if raw is None:
                    raw = json.dumps(answer.data, ensure_ascii=False).encode()
                truncate = answer.headers.pop("X-Sandbox-Truncate", None)
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if truncate:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(raw[: len(raw) // 2] if truncate else raw)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.platform}",
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def push(self, order_id, url, topic=None):
        """POST the signed push about ``order_id`` to ``url``; answers with the receiver's status."""
        import requests

        headers, body, target = self.webhook(order_id, topic=topic, url=url)
        try:
            response = requests.post(target, data=body, headers=headers, timeout=10)
        except requests.RequestException as error:
            return Answer(502, {"error": f"push failed: {type(error).__name__}"})
        return Answer(200, {"status": response.status_code, "body": response.text[:2000]})

    # ---- helpers for tests ---------------------------------------------------
    def api_requests(self, path_contains=""):
        with self.lock:
            return [r for r in self.requests if path_contains in r.path]

    def client_config(self):
        """Keyword arguments for ``connectors.ClientConfig`` pointing at this sandbox."""
        keys = ("app_key", "app_secret", "access_token", "refresh_token", "shop_id")
        return {
            "platform": self.platform,
            "base_url": self.url,
            **{key: self.credentials.get(key, "") for key in keys},
            "extra": dict(self.credentials.get("extra", {})),
        }
