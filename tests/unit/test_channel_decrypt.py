"""Receiver decryption against the Douyin sandbox: order.batchDecrypt is
signed and recorded, returns the plaintext of the order's ciphertexts, keeps it
out of every message and repr, and the shop's decrypt quota refuses the call
with the platform's quota error."""

import pytest
from channel_helpers import client_for
from connectors import douyin, errors
from connectors.decrypt import (
    DOUYIN_METHOD,
    DecryptRefused,
    Receiver,
    decrypt_receiver,
    decryptable,
    douyin_params,
    parse_douyin,
)


def _order(box):
    order_id = box.add_orders(1)[0]
    box.update_order(order_id, status="paid")
    return box.orders[order_id]


def _ciphers(box, order):
    """The ciphertexts of the order as the importer keeps them (the normaliser's ``encrypted``)."""
    return douyin.normalise(box.render(order)).receiver.encrypted


def test_params_carry_one_cipher_info_per_field():
    params = douyin_params("6912", {"name": "#n#", "phone": "#p#", "detail": "#d#"})
    assert params == {
        "cipher_infos": [
            {"auth_id": "6912", "cipher_text": "#n#"},
            {"auth_id": "6912", "cipher_text": "#p#"},
            {"auth_id": "6912", "cipher_text": "#d#"},
        ]
    }


def test_the_normaliser_keeps_masked_values_and_ciphertexts(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    receiver = douyin.normalise(box.render(order)).receiver
    assert receiver.masked
    assert "*" in receiver.phone and receiver.phone != order.buyer.phone
    assert set(receiver.encrypted) == {"name", "phone", "detail"}
    assert order.buyer.phone not in str(receiver.encrypted)


def test_decrypt_returns_the_plaintext_in_one_signed_call(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    receiver = decrypt_receiver(client_for(box), order.id, _ciphers(box, order))
    assert (receiver.name, receiver.phone, receiver.detail) == (
        order.buyer.name,
        order.buyer.phone,
        order.buyer.detail,
    )
    assert not receiver.virtual_phone
    calls = box.api_requests("/order/batchDecrypt")
    assert len(calls) == 1 and calls[0].status == 200
    assert box.decrypts[0]["order_ids"] == [order.id] and box.decrypts[0]["ciphers"] == 3
    # the plaintext shows in no repr (logs, tracebacks)
    for value in (order.buyer.name, order.buyer.phone, order.buyer.detail):
        assert value not in repr(receiver)


def test_a_bad_signature_is_refused(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    client = client_for(box, app_secret="not-the-secret")
    with pytest.raises(errors.AuthError) as info:
        decrypt_receiver(client, order.id, _ciphers(box, order))
    assert "signature" in str(info.value)
    assert not box.decrypts


def test_the_quota_refuses_the_call_and_comes_back(make_sandbox):
    box = make_sandbox("douyin")
    first, second = _order(box), _order(box)
    box.decrypt_quota(1, window=3600)
    client = client_for(box)
    decrypt_receiver(client, first.id, _ciphers(box, first))
    with pytest.raises(errors.QuotaExceeded) as info:
        decrypt_receiver(client, second.id, _ciphers(box, second))
    assert "90000" in str(info.value)
    assert not info.value.retryable
    for value in (second.buyer.name, second.buyer.phone, second.buyer.detail):
        assert value not in str(info.value)
    assert len(box.decrypts) == 1
    box.decrypt_quota(None)
    assert decrypt_receiver(client, second.id, _ciphers(box, second)).phone == second.buyer.phone


def test_a_ciphertext_of_another_order_is_refused(make_sandbox):
    box = make_sandbox("douyin")
    first, second = _order(box), _order(box)
    with pytest.raises(DecryptRefused) as info:
        decrypt_receiver(client_for(box), first.id, _ciphers(box, second))
    assert "300004" in str(info.value)
    assert second.buyer.name not in str(info.value)


def test_an_address_changed_on_the_platform_has_new_ciphertexts(make_sandbox):
    box = make_sandbox("douyin")
    order = _order(box)
    old = _ciphers(box, order)
    box.update_order(order.id, address="新地址路 9 号")
    new = _ciphers(box, order)
    assert new["detail"] != old["detail"] and new["name"] == old["name"]
    with pytest.raises(DecryptRefused):
        decrypt_receiver(client_for(box), order.id, old)
    assert decrypt_receiver(client_for(box), order.id, new).detail == "新地址路 9 号"


def test_parse_virtual_numbers_risk_control_and_missing_items():
    ciphers = {"name": "#n#", "phone": "#p#"}

    def info(cipher, **values):
        return {"auth_id": "1", "cipher_text": cipher, "decrypt_text": "x", "err_no": 0, **values}

    data = {
        "decrypt_infos": [
            info("#n#", decrypt_text="王伟"),
            info("#p#", decrypt_text="", is_virtual_tel=True, phone_no_a="17100000000", phone_no_b="1234"),
        ],
        "custom_err": {"err_code": 0, "err_msg": ""},
    }
    receiver = parse_douyin(data, "1", ciphers)
    assert (receiver.name, receiver.phone, receiver.virtual_phone) == ("王伟", "17100000000-1234", True)
    risk = {"custom_err": {"err_code": 300008, "err_msg": "环境存在安全风险，请稍后再试"}}
    with pytest.raises(errors.TransientError):
        parse_douyin(risk, "1", ciphers)
    closed = {"decrypt_infos": [info("#n#", err_no=300003, err_msg="订单已关闭")]}
    with pytest.raises(DecryptRefused):
        parse_douyin(closed, "1", {"name": "#n#"})
    with pytest.raises(errors.BadPayload):
        parse_douyin({"decrypt_infos": [info("#n#")]}, "1", ciphers)


def test_only_douyin_is_decryptable():
    assert DOUYIN_METHOD == "order.batchDecrypt"
    assert decryptable("douyin")
    assert not decryptable("jd")
    assert "decrypted" in repr(Receiver(name="王伟"))
