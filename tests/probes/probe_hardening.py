"""Hardening probe of a running Order Hub (issue 10): every bad payload of an
``import_orders`` call fails alone, over XML-RPC and JSON-RPC (NaN and
Infinity as the clients send them), and an unknown webhook channel answers
exactly like a bad signature.

    cd tests && python -m probes.probe_hardening --url http://127.0.0.1:8069 \\
        --db order_hub_demo --login hub.integration --key API_KEY \\
        --channel jd-demo --platform jd --sku BRK-2026-01

Exits 1 and lists the failed checks when the server does not hold.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
import xmlrpc.client

import requests

TIMEOUT = 120


def canonical_order(external_id, platform, sku, **values):
    """A good canonical order (the README's JSON form)."""
    order = {
        "order_hub_format": "canonical",
        "platform": platform,
        "external_id": external_id,
        "status": "unpaid",
        "platform_status": "unpaid",
        "created_at": "2026-11-22T09:30:00+08:00",
        "updated_at": "2026-11-22T09:31:00+08:00",
        "receiver": {"name": "王伟", "phone": "13800138000", "city": "杭州市", "detail": "文三路 100 号"},
        "lines": [{"merchant_code": sku, "quantity": "1", "unit_price": "10.00"}],
    }
    order.update(values)
    return order


def bad_payloads(platform, sku, tag):
    """(label, payload) of each attack; every one must fail alone."""

    def with_line(ref, **line):
        order = canonical_order(ref, platform, sku)
        order["lines"][0].update(line)
        return order

    many = canonical_order(f"{tag}-LINES", platform, sku)
    many["lines"] = many["lines"] * 10000
    no_receiver = canonical_order(f"{tag}-RCV", platform, sku)
    no_receiver["receiver"] = {}
    return [
        ("NaN quantity", with_line(f"{tag}-NAN", quantity=float("nan"))),
        ("Infinity price", with_line(f"{tag}-INF", unit_price=float("inf"))),
        ("1e400 quantity", with_line(f"{tag}-E400", quantity=float("1e400"))),
        ("negative price", with_line(f"{tag}-NEG", unit_price="-1")),
        ("price 1e30", with_line(f"{tag}-HUGE", unit_price="1e30")),
        ("5,000-character order id", canonical_order("9" * 5000, platform, sku)),
        ("10,000 lines", many),
        ("5 MB remark", canonical_order(f"{tag}-REMARK", platform, sku, buyer_remark="x" * 5 * 1024 * 1024)),
        ("no receiver", no_receiver),
    ]


class Rpc:
    """``import_orders`` over XML-RPC or JSON-RPC with a login and an API key."""

    def __init__(self, url, db, login, key, protocol="xmlrpc"):
        self.url, self.db, self.key, self.protocol = url.rstrip("/"), db, key, protocol
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, key, {})
        if not self.uid:
            raise SystemExit(f"login {login!r} refused by {url}")

    def import_orders(self, channel, payloads):
        args = [self.db, self.uid, self.key, "order.hub.channel", "import_orders", [channel, payloads]]
        if self.protocol == "xmlrpc":
            proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
            return proxy.execute_kw(*args)
        # as a JSON client sends NaN and Infinity (json.dumps writes them bare)
        body = {"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": "execute_kw"}}
        body["params"]["args"] = args
        answer = requests.post(
            f"{self.url}/jsonrpc",
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT,
        ).json()
        if "error" in answer:
            raise RuntimeError(json.dumps(answer["error"])[:2000])
        return answer["result"]


def probe_import_orders(rpc, channel, platform, sku):
    """Failed checks (sentences) of one bad payload per call between two good orders."""
    failures = []
    tag = f"PROBE-{rpc.protocol}-{uuid.uuid4().hex[:8]}"
    for index, (label, bad) in enumerate(bad_payloads(platform, sku, tag)):
        good = [canonical_order(f"{tag}-{index}-GOOD-{side}", platform, sku) for side in (1, 2)]
        try:
            results = rpc.import_orders(channel, [good[0], bad, good[1]])
        except (xmlrpc.client.Fault, RuntimeError) as error:
            failures.append(f"{rpc.protocol} {label}: the whole call failed: {str(error)[:300]}")
            continue
        outcome = [result["result"] for result in results]
        if outcome != ["created", "failed", "created"]:
            failures.append(f"{rpc.protocol} {label}: answered {outcome}, not created/failed/created")
        reason = results[1]["reason"] if len(results) == 3 else ""
        if not reason or "Traceback" in reason or len(reason) > 500:
            failures.append(f"{rpc.protocol} {label}: the reason is not one sentence: {reason[:300]!r}")
    return failures


def probe_webhook(url, known_code):
    """An unknown channel must answer exactly like a known one with a bad signature."""
    base = url.rstrip("/")
    body = json.dumps({"id": 1}).encode()
    headers = {"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": "forged"}
    known = requests.post(f"{base}/order_hub/webhook/{known_code}", data=body, headers=headers, timeout=30)
    unknown = requests.post(
        f"{base}/order_hub/webhook/probe-{uuid.uuid4().hex[:8]}", data=body, headers=headers, timeout=30
    )
    seen = [
        (answer.status_code, answer.text, answer.headers.get("Content-Type")) for answer in (known, unknown)
    ]
    if seen[0] != seen[1]:
        return [f"webhook: a bad signature answers {seen[0]}, an unknown channel {seen[1]}"]
    if seen[0][0] != 401:
        return [f"webhook: a bad signature answers {seen[0][0]}, not 401"]
    return []


def run(url, db, login, key, channel, platform, sku):
    failures = probe_webhook(url, channel)
    for protocol in ("xmlrpc", "jsonrpc"):
        failures += probe_import_orders(Rpc(url, db, login, key, protocol), channel, platform, sku)
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--key", required=True, help="API key (or password) of the login")
    parser.add_argument("--channel", required=True, help="channel code")
    parser.add_argument("--platform", required=True, help="the channel's platform")
    parser.add_argument("--sku", required=True, help="an internal reference the channel can sell")
    args = parser.parse_args(argv)
    failures = run(args.url, args.db, args.login, args.key, args.channel, args.platform, args.sku)
    for failure in failures:
        print("FAIL", failure)
    print("hardening probe:", "failed" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
