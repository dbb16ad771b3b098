"""Request signing of each platform, recomputed independently from the documented recipes
(channel-apis.md sections 1, 2 and 5), and accepted/refused by the sandboxes (which sign on
their own)."""

import hashlib
import hmac

import connectors
import pytest
from channel_helpers import PLATFORMS, client_for, pull_all
from connectors import douyin, jd, shopee


def test_douyin_param_json_is_compact_sorted_recursively_and_not_escaped():
    params = {
        "size": 10,
        "page": 0,
        "combine_status": [{"order_status": "2,105", "b": 1, "a": "<&>"}],
        "中": "文",
    }
    assert douyin.param_json(params) == (
        '{"combine_status":[{"a":"<&>","b":1,"order_status":"2,105"}],"page":0,"size":10,"中":"文"}'
    )
    assert douyin.param_json({}) == "{}"
    assert douyin.param_json(None) == "{}"


@pytest.mark.parametrize("sign_method", ["md5", "hmac-sha256"])
def test_douyin_sign_follows_the_documented_pattern(sign_method):
    secret, key, method, stamp = "s3cr3t", "7000000001", "order.searchList", "1763775000"
    body = '{"page":0,"size":20}'
    text = (
        secret
        + "app_key"
        + key
        + "method"
        + method
        + "param_json"
        + body
        + "timestamp"
        + stamp
        + "v"
        + "2"
        + secret
    )
    expected = (
        hashlib.md5(text.encode()).hexdigest()
        if sign_method == "md5"
        else hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    )
    assert douyin.sign(key, secret, method, body, stamp, sign_method) == expected
    assert douyin.sign(key, secret, method, body, stamp, sign_method) == expected.lower()
    # access_token and sign_method are not part of the signature: nothing else changes it
    assert douyin.sign(key, secret + "x", method, body, stamp, sign_method) != expected


def test_douyin_regression_vector():
    # fixed vector: a change in the recipe (ordering, "v2", secret wrapping) breaks it
    assert (
        douyin.sign("7000000001", "s3cr3t", "order.orderDetail", '{"shop_order_id":"1"}', "1763775000", "md5")
        == hashlib.md5(
            b's3cr3tapp_key7000000001methodorder.orderDetailparam_json{"shop_order_id":"1"}timestamp1763775000v2s3cr3t'
        ).hexdigest()
    )


def test_jd_sign_is_upper_md5_of_sorted_non_empty_params_wrapped_in_secret():
    params = {
        "method": "jingdong.pop.order.search",
        "app_key": "APPKEY",
        "access_token": "TOKEN",
        "timestamp": "2026-11-22 09:30:00",
        "v": "2.0",
        "format": "json",
        "sign_method": "",
        "360buy_param_json": '{"page":"1"}',
    }
    concat = (
        '360buy_param_json{"page":"1"}access_tokenTOKENapp_keyAPPKEYformatjson'
        "methodjingdong.pop.order.searchtimestamp2026-11-22 09:30:00v2.0"
    )
    expected = hashlib.md5(f"SECRET{concat}SECRET".encode()).hexdigest().upper()
    assert jd.sign(params, "SECRET") == expected
    assert expected == expected.upper() and len(expected) == 32


def test_jd_timestamp_is_beijing_time():
    from datetime import datetime, timezone

    assert jd.jd_timestamp(datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)) == "2026-11-22 09:30:00"


def test_shopee_sign_shop_and_public_apis():
    key = "partnerkey"
    shop = shopee.sign(key, "2001887", "/api/v2/order/get_order_list", 1763775000, "tok", "98765")
    public = shopee.sign(key, "2001887", "/api/v2/auth/access_token/get", 1763775000)
    assert (
        shop
        == hmac.new(
            b"partnerkey", b"2001887/api/v2/order/get_order_list1763775000tok98765", "sha256"
        ).hexdigest()
    )
    assert (
        public
        == hmac.new(b"partnerkey", b"2001887/api/v2/auth/access_token/get1763775000", "sha256").hexdigest()
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sandbox_accepts_the_client_signature(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    assert len(pull_all(client_for(box))) == 3


@pytest.mark.parametrize("platform", ["douyin", "jd", "shopee"])
def test_sandbox_refuses_a_wrong_secret(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    client = client_for(box, app_secret="not-the-secret")
    with pytest.raises(connectors.AuthError) as error:
        pull_all(client)
    assert "not-the-secret" not in str(error.value)
    assert "sign" in str(error.value).lower()


def test_douyin_md5_signing_is_accepted_too(make_sandbox):
    box = make_sandbox("douyin", orders=2)
    client = client_for(box, extra={"sign_method": "md5"})
    assert len(pull_all(client)) == 2
    assert box.requests[-1].status == 200


def test_shopify_and_wechat_refuse_a_wrong_token(make_sandbox):
    shopify = make_sandbox("shopify", orders=1)
    with pytest.raises(connectors.AuthError):
        pull_all(client_for(shopify, access_token="shpat_wrong"))
    wechat = make_sandbox("wechat_shop", orders=1)
    with pytest.raises(connectors.AuthError):
        pull_all(client_for(wechat, app_secret="wrong"))
