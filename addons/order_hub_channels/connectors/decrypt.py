"""Encrypted receivers: the plaintext name, phone and address of an order,
asked from the platform when a waybill needs them.

``decrypt_receiver(client, external_id, encrypted)`` takes a client of
``connectors.get_client`` and the ciphertexts the normaliser kept
(``Address.encrypted``: ``{"name", "phone", "detail"}``) and returns a
``Receiver``.  The plaintext is never part of an error message, a log line or
the ``repr`` of the result: only its fields carry it.

Platforms:

* Douyin ``order.batchDecrypt`` [T: field names of the official SDKs'
  request and response classes; quota codes from third-party integrations]:
  ``{"cipher_infos": [{"auth_id": <order id>, "cipher_text": ...}]}`` (at most
  50 per call), answer ``data{decrypt_infos[{auth_id, cipher_text,
  decrypt_text, err_no, err_msg, is_virtual_tel, phone_no_a, phone_no_b}],
  custom_err{err_code, err_msg}}``.  The whole call is refused with code
  90000 ("已达到店铺解密上限") when the shop's decrypt quota is used up
  (``errors.QuotaExceeded``); ``err_no``/``err_code`` 300008 ("环境存在安全风险，
  请稍后再试", risk control) is a "try later" (``errors.TransientError``);
  another ``err_no`` refuses that ciphertext (``DecryptRefused``).  A virtual
  number (``is_virtual_tel``) becomes ``phone_no_a-phone_no_b``.
* JD consignees are TDE-encrypted and decrypted locally with JD's TDE SDK and
  keys from JOS [T]; that SDK is not part of Order Hub, so JD is not
  decrypted (``decryptable("jd")`` is False).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import as_dict, as_list, text
from .errors import BadPayload, ConnectorError, TransientError

FIELDS = ("name", "phone", "detail")
MAX_CIPHERS = 50
RISK_CONTROL = ("300008",)


class DecryptRefused(ConnectorError):
    """The platform refused to decrypt a ciphertext (order closed, ciphertext
    of another order...); ``message`` carries its reason.  Retrying the same
    call does not help."""


@dataclass(frozen=True, repr=False)
class Receiver:
    """A decrypted receiver; its ``repr`` never shows the plaintext."""

    name: str = ""
    phone: str = ""
    detail: str = ""
    virtual_phone: bool = False

    def __repr__(self):
        return f"Receiver(<decrypted: {', '.join(k for k in FIELDS if getattr(self, k))}>)"


def decryptable(platform):
    return platform in _DECRYPT


def decrypt_receiver(client, external_id, encrypted) -> Receiver:
    handler = _DECRYPT.get(client.platform)
    if handler is None:
        raise ValueError(f"No receiver decryption for platform {client.platform!r}.")
    ciphers = {key: text(encrypted.get(key)) for key in FIELDS if text(encrypted.get(key))}
    if not ciphers:
        raise BadPayload("The order has no encrypted receiver to decrypt.", field="receiver")
    return handler(client, str(external_id), ciphers)


# ---- Douyin -------------------------------------------------------------------
DOUYIN_METHOD = "order.batchDecrypt"


def douyin_params(external_id, ciphers):
    """``param_json`` of ``order.batchDecrypt`` for the ciphertexts of one order."""
    infos = [{"auth_id": str(external_id), "cipher_text": ciphers[key]} for key in FIELDS if ciphers.get(key)]
    if len(infos) > MAX_CIPHERS:
        raise ValueError("Douyin decrypts at most 50 ciphertexts per call.")
    return {"cipher_infos": infos}


def parse_douyin(data, external_id, ciphers) -> Receiver:
    """The ``Receiver`` in the ``data`` of a ``batchDecrypt`` answer."""
    data = as_dict(data, "data")
    custom = as_dict(data.get("custom_err"), "custom_err")
    code = text(custom.get("err_code"))
    if code not in ("", "0"):
        _refuse(code, text(custom.get("err_msg")))
    found = {}
    for info in as_list(data.get("decrypt_infos"), "decrypt_infos"):
        info = as_dict(info, "decrypt_infos[]")
        if text(info.get("auth_id")) != str(external_id):
            continue
        found[text(info.get("cipher_text"))] = info
    values, virtual = {}, False
    for key, cipher in ciphers.items():
        info = found.get(cipher)
        if info is None:
            raise BadPayload(f"Douyin's answer has no decrypted {key} for order {external_id}.", field=key)
        err_no = text(info.get("err_no"))
        if err_no not in ("", "0"):
            _refuse(err_no, text(info.get("err_msg")), key)
        if key == "phone" and info.get("is_virtual_tel") and text(info.get("phone_no_a")):
            values[key] = "-".join(p for p in (text(info["phone_no_a"]), text(info.get("phone_no_b"))) if p)
            virtual = True
        else:
            values[key] = text(info.get("decrypt_text"))
        if not values[key]:
            raise BadPayload(f"Douyin decrypted the {key} of order {external_id} to nothing.", field=key)
    return Receiver(virtual_phone=virtual, **values)


def _refuse(code, message, key=""):
    what = f"Douyin refused to decrypt {'the ' + key if key else 'the receiver'} (error {code}: {message})."
    if code in RISK_CONTROL:
        raise TransientError(what)
    raise DecryptRefused(what)


def _douyin_decrypt(client, external_id, ciphers):
    data = client._call_token(DOUYIN_METHOD, douyin_params(external_id, ciphers))
    return parse_douyin(data, external_id, ciphers)


_DECRYPT = {"douyin": _douyin_decrypt}
