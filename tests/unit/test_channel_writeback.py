"""Write-back against the sandboxes: each platform gets one signed call per
parcel with the company code and tracking number, a call repeated after a
timeout does not ship twice, split shipments go as parcels, refusals carry
the platform's reason, cancellations go where the platform allows them."""

import pytest
from channel_helpers import PLATFORMS, client_for
from connectors import errors
from connectors.writeback import Parcel, PlatformRefused, cancel, ship

CODES = {"douyin": "shunfeng", "jd": "467", "shopify": "SF Express", "shopee": "", "wechat_shop": "SF"}
WRITE_APIS = {
    "douyin": "order.logisticsAdd",
    "jd": "jingdong.pop.order.shipment",
    "shopify": "fulfillments",
    "wechat_shop": "delivery/send",
}
WRITE_PATHS = {
    "douyin": "/order/logisticsAdd",
    "jd": "/routerjson",
    "shopify": "/fulfillments.json",
    "shopee": "/api/v2/logistics/ship_order",
    "wechat_shop": "/channels/ec/order/delivery/send",
}


def _writes(platform, order_id, tracking):
    """What the sandbox records for one parcel (Shopee: arrange, then the tracking update)."""
    params = {"order_id": order_id, "tracking": tracking, "company": CODES[platform]}
    if platform == "shopee":
        return [("ship_order", params), ("update_tracking_status", params)]
    return [(WRITE_APIS[platform], params)]


def _order(box):
    order_id = box.add_orders(1)[0]
    box.update_order(order_id, status="paid")
    return box.orders[order_id]


def _parcel(order, number, platform, lines=None, whole=True):
    lines = order.lines if lines is None else lines
    return Parcel(
        key=f"wb-{number}",
        tracking_number=number,
        company_code=CODES[platform],
        items=tuple((line.code, line.qty) for line in lines),
        whole_order=whole,
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ship_once_with_code_and_number(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    client = client_for(box)
    result = ship(client, order.id, _parcel(order, "SF1000000001", platform))
    assert result.sent
    assert box.writes == _writes(platform, order.id, "SF1000000001")
    assert box.shipments[order.id][0]["items"] == {line.line_id: line.qty for line in order.lines}
    assert order.status == "shipped"
    # the same parcel again: the platform already has it, nothing is sent
    before = len(box.api_requests(WRITE_PATHS[platform]))
    again = ship(client, order.id, _parcel(order, "SF1000000001", platform))
    assert not again.sent
    assert box.writes == _writes(platform, order.id, "SF1000000001")
    if platform != "jd":  # JD reads and writes through the same /routerjson
        assert len(box.api_requests(WRITE_PATHS[platform])) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_timeout_then_retry_ships_once(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    box.behave(late_writes=1, late_delay=2)
    with pytest.raises(errors.TransientError):
        ship(client_for(box, timeout=(1, 0.5)), order.id, _parcel(order, "ZT2000000001", platform))
    assert len(box.writes) == 1  # the platform did ship before our client gave up
    result = ship(client_for(box), order.id, _parcel(order, "ZT2000000001", platform))
    # Shopee: the arrangement had gone through, only the tracking update is sent
    assert result.sent == (platform == "shopee")
    assert box.writes == _writes(platform, order.id, "ZT2000000001")
    assert not ship(client_for(box), order.id, _parcel(order, "ZT2000000001", platform)).sent


@pytest.mark.parametrize("platform", ["douyin", "shopify", "wechat_shop"])
def test_split_shipment_two_parcels(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    first, rest = order.lines[:1], order.lines[1:]
    if not rest:  # one line: split its quantity
        line = order.lines[0]
        line.qty = max(line.qty, 2)
        first = [
            type(line)(line.code, line.name, 1, line.price_fen, sku_id=line.sku_id, line_id=line.line_id)
        ]
        rest = [
            type(line)(
                line.code, line.name, line.qty - 1, line.price_fen, sku_id=line.sku_id, line_id=line.line_id
            )
        ]
    client = client_for(box)
    assert ship(client, order.id, _parcel(order, "YT3000000001", platform, first, whole=False)).sent
    assert order.status == "paid"
    assert ship(client, order.id, _parcel(order, "YT3000000002", platform, rest, whole=False)).sent
    assert [p["tracking"] for p in box.shipments[order.id]] == ["YT3000000001", "YT3000000002"]
    assert order.status == "shipped"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cancelled_on_platform_is_refused_with_reason(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    box.update_order(order.id, status="cancelled")
    with pytest.raises(PlatformRefused, match="cancelled"):
        ship(client_for(box), order.id, _parcel(order, "SF4000000001", platform))
    assert box.writes == []


@pytest.mark.parametrize("platform", ["douyin", "jd", "wechat_shop"])
def test_unknown_company_code_is_refused_by_platform(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    parcel = Parcel(
        key="wb-x",
        tracking_number="SF5000000001",
        company_code="NOPE",
        items=tuple((x.code, x.qty) for x in order.lines),
        whole_order=True,
    )
    with pytest.raises(PlatformRefused) as caught:
        ship(client_for(box), order.id, parcel)
    assert box.writes == []
    assert str(caught.value)


def test_douyin_multi_pack_request_id_is_idempotent(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    parcel = _parcel(order, "SF6000000001", "douyin", whole=False)
    client = client_for(box)
    client._call_token(
        "order.logisticsAddMultiPack",
        {
            "order_id": order.id,
            "request_id": "same-key",
            "pack_list": [
                {
                    "shipped_order_info": [
                        {"shipped_order_id": f"{order.id}{line.line_id}", "shipped_num": line.qty}
                        for line in order.lines
                    ],
                    "company_code": "shunfeng",
                    "logistics_code": parcel.tracking_number,
                }
            ],
        },
    )
    # the same request_id again answers the same, ships nothing more
    client._call_token(
        "order.logisticsAddMultiPack",
        {"order_id": order.id, "request_id": "same-key", "pack_list": []},
    )
    assert len(box.writes) == 1


def test_douyin_bad_signature_is_refused(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    client = client_for(box)
    client.config.app_secret = "wrong"
    with pytest.raises(errors.AuthError, match="signature-invalid"):
        ship(client, order.id, _parcel(order, "SF7000000001", "douyin"))
    assert box.writes == []


@pytest.mark.parametrize("platform", ["shopify", "shopee"])
def test_cancel_before_shipment(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    result = cancel(client_for(box), order.id, "stock")
    assert result.sent and order.status == "cancelled"
    assert not cancel(client_for(box), order.id).sent
    assert len(box.writes) == 1


@pytest.mark.parametrize("platform", ["shopify", "shopee"])
def test_cancel_after_shipment_is_refused(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    ship(client_for(box), order.id, _parcel(order, "SF8000000001", platform))
    with pytest.raises(PlatformRefused):
        cancel(client_for(box), order.id)
    assert order.status == "shipped"


@pytest.mark.parametrize("platform", ["douyin", "jd", "wechat_shop"])
def test_cancel_not_offered_by_platform(make_sandbox, platform):
    box = make_sandbox(platform)
    order = _order(box)
    with pytest.raises(PlatformRefused, match="buyer"):
        cancel(client_for(box), order.id)
    assert box.requests == []
