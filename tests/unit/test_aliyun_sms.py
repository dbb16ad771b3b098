import json
import sys
from pathlib import Path

import pytest
import requests
from sms_gateway.aliyun import AliyunSmsClient, AliyunSmsError, sign, string_to_sign

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sandbox"))
from aliyun_sms import AliyunSmsSandbox  # noqa: E402

KEY, SECRET = "LTAI-test", "s3cr3t-Value/+="


@pytest.fixture
def sms():
    with AliyunSmsSandbox(keys={KEY: SECRET}, templates={"SMS_100001"}) as sandbox:
        yield sandbox


def client(sandbox, secret=SECRET, key=KEY):
    return AliyunSmsClient(key, secret, "订单中枢", endpoint=sandbox.url)


def test_signature_matches_aliyuns_documented_example():
    # Aliyun's RPC signature v1 example (DescribeRegions, secret "testsecret")
    params = {
        "Timestamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert string_to_sign("GET", params).startswith("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions")
    assert sign("testsecret", "GET", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_send_sms_is_signed_and_recorded(sms):
    result = client(sms).send_sms("13812345678", "SMS_100001", {"serial": "D202612-0001", "carrier": "顺丰"})
    assert result["biz_id"]
    [message] = sms.messages
    assert message["PhoneNumbers"] == "13812345678"
    assert message["TemplateCode"] == "SMS_100001"
    assert message["SignName"] == "订单中枢"
    assert json.loads(message["TemplateParam"]) == {"serial": "D202612-0001", "carrier": "顺丰"}
    assert message["SignatureMethod"] == "HMAC-SHA1" and message["Version"] == "2017-05-25"


def test_wrong_secret_is_refused_and_never_quoted(sms):
    with pytest.raises(AliyunSmsError) as error:
        client(sms, secret="wrong-secret").send_sms("13812345678", "SMS_100001", {"serial": "D1"})
    assert error.value.code == "SignatureDoesNotMatch"
    assert not error.value.retryable
    assert "wrong-secret" not in str(error.value)
    assert not sms.messages
    assert "wrong-secret" not in repr(client(sms, secret="wrong-secret"))


def test_sandbox_refuses_a_tampered_request(sms):
    sender = client(sms)
    body = sender._signed_params("SendSms", {"PhoneNumbers": "13812345678", "SignName": "订单中枢"})
    body["TemplateCode"] = "SMS_100001"  # added after signing
    response = requests.post(sms.url, data=body, timeout=5)
    assert response.status_code == 400
    assert response.json()["Code"] == "SignatureDoesNotMatch"
    # the same nonce cannot be replayed either
    good = sender._signed_params(
        "SendSms", {"PhoneNumbers": "13812345678", "SignName": "订单中枢", "TemplateCode": "SMS_100001"}
    )
    assert requests.post(sms.url, data=good, timeout=5).json()["Code"] == "OK"
    assert requests.post(sms.url, data=good, timeout=5).json()["Code"] == "SignatureNonceUsed"


def test_unknown_key_bad_phone_and_template_are_not_retryable(sms):
    for sender, phone, template, code in (
        (client(sms, key="LTAI-other"), "13812345678", "SMS_100001", "InvalidAccessKeyId.NotFound"),
        (client(sms), "12345", "SMS_100001", "isv.MOBILE_NUMBER_ILLEGAL"),
        (client(sms), "13812345678", "SMS_999", "isv.SMS_TEMPLATE_ILLEGAL"),
    ):
        with pytest.raises(AliyunSmsError) as error:
            sender.send_sms(phone, template, {"serial": "D1"})
        assert error.value.code == code
        assert not error.value.retryable


def test_throttling_server_errors_and_network_are_retryable(sms):
    sms.fail_next.extend([(200, "isv.BUSINESS_LIMIT_CONTROL"), (503, "ServiceUnavailable")])
    for _attempt in range(2):
        with pytest.raises(AliyunSmsError) as error:
            client(sms).send_sms("13812345678", "SMS_100001")
        assert error.value.retryable
    assert client(sms).send_sms("13812345678", "SMS_100001")["biz_id"]
    offline = AliyunSmsClient(KEY, SECRET, "订单中枢", endpoint="http://127.0.0.1:9/", timeout=(1, 1))
    with pytest.raises(AliyunSmsError) as error:
        offline.send_sms("13812345678", "SMS_100001")
    assert error.value.retryable
    assert SECRET not in str(error.value)
