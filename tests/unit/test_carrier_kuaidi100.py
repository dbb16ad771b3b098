"""Kuaidi100 client, callback verification and state mapping against the sandbox."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carriers import errors  # noqa: E402
from carriers.kuaidi100 import (  # noqa: E402
    Kuaidi100Client,
    kuaidi100_callback_sign,
    kuaidi100_query_sign,
    parse_callback,
    state_event,
)
from sandbox.carrier_kuaidi100 import Kuaidi100Sandbox  # noqa: E402


@pytest.fixture
def kd():
    with Kuaidi100Sandbox() as sandbox:
        yield sandbox


def client(sandbox, key="sandbox-kd100-key"):
    return Kuaidi100Client(sandbox.url, "OHCUSTOMER", key, timeout=5)


def test_query_sign_formula():
    assert kuaidi100_query_sign("p", "k", "c") == __import__("hashlib").md5(b"pkc").hexdigest().upper()
    assert kuaidi100_callback_sign("p", "s") == __import__("hashlib").md5(b"ps").hexdigest().upper()


def test_query_returns_events_oldest_first(kd):
    kd.set_track(
        "SF0000000000001",
        "shunfeng",
        0,
        [("2026-11-20 10:00:00", "已揽收"), ("2026-11-20 18:00:00", "运输中")],
    )
    result = client(kd).query("shunfeng", "SF0000000000001", phone="1234")
    assert result.state == "0" and not result.signed
    assert [e["context"] for e in result.events] == ["已揽收", "运输中"]


def test_query_errors(kd):
    with pytest.raises(errors.CarrierSignatureError):
        client(kd, key="wrong").query("shunfeng", "X")
    with pytest.raises(errors.CarrierError) as info:
        client(kd).query("shunfeng", "UNKNOWN")
    assert info.value.code == "500"
    kd.busy = True
    with pytest.raises(errors.CarrierRateLimited):
        client(kd).query("shunfeng", "UNKNOWN")
    kd.busy = False
    kd.fail_next(503)
    with pytest.raises(errors.CarrierTransientError):
        client(kd).query("shunfeng", "UNKNOWN")


class _ListAnswering(Kuaidi100Sandbox):
    """Answers every call with valid JSON that is not an object."""

    def route(self, path, headers, body):
        return 200, {}, [path]


def test_an_answer_that_is_not_an_object_is_a_bad_payload():
    with _ListAnswering() as sandbox:
        with pytest.raises(errors.CarrierBadPayload, match="unexpected body"):
            client(sandbox).query("shunfeng", "SF1")
        with pytest.raises(errors.CarrierBadPayload, match="unexpected body"):
            client(sandbox).subscribe("shunfeng", "SF1", "http://127.0.0.1:9/cb")
        assert [request["path"] for request in sandbox.requests] == ["/poll/query.do", "/poll"]


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802
        from urllib.parse import parse_qs

        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        try:
            parsed = parse_callback(form["param"], form["sign"], "salt-1")
            self.received.append(parsed)
            answer, status = {"result": True, "returnCode": "200", "message": "成功"}, 200
        except errors.CarrierSignatureError:
            answer, status = {"result": False, "returnCode": "503", "message": "bad sign"}, 401
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_subscribe_and_push_with_good_and_bad_sign(kd):
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/cb"
        kd.set_track(
            "785900000001",
            "zhongtong",
            3,
            [("2026-11-20 10:00:00", "揽收"), ("2026-11-21 09:00:00", "已签收")],
        )
        assert client(kd).subscribe("zhongtong", "785900000001", url, salt="salt-1")
        assert client(kd).subscribe("zhongtong", "785900000001", url, salt="salt-1")  # 501 duplicate is fine
        assert kd.push("785900000001", bad_sign=True).status_code == 401
        assert _Receiver.received == []
        assert kd.push("785900000001").status_code == 200
        assert _Receiver.received[-1]["result"].signed
    finally:
        server.shutdown()
        server.server_close()


def test_parse_callback_refuses_without_salt_or_bad_json():
    with pytest.raises(errors.CarrierSignatureError):
        parse_callback("{}", "X", "")
    param = "not json"
    with pytest.raises(errors.CarrierBadPayload):
        parse_callback(param, kuaidi100_callback_sign(param, "s"), "s")


@pytest.mark.parametrize(
    "state,event,ticket",
    [
        ("1", "in_transit", None),
        ("0", "in_transit", None),
        ("5", "in_transit", None),
        ("3", "delivered", None),
        ("2", "exception", "logistics_stalled"),
        ("4", "exception", "refused_by_customer"),
        ("6", "exception", "refused_by_customer"),
        ("14", "exception", "refused_by_customer"),
        ("13", "exception", "customs_hold"),
        ("99", None, None),
    ],
)
def test_state_mapping(state, event, ticket):
    assert state_event(state) == (event, ticket)
