"""Paging and window limits: every order of the range arrives, exactly once per pass,
with watermarks that never go back and end at the end of the range."""

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from channel_helpers import END, NOW, PLATFORMS, START, client_for, pull_all


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_page_is_pulled_once(make_sandbox, platform):
    box = make_sandbox(platform, orders=47, seed=11)
    client = client_for(box)
    pages = list(client.iter_order_pages(START, END, page_size=10))
    ids = [client.external_id(raw) for page in pages for raw in page.orders]
    assert sorted(ids) == sorted(box.orders)
    assert len(pages) >= 5
    marks = [page.watermark for page in pages]
    assert marks == sorted(marks) and marks[-1] == END
    assert all(page.next_cursor for page in pages[:-1]) and pages[-1].next_cursor is None
    for raw in (page.orders[0] for page in pages if page.orders):
        assert client.normalise(raw).external_id == client.external_id(raw)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_orders_outside_the_range_are_not_pulled(make_sandbox, platform):
    box = make_sandbox(platform, orders=30, seed=5)
    client = client_for(box)
    middle = NOW - timedelta(days=1)
    early = pull_all(client, START, middle)
    late = pull_all(client, middle, END)
    assert early and late
    assert set(early) | set(late) == set(box.orders)


def test_douyin_seeks_by_update_time_from_page_zero(make_sandbox):
    box = make_sandbox("douyin", orders=25)
    assert len(pull_all(client_for(box), page_size=10)) == 25
    bodies = [json.loads(r.body) for r in box.requests]
    assert [r.path for r in box.requests] == ["/order/searchList"] * 3
    assert [b["page"] for b in bodies] == [0, 0, 0]  # 0-based pages; each page seeks forward
    starts = [b["update_time_start"] for b in bodies]
    assert starts[0] < starts[1] < starts[2]
    assert all(b["order_by"] == "update_time" and b["order_asc"] for b in bodies)


@pytest.mark.parametrize(("platform", "first_page"), [("douyin", 0), ("jd", 1)])
def test_a_second_shared_by_more_than_a_page_walks_the_page_numbers(make_sandbox, platform, first_page):
    box = make_sandbox(platform, orders=30)
    same_second = int(NOW.timestamp()) - 3600
    for order_id in sorted(box.orders)[:12]:
        box.update_order(order_id, remark="同一秒更新", at=same_second)
        box.orders[order_id].updated = same_second
    assert sorted(pull_all(client_for(box), page_size=5)) == sorted(box.orders)
    pages = [page_of(platform, r) for r in box.requests]
    assert first_page + 2 in pages  # 12 orders in one second: pages 0, 1, 2 of that second


def page_of(platform, request):
    if platform == "douyin":
        return json.loads(request.body)["page"]
    return int(json.loads(parse_qs(request.body)["360buy_param_json"][0])["page"])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_orders_updated_while_paging_are_not_skipped(make_sandbox, platform):
    """Offset paging over a list that changes skips orders; the clients must not."""
    box = make_sandbox(platform, orders=40, seed=8)
    client = client_for(box)
    seen, changed = set(), False
    for page in client.iter_order_pages(START, END, page_size=5):
        ids = [client.external_id(raw) for raw in page.orders]
        seen.update(ids)
        if not changed and ids:
            changed = True
            for order_id in ids[:3]:  # these move to the end of the list...
                box.update_order(order_id, remark="买家修改了备注")
    assert seen == set(box.orders)  # ...and nothing behind them was skipped


def test_jd_scrolls_time_windows(make_sandbox):
    box = make_sandbox("jd", orders=40)
    client = client_for(box, extra={"window_hours": 12})
    assert len(pull_all(client, page_size=5)) == 40
    # 3 days + 5 min in 12 h windows: 7 windows, each asked from page 1
    searches = [parse_qs(r.body) for r in box.requests]
    business = [json.loads(form["360buy_param_json"][0]) for form in searches]
    assert len({b["end_date"] for b in business}) == 7
    assert all(b["dateType"] == "0" and b["sortType"] == "0" and b["page"] == "1" for b in business)


def test_jd_refuses_windows_longer_than_a_month(make_sandbox):
    box = make_sandbox("jd", orders=1)
    client = client_for(box, extra={"window_hours": 24 * 40})  # clamped by the client to 30 days
    assert len(pull_all(client, NOW - timedelta(days=70), END)) == 1


def test_wechat_uses_seven_day_windows_and_next_key(make_sandbox):
    box = make_sandbox("wechat_shop", orders=30, spread=20 * 86400)
    client = client_for(box)
    found = pull_all(client, NOW - timedelta(days=21), END, page_size=8)
    assert sorted(found) == sorted(box.orders)
    lists = [r for r in box.requests if r.path.endswith("/list/get")]
    details = [r for r in box.requests if r.path.endswith("/order/get")]
    assert len(details) == 30  # one detail call per id
    assert len(lists) >= 4  # 21 days need at least 3 windows, 30 orders several pages


