"""SF Express gateway sandbox (丰桥 /std/service).

Checks partnerID and msgDigest = base64(md5(URLEncoder.encode(msgData + timestamp
+ checkWord))) as the gateway does, answers apiResultCode A1000/A1001/A1004/A1005/
A1006 and apiResultData as a JSON string.  Waybills are ``SF`` + 13 digits.
"""

import base64
import hashlib
import itertools
import json
import uuid

from sandbox.carriers_common import CarrierSandbox, java_url_encode


class SfSandbox(CarrierSandbox):
    name = "sf"

    def __init__(self, accounts=None):
        super().__init__()
        self.accounts = dict(accounts or {"OH_TEST": "sandbox-check-word"})
        self.orders = {}  # orderId -> msgData + waybill
        self.address_changes = []
        self.refuse_address_change = set()  # waybills SF will not redirect
        self.flow_controlled = False
        self._numbers = itertools.count(1)

    @staticmethod
    def digest(msg_data, timestamp, check_word):
        encoded = java_url_encode(msg_data + timestamp + check_word)
        return base64.b64encode(hashlib.md5(encoded.encode("ascii")).digest()).decode("ascii")

    @staticmethod
    def _api(code, message="", data=None):
        return (
            200,
            {},
            {
                "apiResultCode": code,
                "apiErrorMsg": message,
                "apiResponseID": uuid.uuid4().hex,
                "apiResultData": json.dumps(data, ensure_ascii=False) if data is not None else None,
            },
        )

    def _business(self, data=None, error=None, message=""):
        if error:
            return self._api(
                "A1000", data={"success": False, "errorCode": error, "errorMsg": message, "msgData": None}
            )
        return self._api(
            "A1000", data={"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": data}
        )

    def route(self, path, headers, body):
        form = self.form(body)
        required = ("partnerID", "requestID", "serviceCode", "timestamp", "msgData", "msgDigest")
        if any(not form.get(key) for key in required):
            return self._api("A1001", "必传参数不可为空")
        check_word = self.accounts.get(form["partnerID"])
        if check_word is None:
            return self._api("A1004", "无对应服务权限")
        if self.digest(form["msgData"], form["timestamp"], check_word) != form["msgDigest"]:
            return self._api("A1006", "数字签名无效")
        if self.flow_controlled:
            return self._api("A1005", "流量受控")
        try:
            msg = json.loads(form["msgData"])
        except ValueError:
            return self._business(error="8000", message="msgData 不是 JSON")
        handler = {
            "EXP_RECE_CREATE_ORDER": self._create,
            "EXP_RECE_UPDATE_ORDER": self._update,
            "EXP_RECE_WANTED_INTERCEPT": self._intercept,
            "EXP_RECE_SEARCH_ORDER_RESP": self._search,
        }.get(form["serviceCode"])
        if not handler:
            return self._api("A1004", "无对应服务权限")
        return handler(msg)

    def _create(self, msg):
        order_id = msg.get("orderId")
        receivers = [c for c in msg.get("contactInfoList") or [] if c.get("contactType") == 2]
        if not order_id or not receivers or not receivers[0].get("address"):
            return self._business(error="1010", message="收件地址不能为空")
        if order_id in self.orders:
            return self._business(error="8016", message="重复下单")
        waybill = f"SF{next(self._numbers):013d}"
        self.orders[order_id] = dict(msg, waybill=waybill)
        return self._business(
            {
                "orderId": order_id,
                "originCode": "571",
                "destCode": "021",
                "filterResult": 2,
                "waybillNoInfoList": [{"waybillType": 1, "waybillNo": waybill}],
            }
        )

    def _search(self, msg):
        order = self.orders.get(msg.get("orderId"))
        if not order:
            return self._business(error="8018", message="未获取到订单信息")
        return self._business(
            {
                "orderId": msg["orderId"],
                "origincode": "571",
                "destcode": "021",
                "filterResult": "2",
                "waybillNoInfoList": [{"waybillType": 1, "waybillNo": order["waybill"]}],
            }
        )

    def _update(self, msg):
        if msg.get("orderId") not in self.orders:
            return self._business(error="8018", message="未获取到订单信息")
        self.orders[msg["orderId"]]["dealType"] = msg.get("dealType")
        return self._business({"orderId": msg["orderId"], "resStatus": 2})

    def _intercept(self, msg):
        waybill = msg.get("waybillNo")
        known = any(order["waybill"] == waybill for order in self.orders.values())
        if not known:
            return self._business(error="8018", message="运单不存在")
        if waybill in self.refuse_address_change:
            return self._business(error="20010", message="快件已派送，无法改址")
        address = msg.get("newDestAddress") or {}
        if not address.get("address"):
            return self._business(error="1010", message="新地址不能为空")
        self.address_changes.append({"waybill": waybill, "address": address})
        return self._business({"waybillNo": waybill, "result": "1"})
