"""SF Express and ZTO clients against their localhost sandboxes."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import carriers  # noqa: E402
from carriers import errors  # noqa: E402
from carriers.sf import EXPRESS_NEXT_MORNING, SfClient, java_urlencode, sf_msg_digest  # noqa: E402
from carriers.zto import ZtoClient, zto_data_digest  # noqa: E402
from sandbox.carrier_sf import SfSandbox  # noqa: E402
from sandbox.carrier_zto import ZtoSandbox  # noqa: E402

SENDER = {
    "contact": "杭州仓",
    "mobile": "13800000000",
    "province": "浙江省",
    "city": "杭州市",
    "address": "文三路 1 号",
}
RECEIVER = {
    "contact": "张三",
    "mobile": "13900000000",
    "province": "上海市",
    "city": "上海市",
    "address": "南京东路 8 号",
}


def test_sf_official_digest_vector():
    msg = '{"language":"zh-CN","orderId":"QIAO-20200618-004"}'
    assert (
        sf_msg_digest(msg, "12312334453453", "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci") == "IIKJtuLVzoFTu4kHI8M8vA=="
    )


def test_java_urlencode_semantics():
    assert java_urlencode("a b*~中") == "a+b*%7E%E4%B8%AD"
    # the sandbox's independent byte-wise encoder agrees
    from sandbox.carriers_common import java_url_encode

    sample = 'x y*~!\'()中文{"k":"v"}'
    assert java_urlencode(sample) == java_url_encode(sample)


@pytest.fixture
def sf():
    with SfSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def zto():
    with ZtoSandbox() as sandbox:
        yield sandbox


def sf_client(sandbox, check_word="sandbox-check-word", timeout=5):
    return SfClient(sandbox.url + "/std/service", "OH_TEST", check_word, timeout=timeout)


def test_sf_create_order_returns_waybill(sf):
    result = sf_client(sf).create_order(
        "SO001-1", SENDER, RECEIVER, [{"name": "油画", "count": 1}], express_type=EXPRESS_NEXT_MORNING
    )
    assert result["waybill"].startswith("SF") and len(result["waybill"]) == 15
    stored = sf.orders["SO001-1"]
    assert stored["expressTypeId"] == 1
    assert stored["contactInfoList"][1]["address"] == "南京东路 8 号"


def test_sf_bad_check_word_is_a_signature_error_without_secret(sf):
    with pytest.raises(errors.CarrierSignatureError) as info:
        sf_client(sf, check_word="wrong-secret").create_order("SO2", SENDER, RECEIVER, [])
    assert "wrong-secret" not in str(info.value)
    assert "wrong-secret" not in repr(sf_client(sf, check_word="wrong-secret"))


def test_sf_5xx_is_transient_then_recovers(sf):
    sf.fail_next(502)
    client = sf_client(sf)
    with pytest.raises(errors.CarrierTransientError) as info:
        client.create_order("SO3", SENDER, RECEIVER, [])
    assert info.value.retryable
    assert client.create_order("SO3", SENDER, RECEIVER, [])["waybill"]


def test_sf_flow_control_is_rate_limited(sf):
    sf.flow_controlled = True
    with pytest.raises(errors.CarrierRateLimited):
        sf_client(sf).create_order("SO4", SENDER, RECEIVER, [])


def test_sf_business_refusal_and_duplicate(sf):
    client = sf_client(sf)
    with pytest.raises(errors.CarrierRefused):
        client.create_order("SO5", SENDER, dict(RECEIVER, address=""), [])
    first = client.create_order("SO6", SENDER, RECEIVER, [])["waybill"]
    # a retried creation (answer lost) gets the same waybill, not a second parcel
    assert client.create_order("SO6", SENDER, RECEIVER, [])["waybill"] == first
    assert len([o for o in sf.orders if o == "SO6"]) == 1
    with pytest.raises(errors.CarrierRefused) as info:
        client.search_order("UNKNOWN")
    assert info.value.code == "8018"


def test_sf_change_address_success_and_refusal(sf):
    client = sf_client(sf)
    waybill = client.create_order("SO7", SENDER, RECEIVER, [])["waybill"]
    client.change_address(waybill, dict(RECEIVER, address="新地址 9 号"))
    assert sf.address_changes[-1]["address"]["address"] == "新地址 9 号"
    sf.refuse_address_change.add(waybill)
    with pytest.raises(errors.CarrierRefused):
        client.change_address(waybill, dict(RECEIVER, address="又一个地址"))


def test_sf_timeout_is_transient():
    # a socket that accepts but never answers
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        client = SfClient(f"http://127.0.0.1:{server.getsockname()[1]}", "P", "C", timeout=(1, 0.5))
        with pytest.raises(errors.CarrierTransientError):
            client.create_order("SO8", SENDER, RECEIVER, [])
    finally:
        server.close()


def test_zto_digest_and_create_order(zto):
    assert zto_data_digest('{"a":1}', "s") == zto_data_digest('{"a":1}', "s")
    client = ZtoClient(zto.url, "oh-app", "sandbox-zto-secret", timeout=5)
    result = client.create_order("SO9-1", SENDER, RECEIVER, [{"name": "书", "quantity": 1}])
    assert result["waybill"].startswith("7859")
    assert zto.orders["SO9-1"]["receiveInfo"]["contact"] == "张三"


def test_zto_errors(zto):
    with pytest.raises(errors.CarrierSignatureError):
        ZtoClient(zto.url, "oh-app", "bad", timeout=5).create_order("X", SENDER, RECEIVER, [])
    zto.flow_controlled = True
    with pytest.raises(errors.CarrierRateLimited):
        ZtoClient(zto.url, "oh-app", "sandbox-zto-secret", timeout=5).create_order("X", SENDER, RECEIVER, [])
    zto.flow_controlled = False
    zto.fail_next(500)
    with pytest.raises(errors.CarrierTransientError):
        ZtoClient(zto.url, "oh-app", "sandbox-zto-secret", timeout=5).create_order("X", SENDER, RECEIVER, [])


def test_public_tracking_formatting():
    assert carriers.format_public_tracking("sf_express", "sf1234567890123") == "SF 1234 5678 9012 3"
    assert carriers.format_public_tracking("zto", "785900000001") == "7859 0000 0001"
    assert carriers.format_public_tracking("other", " AB12 ") == "AB12"
