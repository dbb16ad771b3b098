"""The sandboxes themselves: realistic, seedable order streams and the command line."""

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sandbox import SANDBOXES, start_sandbox
from sandbox.generator import PRODUCTS, OrderGenerator

ROOT = Path(__file__).resolve().parents[2]
DEMO_REFERENCES = {code for code, _name, _price in PRODUCTS}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_demo_references_match_the_demo_products():
    demo = (ROOT / "addons/order_hub/demo/product_demo.xml").read_text()
    assert DEMO_REFERENCES == set(re.findall(r'name="default_code">([A-Z]{3}-2026-\d\d)<', demo))


def test_generator_is_seedable_and_realistic():
    now = 1_795_311_000
    first = OrderGenerator(seed=42).stream(300, now=now)
    again = OrderGenerator(seed=42).stream(300, now=now)
    other = OrderGenerator(seed=43).stream(300, now=now)
    assert [(o.id, o.buyer.name, o.total_fen) for o in first] == [
        (o.id, o.buyer.name, o.total_fen) for o in again
    ]
    assert [o.buyer.name for o in first] != [o.buyer.name for o in other]
    assert all(CJK.search(o.buyer.name) and CJK.search(o.buyer.detail) for o in first)
    assert all(re.fullmatch(r"1[3-9]\d{9}", o.buyer.phone) for o in first)
    assert all(line.code in DEMO_REFERENCES for o in first for line in o.lines)
    assert all(o.created <= o.updated <= now for o in first)
    assert any(line.gift for o in first for line in o.lines)
    assert any(o.remark for o in first) and any(o.invoice for o in first)
    assert any(o.invoice and o.invoice["type"] == "special" for o in first)
    kinds = {kind for o in first for kind, _at in o.history}
    assert {"cancelled", "address_changed"} <= kinds
    assert all(o.total_fen == o.goods_fen - o.discount_fen + o.freight_fen >= 0 for o in first)


@pytest.mark.parametrize("platform", sorted(SANDBOXES))
def test_render_is_json_and_ids_are_unique(platform):
    box = SANDBOXES[platform](orders=50, seed=9)
    assert len(box.orders) == 50
    for order in box.orders.values():
        json.dumps(box.render(order), ensure_ascii=False)


def test_unknown_behaviour_is_refused():
    box = SANDBOXES["jd"]()
    with pytest.raises(ValueError):
        box.behave(explode=True)


def free_port_block(count):
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count < 65000 and all(_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free port block")


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_command_line_serves_every_platform(tmp_path):
    port = free_port_block(5)
    credentials = tmp_path / "sandboxes.json"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests/sandbox/run.py"),
            "--all",
            "--port",
            str(port),
            "--orders",
            "5",
            "--credentials",
            str(credentials),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not credentials.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        summary = json.loads(credentials.read_text())
        assert list(summary) == list(SANDBOXES)
        assert [summary[name]["base_url"] for name in SANDBOXES] == [
            f"http://127.0.0.1:{port + i}" for i in range(5)
        ]
        orders = requests.get(f"{summary['shopify']['base_url']}/_sandbox/orders", timeout=2).json()
        assert len(orders) == 5
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert process.returncode == 0


def test_start_sandbox_api():
    box = start_sandbox("douyin", orders=3, seed=5)
    try:
        assert box.url.startswith("http://127.0.0.1:")
        assert set(box.credentials) >= {"app_key", "app_secret", "access_token", "shop_id"}
        new = box.add_orders(2)
        assert len(box.orders) == 5 and set(new) <= set(box.orders)
        rendered = box.update_order(new[0], status="cancelled")
        assert rendered["order_status"] == 4
    finally:
        box.stop()


def test_trickle_of_new_orders_within_the_last_minute():
    # what `run.py --trickle` adds every minute (it crashed the demo sandboxes
    # when the spread was shorter than the two-minute minimum age)
    now = 1_795_311_000
    orders = OrderGenerator(seed=7).stream(5, now=now, spread=60)
    assert len(orders) == 5
    assert all(now - 60 <= order.created <= now - 30 for order in orders)
    box = start_sandbox("shopify", orders=1, seed=5)
    try:
        assert len(box.add_orders(2, spread=60)) == 2
    finally:
        box.stop()


@pytest.mark.parametrize("platform", sorted(SANDBOXES))
def test_demo_credentials_work_with_the_clients(make_sandbox, platform):
    """setup/run serves the sandboxes with the demo channels' credentials (``run.py --demo``)."""
    from channel_helpers import client_for, pull_all
    from sandbox import demo_credentials

    box = make_sandbox(platform, orders=4, credentials=demo_credentials(platform), token_ttl=30 * 86400)
    client = client_for(box)
    assert client.config.app_secret == f"sandbox-{platform}-secret"
    assert len(pull_all(client)) == 4
    if platform in ("douyin", "wechat_shop", "shopee"):
        box.behave(expire_token=True)
        assert len(pull_all(client)) == 4


def test_outage_switch_fails_every_request_for_its_seconds_then_recovers():
    """``POST /_sandbox/behave {"outage": N}`` (the chaos script's fault switch):
    for N seconds every API request answers 5xx and 429 with Retry-After in
    turn, the control API still answers, and then the platform is back."""
    with start_sandbox("shopify", orders=3, seed=5) as box:
        shop = f"{box.url}/admin/api/2024-10/shop.json"
        headers = {"X-Shopify-Access-Token": box.credentials["access_token"]}
        assert requests.get(shop, headers=headers, timeout=5).status_code == 200
        control = requests.post(
            f"{box.url}/_sandbox/behave", json={"outage": 1.0, "retry_after": 7}, timeout=5
        )
        assert control.ok and 0 < control.json()["outage_left"] <= 1.0
        started = time.monotonic()
        answers = [requests.get(shop, headers=headers, timeout=5) for _ in range(4)]
        assert time.monotonic() - started < 1.0, "the machine was too slow for this test's window"
        assert [a.status_code for a in answers] == [503, 429, 503, 429]
        assert {a.headers.get("Retry-After") for a in answers if a.status_code == 429} == {"7"}
        assert requests.get(f"{box.url}/_sandbox/credentials", timeout=5).ok
        time.sleep(max(0.0, 1.05 - (time.monotonic() - started)))
        assert box.outage_left() == 0
        assert requests.get(shop, headers=headers, timeout=5).status_code == 200
        statuses = [r.status for r in box.api_requests("/shop.json")]
        assert statuses == [200, 503, 429, 503, 429, 200]


def test_reset_ends_an_outage():
    with start_sandbox("jd", orders=1, seed=5) as box:
        box.behave(outage=60)
        assert box.outage_left() > 59
        box.reset()
        assert box.outage_left() == 0
