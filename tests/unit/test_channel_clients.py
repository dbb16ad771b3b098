"""Single-order fetch and the connection test of every client."""

import connectors
import pytest
from channel_helpers import PLATFORMS, client_for


@pytest.mark.parametrize("platform", PLATFORMS)
def test_get_order_returns_the_detail_payload(make_sandbox, platform):
    box = make_sandbox(platform, orders=5)
    client = client_for(box)
    order_id = sorted(box.orders)[2]
    raw = client.get_order(order_id)
    assert client.external_id(raw) == order_id
    order = client.normalise(raw)
    expected = box.orders[order_id]
    assert order.external_id == order_id
    assert order.total_amount * 100 == expected.total_fen
    assert [line.merchant_code for line in order.lines] == [line.code for line in expected.lines]
    assert [line.is_gift for line in order.lines] == [line.gift for line in expected.lines]
    assert order.buyer_remark == expected.remark
    assert int(order.updated_at.timestamp()) == expected.updated


@pytest.mark.parametrize("platform", PLATFORMS)
def test_get_order_of_an_unknown_order_is_a_connector_error(make_sandbox, platform):
    box = make_sandbox(platform, orders=1)
    with pytest.raises(connectors.ConnectorError) as error:
        client_for(box).get_order("1234567890123")
    assert not error.value.retryable


@pytest.mark.parametrize("platform", PLATFORMS)
def test_test_connection_says_so_in_a_sentence(make_sandbox, platform):
    box = make_sandbox(platform, orders=2)
    message = client_for(box).test_connection()
    assert message.startswith("Connected to ") and message.endswith(".")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_test_connection_with_bad_credentials_raises_auth_error(make_sandbox, platform):
    box = make_sandbox(platform)
    wrong = {"app_secret": "wrong-secret", "access_token": "wrong-token"}
    with pytest.raises(connectors.AuthError) as error:
        client_for(box, **wrong).test_connection()
    assert "wrong-secret" not in str(error.value) and "wrong-token" not in str(error.value)


def test_get_client_refuses_an_unknown_platform():
    with pytest.raises(ValueError):
        connectors.get_client(connectors.ClientConfig("taobao"))


def test_config_repr_hides_secrets():
    config = connectors.ClientConfig("jd", app_secret="S-111", access_token="T-222", refresh_token="R-333")
    assert not {"S-111", "T-222", "R-333"} & set(repr(config).replace("'", " ").split())
    assert "S-111" not in repr(config) and "T-222" not in repr(config) and "R-333" not in repr(config)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_payment_method_of_a_pulled_order(make_sandbox, platform):
    box = make_sandbox(platform, orders=3)
    order_id = sorted(box.orders)[1]
    box.orders[order_id].status = "paid"
    box.orders[order_id].payment = "cod" if platform != "wechat_shop" else "credit"
    client = client_for(box)
    order = client.normalise(client.get_order(order_id))
    assert order.payment_method == ("cod" if platform != "wechat_shop" else "credit")
