"""WeCom (企业微信) group robot client, without Odoo.

The robot takes ``POST <webhook url>`` with
``{"msgtype": "text", "text": {"content": ...}}`` and answers
``{"errcode": 0, "errmsg": "ok"}``. Limits: 20 messages a minute per robot,
text content at most 2048 bytes (UTF-8). ``errcode`` 45009 means rate
limited, 93000 an invalid webhook key.
"""

import time

import requests

MAX_MESSAGES_PER_MINUTE = 20
MAX_TEXT_BYTES = 2048
WINDOW_SECONDS = 60.0
TIMEOUT_SECONDS = 10
ERRCODE_RATE_LIMITED = 45009
ERRCODE_INVALID_KEY = 93000


class WecomRobotError(Exception):
    """The robot refused the message or could not be reached."""

    def __init__(self, message, errcode=None, retryable=False):
        super().__init__(message)
        self.errcode = errcode
        self.retryable = retryable


class RateWindow:
    """Send times of the last minute, to stay under 20 messages a minute.

    ``sent`` holds epoch seconds; callers persist it between runs.
    """

    def __init__(self, sent=(), limit=MAX_MESSAGES_PER_MINUTE, window=WINDOW_SECONDS):
        self.limit = limit
        self.window = window
        self.sent = sorted(float(t) for t in sent)

    def _prune(self, now):
        self.sent = [t for t in self.sent if now - t < self.window]

    def available(self, now=None):
        now = time.time() if now is None else now
        self._prune(now)
        return max(self.limit - len(self.sent), 0)

    def take(self, now=None):
        now = time.time() if now is None else now
        if not self.available(now):
            return False
        self.sent.append(now)
        return True


def _truncate_utf8(text, max_bytes):
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", errors="ignore") + "..."


def pack_lines(lines, max_messages, header="", max_bytes=MAX_TEXT_BYTES):
    """Pack alert lines into at most ``max_messages`` texts of ``max_bytes``.

    Lines that do not fit are counted in a last "... +N" line, so no alert is
    silently dropped and the robot's limits are kept.
    """
    if max_messages <= 0 or not lines:
        return []
    room = max_bytes - 32  # space kept for the "... +N" line

    def text(parts):
        return "\n".join([header, *parts] if header else parts)

    line_room = room - len(header.encode("utf-8")) - 1
    chunks = []
    for line in lines:
        line = _truncate_utf8(line, line_room)
        if chunks and len(text([*chunks[-1], line]).encode("utf-8")) <= room:
            chunks[-1].append(line)
        else:
            chunks.append([line])
    dropped = sum(len(chunk) for chunk in chunks[max_messages:])
    texts = [text(chunk) for chunk in chunks[:max_messages]]
    if dropped:
        texts[-1] += f"\n... +{dropped}"
    return texts


class WecomRobotClient:
    """Posts text messages to one group robot."""

    def __init__(self, webhook_url, session=None, timeout=TIMEOUT_SECONDS):
        if not webhook_url or not webhook_url.startswith(("https://", "http://")):
            raise WecomRobotError("The WeCom robot webhook must be an http(s) URL.")
        self.webhook_url = webhook_url
        self.session = session or requests.Session()
        self.timeout = timeout

    def send_text(self, content, mentioned_list=None):
        payload = {
            "msgtype": "text",
            "text": {"content": _truncate_utf8(content, MAX_TEXT_BYTES)},
        }
        if mentioned_list:
            payload["text"]["mentioned_list"] = list(mentioned_list)
        try:
            response = self.session.post(self.webhook_url, json=payload, timeout=self.timeout)
        except requests.RequestException as exc:
            # never echo the URL: its key is a secret
            raise WecomRobotError(
                f"WeCom robot unreachable ({type(exc).__name__}).", retryable=True
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise WecomRobotError(f"WeCom robot answered HTTP {response.status_code}.", retryable=True)
        try:
            body = response.json()
        except ValueError:
            raise WecomRobotError(f"WeCom robot answered HTTP {response.status_code} without JSON.") from None
        errcode = body.get("errcode") if isinstance(body, dict) else None
        if errcode != 0:
            errmsg = body.get("errmsg", "") if isinstance(body, dict) else ""
            raise WecomRobotError(
                f"WeCom robot refused the message: {errcode} {errmsg}".strip(),
                errcode=errcode,
                retryable=errcode == ERRCODE_RATE_LIMITED,
            )
        return body