def test_shopify_follows_the_link_header(make_sandbox):
    box = make_sandbox("shopify", orders=23)
    client = client_for(box)
    pages = list(client.iter_order_pages(START, END, page_size=10))
    assert [len(p.orders) for p in pages] == [10, 10, 3]
    assert all(r.status == 200 for r in box.requests)  # the sandbox refuses page_info mixed with filters


def test_shopee_windows_cursor_and_detail_batches_of_50(make_sandbox):
    box = make_sandbox("shopee", orders=120, spread=40 * 86400)
    client = client_for(box)
    found = pull_all(client, NOW - timedelta(days=41), END, page_size=100)
    assert sorted(found) == sorted(box.orders)
    lists = [r for r in box.requests if r.path.endswith("get_order_list")]
    details = [r for r in box.requests if r.path.endswith("get_order_detail")]
    assert len(lists) >= 3  # 41 days need three 15-day windows
    assert len(details) >= 3  # never more than 50 order_sn per call (the sandbox refuses more)
    assert all(r.status == 200 for r in box.requests)


def test_an_order_updated_on_the_platform_comes_again_with_its_change(make_sandbox):
    box = make_sandbox("douyin", orders=10)
    client = client_for(box)
    first = pull_all(client)
    order_id = sorted(first)[0]
    box.update_order(order_id, status="cancelled", address="新地址：文一西路969号")
    since = NOW + timedelta(seconds=-1)
    later = pull_all(client, since, END + timedelta(minutes=1))
    assert order_id in later
    canonical = client.normalise(later[order_id])
    assert canonical.status == "cancelled"
    assert (
        canonical.receiver.encrypted["detail"]
        != client.normalise(first[order_id]).receiver.encrypted["detail"]
    )


def test_bad_page_size_and_naive_datetimes_are_refused(make_sandbox):
    box = make_sandbox("douyin")
    client = client_for(box)
    with pytest.raises(ValueError):
        list(client.iter_order_pages(START, END, page_size=101))
    with pytest.raises(ValueError):
        list(client.iter_order_pages(START.replace(tzinfo=None), END))
    assert list(client.iter_order_pages(END, START)) == []
    assert not box.requests


def test_sandbox_control_endpoint(make_sandbox):
    import requests

    box = make_sandbox("jd", orders=2)
    assert requests.post(f"{box.url}/_sandbox/behave", json={"server_errors": 1}, timeout=2).ok
    assert box.behaviour["server_errors"] == 1
    ids = requests.post(f"{box.url}/_sandbox/orders", json={"count": 3}, timeout=2).json()["ids"]
    assert len(box.orders) == 5 and set(ids) <= set(box.orders)
    updated = requests.post(
        f"{box.url}/_sandbox/update", json={"id": ids[0], "status": "cancelled"}, timeout=2
    )
    assert updated.json()["orderState"] == "TRADE_CANCELED"
    creds = requests.get(f"{box.url}/_sandbox/credentials", timeout=2).json()
    assert creds["base_url"] == box.url and creds["app_secret"] == box.credentials["app_secret"]
    assert requests.get(f"{box.url}/_sandbox/requests", timeout=2).json() == []


def test_cursor_pages_restarts_the_cursor_in_each_window():
    from connectors.base import cursor_pages

    start = NOW.replace(microsecond=0)
    end = start + timedelta(days=2, hours=12)
    asked = []

    def fetch(window_start, query_end, cursor):
        asked.append((window_start, query_end, cursor))
        page = int(cursor or 0) + 1
        return [f"{window_start:%d}-{page}"], str(page), page == 2  # two pages a window

    pages = list(cursor_pages(fetch, start, end, timedelta(days=1)))
    day = timedelta(days=1)
    second = timedelta(seconds=1)
    assert asked == [
        (start, start + day - second, ""),
        (start, start + day - second, "1"),
        (start + day, start + 2 * day - second, ""),
        (start + day, start + 2 * day - second, "1"),
        (start + 2 * day, end, ""),
        (start + 2 * day, end, "1"),
    ]
    assert [page.orders[0][-1] for page in pages] == ["1", "2"] * 3
    # inside a window the watermark stays at its start; the window's last page covers it
    assert [page.watermark for page in pages] == [start, start + day, start + day, start + 2 * day] + [
        start + 2 * day,
        end,
    ]
    assert [page.next_cursor for page in pages] == [
        "1",
        f"window:{(start + day).isoformat()}",
        "1",
        f"window:{(start + 2 * day).isoformat()}",
        "1",
        None,
    ]
