"""A localhost Aliyun SMS (dysmsapi 2017-05-25) endpoint for ``SendSms``.

Checks what Aliyun checks, independently of the client code: the RPC
signature v1 (HMAC-SHA1 over ``POST&%2F&<canonical query>`` with
``AccessKeySecret + "&"``), the common parameters, a timestamp within 15
minutes, a nonce used once, a known AccessKey, a registered signature name and
template, a mainland mobile number and JSON template parameters. Records every
accepted message. No Odoo import.

    with AliyunSmsSandbox(keys={"LTAIkey": "secret"}) as sms:   # port=18814: a fixed port
        sms.url        # endpoint for the client
        sms.messages   # [{"PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", ...}]
        sms.refused    # [(code, params)] of refused calls
        sms.fail_next.append((503, "ServiceUnavailable"))  # inject one failure
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlparse

COMMON = (
    "AccessKeyId",
    "Action",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
)
MAX_SKEW = 15 * 60
MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


def _enc(value):
    return quote(str(value), safe="-_.~")


def expected_signature(secret, method, params):
    query = "&".join(f"{_enc(k)}={_enc(params[k])}" for k in sorted(params) if k != "Signature")
    to_sign = f"{method}&{_enc('/')}&{_enc(query)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, code, message, params=None, **extra):
        sandbox = self.server.sandbox
        if code != "OK":
            with sandbox.lock:
                sandbox.refused.append((code, params or {}))
        body = {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper(), **extra}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _params(self):
        query = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            query.update(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        return query

    def do_GET(self):  # noqa: N802 (http.server API)
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def _handle(self):  # noqa: C901 (one check per documented error)
        sandbox = self.server.sandbox
        params = self._params()
        if sandbox.fail_next:
            status, code = sandbox.fail_next.pop(0)
            return self._reply(status, code, "injected failure", params)
        missing = [name for name in (*COMMON, "Signature") if not params.get(name)]
        if missing:
            return self._reply(400, "MissingParameter", f"{missing[0]} is mandatory for this action.", params)
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return self._reply(400, "InvalidParameter", "Signature method or version unsupported.", params)
        secret = sandbox.keys.get(params["AccessKeyId"])
        if secret is None:
            return self._reply(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.", params
            )
        if not hmac.compare_digest(params["Signature"], expected_signature(secret, self.command, params)):
            return self._reply(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
                params,
            )
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return self._reply(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.", params)
        if abs(time.time() - stamp.timestamp()) > MAX_SKEW:
            return self._reply(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        with sandbox.lock:
            replayed = params["SignatureNonce"] in sandbox.nonces
            sandbox.nonces.add(params["SignatureNonce"])
        if replayed:
            return self._reply(
                400, "SignatureNonceUsed", "Specified signature nonce was used already.", params
            )
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return self._reply(404, "InvalidAction.NotFound", "Specified api is not found.", params)
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self._reply(400, "MissingParameter", f"{name} is mandatory for this action.", params)
        if params["SignName"] not in sandbox.sign_names:
            return self._reply(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名", params)
        if sandbox.templates is not None and params["TemplateCode"] not in sandbox.templates:
            return self._reply(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板", params)
        if not all(MOBILE.match(phone) for phone in params["PhoneNumbers"].split(",")):
            return self._reply(200, "isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误", params)
        if params.get("TemplateParam"):
            try:
                if not isinstance(json.loads(params["TemplateParam"]), dict):
                    raise ValueError
            except ValueError:
                return self._reply(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值", params)
        biz_id = f"{int(time.time())}^{len(sandbox.messages) + 1}"
        with sandbox.lock:
            sandbox.messages.append({k: v for k, v in params.items() if k != "Signature"})
        return self._reply(200, "OK", "OK", BizId=biz_id)


class AliyunSmsSandbox:
    def __init__(self, keys=None, sign_names=("订单中枢",), templates=None, port=0, host="127.0.0.1"):
        self.keys = dict(keys or {"LTAI-sandbox": "sandbox-secret"})
        self.sign_names = set(sign_names)
        self.templates = set(templates) if templates is not None else None
        self.messages = []
        self.refused = []
        self.nonces = set()
        self.fail_next = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.sandbox = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
