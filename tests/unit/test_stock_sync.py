"""Stock sync in plain Python: the published figure (ratio × free − buffer,
rounded down, never negative), the cutting into platform calls, and the
publication against the sandboxes, which check signatures, record each
update and refuse updates faster than the platform's limit."""

import time

import pytest
from channel_helpers import PLATFORMS, client_for
from connectors.stock_sync import STOCK_APIS, StockItem, available, estimate_seconds, plan, publish


@pytest.mark.parametrize(
    ("free", "ratio", "buffer", "expected"),
    [
        (10, 1.0, 0, 10),
        (10, 0.7, 0, 7),  # exact decimals: not 6.999...
        (10, 0.5, 2, 3),
        (10.9, 1.0, 0, 10),  # rounded down
        (3, 1.0, 5, 0),  # never negative
        (-4, 1.0, 0, 0),  # oversold: nothing to sell, not a negative figure
        (0, 2.0, 0, 0),
        (7, 1.5, 1, 9),  # 10.5 - 1 = 9.5 -> 9
        (100, 0.33, 0, 33),
    ],
)
def test_available(free, ratio, buffer, expected):
    assert available(free, ratio, buffer) == expected


def _items(codes, quantity=5):
    return [StockItem(code, quantity, key=f"k-{code}") for code in codes]


def test_plan_cuts_into_platform_calls():
    items = _items([str(n) for n in range(600)])
    assert [len(batch) for batch in plan("shopify", items)] == [250, 250, 100]
    assert len(plan("douyin", items)) == 600
    shopee = _items([f"100:{m}" for m in range(60)] + ["200:1", "300"])
    assert [len(batch) for batch in plan("shopee", shopee)] == [50, 10, 1, 1]
    assert all(len({i.code.split(":")[0] for i in batch}) == 1 for batch in plan("shopee", shopee))


def test_estimate_seconds_follows_the_rate():
    assert estimate_seconds("shopify", 40) == 0  # the burst
    assert estimate_seconds("shopify", 240) == 100
    assert estimate_seconds("douyin", 1001, rate=100, burst=1) == 10


def _codes(platform, count):
    if platform == "shopee":
        return [f"100{n // 3}:{n % 3 + 1}" for n in range(count)]
    if platform == "wechat_shop":
        return [f"P{n}:S{n}" for n in range(count)]
    return [f"{7000 + n}" for n in range(count)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_publish_sets_the_platform_stock(make_sandbox, platform):
    box = make_sandbox(platform)
    items = [StockItem(code, n, key=f"k{n}") for n, code in enumerate(_codes(platform, 6))]
    outcome = publish(client_for(box, rate_limit=50), items)
    assert outcome.error is None and not outcome.failed and not outcome.pending
    assert [i.code for i in outcome.sent] == [i.code for i in items]
    assert box.stock == {i.code: i.quantity for i in items}
    assert outcome.calls == len(box.stock_calls) == len(plan(platform, items))
    assert box.stock_refused == 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_refused_item_fails_alone(make_sandbox, platform):
    box = make_sandbox(platform)
    bad = "99990:1" if platform == "shopee" else "UNKNOWN-1"
    good = _codes(platform, 2) if platform != "shopee" else ["1001:1", "1002:1"]
    outcome = publish(client_for(box), _items([good[0], bad, good[1]]))
    assert set(outcome.failed) == {bad}
    assert outcome.failed[bad]
    assert {i.code for i in outcome.sent} == set(good)
    assert set(box.stock) == set(good)


def test_a_bad_signature_is_refused(make_sandbox):
    box = make_sandbox("douyin")
    client = client_for(box, app_secret="wrong-secret")
    outcome = publish(client, _items(["7001"]))
    assert outcome.error is not None and outcome.pending and not box.stock


@pytest.mark.parametrize("platform", ["douyin", "jd", "shopee", "shopify"])
def test_unpaced_client_is_refused_then_waits(make_sandbox, platform):
    """A client that sends faster than the platform allows gets the platform's
    refusal (429 or its own code) and sends the same call again after the wait:
    every item arrives once."""
    box = make_sandbox(platform)
    box.behave(stock_max_rps=20, stock_burst=2)
    client = client_for(box, extra={"busy_retry_after": 0.2})
    items = [StockItem(code, 3) for code in _codes(platform, 750 if platform == "shopify" else 12)]
    outcome = publish(client, items)
    assert box.stock_refused > 0
    assert outcome.waited > 0
    assert not outcome.pending and not outcome.failed
    assert box.stock == {i.code: 3 for i in items}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_paced_client_stays_under_the_limit(make_sandbox, platform):
    box = make_sandbox(platform)
    rate = 40
    box.behave(stock_max_rps=rate, stock_burst=2)
    client = client_for(box, rate_limit=rate)
    items = [StockItem(code, 1) for code in _codes(platform, 30)]
    started = time.monotonic()
    outcome = publish(client, items)
    assert box.stock_refused == 0
    assert not outcome.pending and len(outcome.sent) == 30
    calls = len(plan(platform, items))
    assert time.monotonic() - started >= (calls - 2) / rate * 0.9


def test_a_long_wait_stops_and_leaves_the_rest_pending(make_sandbox):
    box = make_sandbox("wechat_shop")  # 45011: the minute quota, retry after 60 s
    box.behave(stock_max_rps=1, stock_burst=2)
    outcome = publish(client_for(box), _items([f"P{n}:S{n}" for n in range(5)]))
    assert len(outcome.sent) == 2
    assert [i.code for i in outcome.pending] == ["P2:S2", "P3:S3", "P4:S4"]
    assert outcome.error is not None and outcome.error.retryable


def test_server_errors_stop_with_the_rest_pending(make_sandbox):
    box = make_sandbox("jd")
    box.behave(server_errors=1)
    outcome = publish(client_for(box), _items(["7001", "7002"]))
    assert len(outcome.pending) == 2 and outcome.error.retryable and not box.stock


def test_every_platform_has_a_stock_api():
    assert set(STOCK_APIS) == set(PLATFORMS)
