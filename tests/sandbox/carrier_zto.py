"""ZTO open platform sandbox: JSON body, x-appKey, x-dataDigest = base64(md5(body + secret)).

Answers ``{status, statusCode, message, result}``; S211 bad signature, S221 QPS limit.
"""

import base64
import hashlib
import itertools
import json

from sandbox.carriers_common import CarrierSandbox


class ZtoSandbox(CarrierSandbox):
    name = "zto"

    def __init__(self, apps=None):
        super().__init__()
        self.apps = dict(apps or {"oh-app": "sandbox-zto-secret"})
        self.orders = {}
        self.address_changes = []
        self.refuse_address_change = set()
        self.flow_controlled = False
        self._numbers = itertools.count(1)

    @staticmethod
    def _answer(ok, code, message, result=None):
        return 200, {}, {"status": ok, "statusCode": code, "message": message, "result": result}

    def route(self, path, headers, body):
        secret = self.apps.get(headers.get("x-appKey") or "")
        if secret is None:
            return self._answer(False, "S212", "appKey 无效")
        expected = base64.b64encode(hashlib.md5(body + secret.encode("utf-8")).digest()).decode()
        if headers.get("x-dataDigest") != expected:
            return self._answer(False, "S211", "签名错误")
        if self.flow_controlled:
            return self._answer(False, "S221", "QPS 超限")
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:
            return self._answer(False, "E001", "请求体不是 JSON")
        api = path.strip("/")
        if api == "zto.open.createOrder":
            return self._create(payload)
        if api == "zto.open.modifyOrder":
            return self._modify(payload)
        return self._answer(False, "S404", "接口不存在")

    def _create(self, payload):
        code = payload.get("partnerOrderCode")
        receiver = payload.get("receiveInfo") or {}
        if not code or not receiver.get("address"):
            return self._answer(False, "E1001", "收件信息不完整")
        if code in self.orders:
            return self._answer(
                True, "0000", "ok", {"billCode": self.orders[code]["billCode"], "orderCode": code}
            )
        bill = f"7859{next(self._numbers):08d}"
        self.orders[code] = dict(payload, billCode=bill)
        return self._answer(True, "0000", "ok", {"billCode": bill, "orderCode": code})

    def _modify(self, payload):
        bill = payload.get("billCode")
        if not any(order["billCode"] == bill for order in self.orders.values()):
            return self._answer(False, "E2001", "运单不存在")
        if bill in self.refuse_address_change:
            return self._answer(False, "E2002", "已派件，不能修改地址")
        self.address_changes.append({"waybill": bill, "address": payload.get("receiveInfo")})
        return self._answer(True, "0000", "ok", {"billCode": bill})
