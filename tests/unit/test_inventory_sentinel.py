"""Stock reports of cloud warehouses: HMAC signature over timestamp and body,
a replay window, and a payload read field by field."""

import json
import time

import pytest
from connectors.errors import BadPayload, SignatureError
from connectors.inventory_sentinel import exceeds, parse, sign, verify

SECRET = "wh-secret-1"
BODY = json.dumps({"event_id": "e1", "items": [{"sku": "BRK-1", "quantity": 12}]}).encode()


def _headers(body=BODY, secret=SECRET, stamp=None):
    stamp = str(int(stamp or time.time()))
    return {"X-OrderHub-Timestamp": stamp, "X-OrderHub-Signature": sign(secret, stamp, body)}


def test_a_signed_report_is_accepted_and_read():
    verify(_headers(), BODY, SECRET)
    report = parse(BODY)
    assert report.event_id == "e1"
    assert [(sku, int(qty)) for sku, qty in report.items] == [("BRK-1", 12)]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-OrderHub-Timestamp": "1"},
        _headers(secret="another"),
        _headers(body=BODY + b" "),
        _headers(stamp=time.time() - 3600),  # an old report replayed
    ],
)
def test_bad_signatures_are_refused(headers):
    with pytest.raises(SignatureError):
        verify(headers, BODY, SECRET)


def test_no_secret_refuses_everything():
    with pytest.raises(SignatureError):
        verify(_headers(secret=""), BODY, "")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"items": [{"quantity": 1}]}',
        b'{"items": [{"sku": "A", "quantity": -1}]}',
        b'{"items": [{"sku": "A", "quantity": "NaN"}]}',
        b'{"items": [{"sku": "A"}]}',
    ],
)
def test_bad_payloads_name_the_field(body):
    with pytest.raises(BadPayload):
        parse(body)


@pytest.mark.parametrize(
    ("theirs", "ours", "threshold", "expected"),
    [(20, 14, 5, True), (19, 14, 5, False), (14, 20, 5, True), (10, 10, 0, False), (10.5, 10, 0, True)],
)
def test_exceeds(theirs, ours, threshold, expected):
    assert exceeds(theirs, ours, threshold) is expected
