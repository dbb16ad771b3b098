"""Webhook verification: pushes signed by the sandboxes (their own signers) are accepted;
tampered, unsigned, wrongly signed and replayed ones raise SignatureError."""

import base64
import hashlib
import hmac
import json
import time

import connectors
import pytest
from connectors import webhooks

URL = "https://hub.example.cn/order_hub/webhook/7"


def verify(box, headers, body, url=URL, **overrides):
    creds = box.credentials
    values = {
        "headers": headers,
        "body": body,
        "secret": creds["app_secret"],
        "app_key": creds["app_key"],
        "token": creds.get("webhook_token"),
        "aes_key": creds.get("aes_key"),
        "url": url,
        **overrides,
    }
    return connectors.verify_and_parse(box.platform, **values)


@pytest.mark.parametrize("platform", ["douyin", "wechat_shop", "shopify", "shopee"])
def test_a_signed_push_is_accepted(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    order_id = sorted(box.orders)[0]
    headers, body, url = box.webhook(order_id, url=URL)
    (event,) = verify(box, headers, body, url)
    assert event.platform == platform and event.external_id == order_id
    assert event.event_id and event.topic
    if platform == "shopify":
        assert connectors.normalise("shopify", event.order_payload).external_id == order_id
    else:
        assert event.order_payload is None


@pytest.mark.parametrize("platform", ["douyin", "wechat_shop", "shopify", "shopee"])
def test_a_tampered_body_is_refused(make_sandbox, platform):
    box = make_sandbox(platform, orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL)
    if platform == "wechat_shop":
        envelope = json.loads(body)
        envelope["Encrypt"] = envelope["Encrypt"][:-8] + "AAAAAAA="
        body = json.dumps(envelope).encode()
    else:
        body = body.replace(b"}", b" }", 1)
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, url)


@pytest.mark.parametrize(
    ("platform", "header"),
    [("douyin", "event-sign"), ("shopify", "X-Shopify-Hmac-Sha256"), ("shopee", "Authorization")],
)
def test_a_missing_signature_is_refused(make_sandbox, platform, header):
    box = make_sandbox(platform, orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL)
    headers.pop(header)
    with pytest.raises(connectors.SignatureError) as error:
        verify(box, headers, body, url)
    assert "no" in str(error.value).lower()


@pytest.mark.parametrize("platform", ["douyin", "wechat_shop", "shopify", "shopee"])
def test_a_wrong_secret_is_refused(make_sandbox, platform):
    box = make_sandbox(platform, orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL)
    wrong = {"secret": "other-secret", "token": "other-token"}
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, url, **wrong)
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, url, secret="", token="")


def test_shopee_signs_the_callback_url(make_sandbox):
    box = make_sandbox("shopee", orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL)
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, URL + "/other")
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, None)


@pytest.mark.parametrize("platform", ["wechat_shop", "shopee"])
def test_a_replayed_push_is_refused(make_sandbox, platform):
    box = make_sandbox(platform, orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL, timestamp=time.time() - 600)
    with pytest.raises(connectors.SignatureError) as error:
        verify(box, headers, body, url)
    assert "old" in str(error.value)
    # accepted when it is recent enough for the caller's max_age
    assert verify(box, headers, body, url, max_age=900)


def test_wechat_url_verification_echoes_echostr(make_sandbox):
    box = make_sandbox("wechat_shop")
    url = box.verification_url(URL, echostr="abc123")
    (event,) = verify(box, {}, b"", url)
    assert event.topic == "url_verification" and event.raw == {"echostr": "abc123"}
    with pytest.raises(connectors.SignatureError):
        verify(box, {}, b"", url.replace("signature=", "signature=0"))
    with pytest.raises(connectors.SignatureError):
        verify(box, {}, b"", box.verification_url(URL, timestamp=time.time() - 3600))


