"""Typed errors: 5xx, 429 + Retry-After, platform busy codes, malformed and truncated bodies,
slow answers; a retry loop recovers everything and honours Retry-After; the client-side rate
limit holds; messages never carry secrets."""

import threading
import time

import connectors
import pytest
from channel_helpers import END, PLATFORMS, START, client_for, pull_all
from connectors.http import RateLimiter, parse_retry_after


def secrets_of(box, client):
    values = [box.credentials.get(k) for k in ("app_secret", "access_token", "refresh_token")]
    values.append(client.config.access_token)
    return [v for v in values if v]


def assert_no_secret(error, box, client):
    for secret in secrets_of(box, client):
        assert secret not in str(error), "a secret leaked into an error message"
    assert "sign=" not in str(error) and "access_token=" not in str(error)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_server_errors_raise_transient_error(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    client = client_for(box)
    box.behave(server_errors=1, error_status=502)
    with pytest.raises(connectors.TransientError) as error:
        pull_all(client)
    assert error.value.retryable
    assert "502" in str(error.value)
    assert_no_secret(error.value, box, client)
    assert len(pull_all(client)) == 3  # the burst is over


@pytest.mark.parametrize("platform", PLATFORMS)
def test_429_raises_rate_limited_with_retry_after(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    client = client_for(box)
    box.behave(rate_limited=1, retry_after=0.4)
    with pytest.raises(connectors.RateLimited) as error:
        pull_all(client)
    assert error.value.retry_after == pytest.approx(0.4)
    sent = len(box.requests)
    # before Retry-After has passed the client refuses to send anything to that platform
    with pytest.raises(connectors.RateLimited) as again:
        pull_all(client)
    assert 0 < again.value.retry_after <= 0.4
    assert len(box.requests) == sent
    time.sleep(0.4)
    assert len(pull_all(client)) == 3


@pytest.mark.parametrize("platform", ["douyin", "jd", "wechat_shop", "shopee"])
def test_platform_busy_codes_raise_rate_limited(make_sandbox, platform):
    box = make_sandbox(platform, orders=2)
    client = client_for(box)
    box.behave(busy=1)
    with pytest.raises(connectors.RateLimited) as error:
        pull_all(client)
    assert error.value.retry_after > 0


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("misbehaviour", ["malformed", "truncated"])
def test_malformed_and_truncated_bodies_raise_bad_payload(make_sandbox, platform, misbehaviour):
    box = make_sandbox(platform, orders=2)
    client = client_for(box)
    if platform == "wechat_shop":
        client.refresh_access_token()  # make the list call the first answer that is broken
    box.behave(**{misbehaviour: 1})
    with pytest.raises(connectors.BadPayload) as error:
        pull_all(client)
    assert error.value.field == "body"
    assert not error.value.retryable
    assert_no_secret(error.value, box, client)


def test_slow_answers_time_out_as_transient(make_sandbox):
    box = make_sandbox("douyin", orders=1)
    client = client_for(box, timeout=(1, 0.2))
    box.behave(delay=1.0)
    started = time.monotonic()
    with pytest.raises(connectors.TransientError) as error:
        pull_all(client)
    assert time.monotonic() - started < 0.9
    assert "in time" in str(error.value)
    box.behave(delay=0)


def test_unreachable_platform_is_transient():
    config = connectors.ClientConfig("jd", base_url="http://127.0.0.1:9", app_key="k", app_secret="SeCrEt-42")
    config.timeout = (0.5, 0.5)
    with pytest.raises(connectors.TransientError) as error:
        connectors.get_client(config).get_order("1")
    assert "127.0.0.1:9" in str(error.value) and "SeCrEt-42" not in str(error.value)


def pull_with_retries(client, start=START, end=END, page_size=5, attempts=20):
    """What the ORM job does: on a retryable error wait (Retry-After) and pull again from
    the last stored watermark; stored orders are deduplicated by external id."""
    stored, watermark, waits = {}, start, []
    for _attempt in range(attempts):
        try:
            for page in client.iter_order_pages(watermark, end, page_size=page_size):
                for raw in page.orders:
                    stored[client.external_id(raw)] = raw
                watermark = page.watermark  # only after the page is stored
            return stored, waits
        except connectors.ConnectorError as error:
            if not error.retryable:
                raise
            wait = getattr(error, "retry_after", 0.05)
            waits.append(wait)
            time.sleep(wait)
    raise AssertionError("still failing after retries")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_retry_loop_loses_nothing_and_honours_retry_after(make_sandbox, platform):
    box = make_sandbox(platform, orders=24, seed=3)
    client = client_for(box)
    box.behave(rate_limited=2, retry_after=0.3, server_errors=2)
    stored, waits = pull_with_retries(client)
    assert sorted(stored) == sorted(box.orders)
    assert waits.count(0.3) == 2
    log = box.requests
    for index, entry in enumerate(log):
        if entry.status == 429 and index + 1 < len(log):
            assert log[index + 1].time - entry.time >= 0.3 - 0.01, "a request was sent before Retry-After"


def test_client_rate_limit_is_respected(make_sandbox):
    box = make_sandbox("shopify", orders=30)
    # the sandbox's leaky bucket answers 429 beyond 12/s (with some slack for network jitter)
    box.behave(max_rps=12, burst=3)
    client = client_for(box, rate_limit=10)
    started = time.monotonic()
    assert len(pull_all(client, page_size=3)) == 30
    assert time.monotonic() - started >= 0.85  # 10 requests at 10/s, one token at a time
    assert all(r.status == 200 for r in box.requests)
    span = box.requests[-1].time - box.requests[0].time
    assert (len(box.requests) - 1) / span <= 12


def test_without_the_client_limit_the_platform_limit_bites(make_sandbox):
    box = make_sandbox("shopify", orders=30)
    box.behave(max_rps=12, burst=3)
    with pytest.raises(connectors.RateLimited):
        pull_all(client_for(box, rate_limit=0), page_size=3)
    assert [r.status for r in box.requests][-1] == 429


def test_rate_limiter_is_thread_safe():
    limiter = RateLimiter(rate=50, burst=1)
    stamps, lock = [], threading.Lock()

    def work():
        for _ in range(5):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) == 20
    assert time.monotonic() - started >= 19 / 50 - 0.02
    stamps.sort()
    assert stamps[-1] - stamps[0] >= 18 / 50


def test_rate_limiter_burst_and_no_limit():
    assert RateLimiter(rate=0).acquire() == 0
    limiter = RateLimiter(rate=1, burst=3)
    assert [limiter.acquire() for _ in range(3)] == [0, 0, 0]


def test_parse_retry_after():
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after(None) == 1.0
    assert parse_retry_after("garbage") == 1.0
    assert 0 <= parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


@pytest.mark.parametrize("platform", ["douyin", "wechat_shop", "shopee"])
def test_debug_logs_carry_no_secret(make_sandbox, platform, caplog):
    box = make_sandbox(platform, orders=2)
    client = client_for(box)
    box.behave(server_errors=1)
    with caplog.at_level("DEBUG"):
        with pytest.raises(connectors.TransientError):
            pull_all(client)
        pull_all(client)
    assert "orders" in caplog.text or "/" in caplog.text  # something was logged
    for secret in secrets_of(box, client):
        assert secret not in caplog.text
    assert "sign=" not in caplog.text and "access_token=" not in caplog.text
