"""Shared machinery of the carrier sandboxes (carrier_*.py): a localhost HTTP
server in a thread, scripted failures, a request log.

Each sandbox checks signatures with its own code, written from the carriers'
documentation, never by importing the clients under test.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

JAVA_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


def java_url_encode(text):
    """java.net.URLEncoder.encode(text, "UTF-8"), byte by byte."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in JAVA_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def md5_upper(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


class CarrierSandbox:
    """Base sandbox; subclasses implement ``route(path, headers, body)``.

    ``fail_next(status, count)`` makes the next ``count`` requests answer
    ``status`` (e.g. 502) before any processing, as a broken gateway would.
    """

    name = "carrier"

    def __init__(self):
        self.requests = []
        self._failures = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.url = None

    # -- life cycle ---------------------------------------------------------
    def start(self, port=0):
        """Serve on 127.0.0.1:``port`` (0: a free port)."""
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = sandbox._dispatch(self.path, self.headers, body)
                data = (
                    payload
                    if isinstance(payload, bytes)
                    else json.dumps(payload, ensure_ascii=False).encode()
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"sandbox-{self.name}", daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- behaviour ----------------------------------------------------------
    def fail_next(self, status=503, count=1, headers=None):
        with self._lock:
            self._failures.extend([(status, headers or {})] * count)

    def reset(self):
        """Forget scripted failures and flow control (stored data stays)."""
        with self._lock:
            self._failures.clear()
        for flag in ("busy", "flow_controlled"):
            if hasattr(self, flag):
                setattr(self, flag, False)

    def _dispatch(self, path, headers, body):
        with self._lock:
            self.requests.append({"path": path, "headers": dict(headers), "body": body})
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            return failure[0], failure[1], b"<html>upstream error</html>"
        return self.route(path, headers, body)

    def route(self, path, headers, body):
        raise NotImplementedError

    @staticmethod
    def form(body):
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
