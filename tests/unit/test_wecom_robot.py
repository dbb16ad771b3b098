import sys
from pathlib import Path

import pytest
from notifiers.wecom_robot import (
    MAX_TEXT_BYTES,
    RateWindow,
    WecomRobotClient,
    WecomRobotError,
    pack_lines,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sandbox"))
from wecom_robot_sandbox import WecomRobotSandbox  # noqa: E402


@pytest.fixture
def robot():
    with WecomRobotSandbox(keys={"good"}) as sandbox:
        yield sandbox


def test_rate_window_allows_20_a_minute():
    window = RateWindow()
    assert all(window.take(now=1000.0 + i) for i in range(20))
    assert not window.take(now=1030.0)
    assert window.available(now=1059.0) == 0
    # the first send leaves the window after 60 s
    assert window.available(now=1060.5) == 1
    assert window.take(now=1060.5)


def test_rate_window_restores_persisted_times():
    window = RateWindow(["100.0"] * 19)
    assert window.available(now=130.0) == 1


def test_pack_lines_respects_bytes_and_message_count():
    lines = [f"[SLA breached] S{i:05d} 张伟 - 备货中, deadline 2026-03-10 03:00:00 UTC" for i in range(200)]
    texts = pack_lines(lines, 3, header="Order Hub SLA alerts")
    assert len(texts) == 3
    assert all(len(t.encode("utf-8")) <= MAX_TEXT_BYTES for t in texts)
    kept = sum(t.count("[SLA breached]") for t in texts)
    assert texts[-1].endswith(f"... +{200 - kept}")
    assert all(t.startswith("Order Hub SLA alerts\n") for t in texts)


def test_pack_lines_nothing_to_send():
    assert pack_lines([], 5) == []
    assert pack_lines(["a"], 0) == []
    assert pack_lines(["a", "b"], 5) == ["a\nb"]


def test_client_posts_text(robot):
    WecomRobotClient(robot.url("good")).send_text("S00001 breached")
    assert robot.messages == [("good", {"msgtype": "text", "text": {"content": "S00001 breached"}})]


def test_client_truncates_long_text(robot):
    WecomRobotClient(robot.url("good")).send_text("超" * 2000)
    content = robot.messages[0][1]["text"]["content"]
    assert len(content.encode("utf-8")) <= MAX_TEXT_BYTES


def test_invalid_key_is_not_retryable_and_hides_the_url(robot):
    with pytest.raises(WecomRobotError) as caught:
        WecomRobotClient(robot.url("secret-key")).send_text("x")
    assert caught.value.errcode == 93000
    assert not caught.value.retryable
    assert "secret-key" not in str(caught.value)


def test_rate_limited_is_retryable(robot):
    client = WecomRobotClient(robot.url("good"))
    for i in range(20):
        client.send_text(f"message {i}")
    with pytest.raises(WecomRobotError) as caught:
        client.send_text("one too many")
    assert caught.value.errcode == 45009
    assert caught.value.retryable


def test_unreachable_robot_is_retryable_and_hides_the_url():
    with pytest.raises(WecomRobotError) as caught:
        WecomRobotClient("http://127.0.0.1:9/cgi-bin/webhook/send?key=secret", timeout=2).send_text("x")
    assert caught.value.retryable
    assert "secret" not in str(caught.value)


def test_refuses_a_non_http_url():
    with pytest.raises(WecomRobotError):
        WecomRobotClient("file:///etc/passwd")