def test_wechat_plaintext_mode_is_refused(make_sandbox):
    box = make_sandbox("wechat_shop", orders=1)
    body = json.dumps({"Event": "channels_ec_order_new", "order_info": {"order_id": 1}}).encode()
    with pytest.raises(connectors.SignatureError) as error:
        verify(box, {}, body, URL + "?timestamp=1&nonce=2&signature=3")
    assert "safe mode" in str(error.value)


def test_wechat_message_for_another_app_is_refused(make_sandbox):
    box = make_sandbox("wechat_shop", orders=1)
    headers, body, url = box.webhook(next(iter(box.orders)), url=URL)
    with pytest.raises(connectors.SignatureError):
        verify(box, headers, body, url, app_key="wx-another-app")


def test_wechat_encrypt_decrypt_round_trip():
    key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # 43 characters, as the shop backend shows it
    secret = webhooks.wechat_encrypt("订单 123".encode(), key, "wx123")
    assert webhooks.wechat_decrypt(secret, key, "wx123") == "订单 123".encode()
    with pytest.raises(connectors.SignatureError):
        webhooks.wechat_decrypt(secret, key, "wx999")


def test_douyin_push_with_several_messages_and_hmac_variant(make_sandbox):
    box = make_sandbox("douyin", orders=2)
    creds = box.credentials
    first, second = sorted(box.orders)
    messages = [
        {"tag": "100", "msg_id": "m1", "data": json.dumps({"p_id": int(first), "shop_id": 1})},
        {"tag": "106", "msg_id": "m2", "data": json.dumps({"p_id": int(second), "shop_id": 1})},
    ]
    body = json.dumps(messages).encode()
    key, secret = creds["app_key"].encode(), creds["app_secret"].encode()
    sign = hmac.new(secret, key + body + secret, hashlib.sha256).hexdigest()
    headers = {"app-id": creds["app_key"], "event-sign": sign, "sign-method": "hmac-sha256"}
    events = verify(box, headers, body)
    assert [(e.topic, e.external_id, e.event_id) for e in events] == [
        ("100", first, "m1"),
        ("106", second, "m2"),
    ]
    with pytest.raises(connectors.SignatureError):
        verify(box, {**headers, "sign-method": "md5"}, body)
    with pytest.raises(connectors.SignatureError):
        verify(box, {**headers, "app-id": "someone-else"}, body)


def test_signed_but_unreadable_body_is_bad_payload(make_sandbox):
    box = make_sandbox("shopify")
    body = b"{not json"
    digest = base64.b64encode(hmac.new(box.credentials["app_secret"].encode(), body, hashlib.sha256).digest())
    with pytest.raises(connectors.BadPayload):
        verify(box, {"X-Shopify-Hmac-Sha256": digest.decode()}, body)


def test_jd_and_unknown_platforms_have_no_webhook():
    with pytest.raises(connectors.SignatureError):
        connectors.verify_and_parse("jd", headers={}, body=b"{}", secret="s")
    with pytest.raises(TypeError):
        connectors.verify_and_parse("shopify", headers={}, body="text", secret="s")


def test_send_webhook_posts_to_a_url(make_sandbox):
    """The sender other tests use to hit the Odoo routes; here the receiver is a sandbox."""
    from sandbox import send_webhook

    box = make_sandbox("shopify", orders=1)
    receiver = make_sandbox("jd")
    response = send_webhook(box, next(iter(box.orders)), f"{receiver.url}/_sandbox/unknown")
    assert response.status_code == 404  # delivered; the receiver answered


def test_control_endpoint_pushes_to_a_url(make_sandbox):
    import requests

    box = make_sandbox("douyin", orders=1)
    receiver = make_sandbox("jd")
    order_id = next(iter(box.orders))
    answer = requests.post(
        f"{box.url}/_sandbox/push", json={"id": order_id, "url": f"{receiver.url}/routerjson"}, timeout=5
    ).json()
    assert answer["status"] == 200  # the JD sandbox answered (with its own error envelope)
    assert receiver.requests[-1].path == "/routerjson"
    assert json.loads(receiver.requests[-1].body)[0]["msg_id"].startswith(order_id)
