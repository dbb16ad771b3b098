"""Kuaidi100 sandbox: real-time query (/poll/query.do), subscription (/poll) and
push callbacks to the subscriber's callbackurl.

query sign = UPPER(md5(param + key + customer)); push sign = UPPER(md5(param + salt)).
Errors as documented: 400 bad data, 500 no result, 502 busy, 503 bad sign, 601 bad key.
"""

import json

import requests

from sandbox.carriers_common import CarrierSandbox, md5_upper


class Kuaidi100Sandbox(CarrierSandbox):
    name = "kuaidi100"

    def __init__(self, customer="OHCUSTOMER", key="sandbox-kd100-key"):
        super().__init__()
        self.customer = customer
        self.key = key
        self.tracks = {}  # number -> {"com", "state", "data": [...] newest first}
        self.subscriptions = {}  # number -> {"callbackurl", "salt", "company"}
        self.busy = False
        self.queries = []

    # -- scripting ----------------------------------------------------------
    def set_track(self, number, company, state, events):
        """``events``: list of (time "YYYY-MM-DD HH:MM:SS", context), oldest first."""
        data = [{"time": t, "ftime": t, "context": c, "status": ""} for t, c in reversed(events)]
        self.tracks[number] = {"com": company, "state": str(state), "data": data}

    def _result(self, number):
        track = self.tracks[number]
        return {
            "message": "ok",
            "nu": number,
            "ischeck": "1" if track["state"] == "3" else "0",
            "com": track["com"],
            "status": "200",
            "state": track["state"],
            "condition": "F00",
            "data": track["data"],
        }

    def push(self, number, bad_sign=False, timeout=10):
        """POST the current tracking of ``number`` to its subscriber; returns the response."""
        sub = self.subscriptions[number]
        param = json.dumps(
            {"status": "polling", "billstatus": "got", "message": "", "lastResult": self._result(number)},
            ensure_ascii=False,
        )
        sign = md5_upper(param + (sub["salt"] or ""))
        if bad_sign:
            sign = md5_upper(param + "not-the-salt")
        return requests.post(sub["callbackurl"], data={"param": param, "sign": sign}, timeout=timeout)

    # -- HTTP ---------------------------------------------------------------
    @staticmethod
    def _error(code, message):
        return 200, {}, {"result": False, "returnCode": code, "message": message}

    def route(self, path, headers, body):
        form = self.form(body)
        if path.startswith("/poll/query.do"):
            return self._query(form)
        if path.rstrip("/") == "/poll":
            return self._subscribe(form)
        return 404, {}, {"message": "not found"}

    def _query(self, form):
        param = form.get("param") or ""
        if form.get("customer") != self.customer:
            return self._error("601", "key 或 customer 无效")
        if md5_upper(param + self.key + self.customer) != form.get("sign"):
            return self._error("503", "验证签名失败")
        if self.busy:
            return self._error("502", "服务器繁忙，请稍后再试")
        try:
            query = json.loads(param)
            number = query["num"]
        except (ValueError, KeyError):
            return self._error("400", "找不到对应公司或参数错误")
        self.queries.append(number)
        if number not in self.tracks:
            return self._error("500", "查询无结果，请隔段时间再查")
        return 200, {}, self._result(number)

    def _subscribe(self, form):
        try:
            param = json.loads(form.get("param") or "")
        except ValueError:
            return self._error("400", "数据不完整")
        if form.get("schema") != "json" or param.get("key") != self.key:
            return self._error("601", "key 无效")
        number = param.get("number")
        callback = (param.get("parameters") or {}).get("callbackurl")
        if not number or not callback:
            return self._error("400", "数据不完整")
        if number in self.subscriptions:
            return self._error("501", "重复订阅")
        self.subscriptions[number] = {
            "callbackurl": callback,
            "salt": (param.get("parameters") or {}).get("salt"),
            "company": param.get("company"),
        }
        return 200, {}, {"result": True, "returnCode": "200", "message": "提交成功"}
