"""A localhost WeCom group robot: behaves like
``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` as documented
(text messages, 2048-byte limit, 20 messages a minute per robot, errcode
93000 for an unknown key, 45009 when rate limited). No Odoo import.

    with WecomRobotSandbox(keys={"k1"}) as robot:
        url = robot.url("k1")
        ...
        robot.messages  # [(key, payload dict), ...]
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_TEXT_BYTES = 2048
LIMIT_PER_MINUTE = 20


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server API)
        sandbox = self.server.sandbox
        parsed = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if parsed.path != "/cgi-bin/webhook/send":
            return self._reply({"errcode": 404, "errmsg": "not found"}, status=404)
        key = (parse_qs(parsed.query).get("key") or [""])[0]
        if key not in sandbox.keys:
            return self._reply({"errcode": 93000, "errmsg": "invalid webhook url"})
        try:
            payload = json.loads(raw)
        except ValueError:
            return self._reply({"errcode": 40016, "errmsg": "invalid json"})
        if payload.get("msgtype") != "text" or not isinstance(payload.get("text"), dict):
            return self._reply({"errcode": 40008, "errmsg": "invalid message type"})
        content = payload["text"].get("content", "")
        if not content or len(content.encode("utf-8")) > MAX_TEXT_BYTES:
            return self._reply({"errcode": 40058, "errmsg": "content exceed max length"})
        with sandbox.lock:
            now = time.monotonic()
            recent = [t for t in sandbox.sent.get(key, []) if now - t < 60]
            if len(recent) >= LIMIT_PER_MINUTE:
                sandbox.sent[key] = recent
                return self._reply({"errcode": 45009, "errmsg": "api freq out of limit"})
            recent.append(now)
            sandbox.sent[key] = recent
            sandbox.messages.append((key, payload))
        return self._reply({"errcode": 0, "errmsg": "ok"})


class WecomRobotSandbox:
    def __init__(self, keys=("test-key",)):
        self.keys = set(keys)
        self.messages = []
        self.sent = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.sandbox = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, key="test-key"):
        host, port = self.server.server_address
        return f"http://{host}:{port}/cgi-bin/webhook/send?key={key}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
