"""Token expiry triggers a refresh (and the new token is handed to the caller);
platforms without refresh say what to do."""

from datetime import datetime, timedelta, timezone

import connectors
import pytest
from channel_helpers import client_for, pull_all


@pytest.mark.parametrize("platform", ["douyin", "wechat_shop", "shopee"])
def test_expired_token_is_refreshed_once_and_reported(make_sandbox, platform):
    box = make_sandbox(platform, orders=4)
    seen = []
    client = client_for(box, token_callback=seen.append)
    assert len(pull_all(client)) == 4
    old_token = client.config.access_token
    box.behave(expire_token=True)
    assert len(pull_all(client)) == 4
    assert client.config.access_token != old_token
    assert seen and seen[-1].access_token == client.config.access_token
    assert seen[-1].expires_at > datetime.now(timezone.utc)
    refreshes = [r for r in box.requests if "token" in r.path and r.status == 200]
    assert len(refreshes) == len(seen)


def test_token_due_soon_is_refreshed_before_the_call(make_sandbox):
    box = make_sandbox("douyin", orders=1)
    seen = []
    soon = datetime.now(timezone.utc) + timedelta(minutes=2)
    client = client_for(box, token_callback=seen.append, token_expires_at=soon)
    pull_all(client)
    assert [r.path for r in box.requests][:2] == ["/token/refresh", "/order/searchList"]
    assert len(seen) == 1 and client.config.refresh_token == box.credentials["refresh_token"]


def test_douyin_self_use_app_without_refresh_token_creates_one(make_sandbox):
    box = make_sandbox("douyin", orders=1)
    client = client_for(box, access_token="", refresh_token="")
    assert len(pull_all(client)) == 1
    assert box.requests[0].path == "/token/create"


def test_wechat_fetches_its_token_first(make_sandbox):
    box = make_sandbox("wechat_shop", orders=2)
    client = client_for(box)
    assert client.config.access_token == ""
    assert len(pull_all(client)) == 2
    assert box.requests[0].path == "/cgi-bin/token"


def test_a_refused_refresh_is_an_auth_error(make_sandbox):
    box = make_sandbox("shopee", orders=1)
    client = client_for(box, refresh_token="revoked")
    box.behave(expire_token=True)
    with pytest.raises(connectors.AuthError) as error:
        pull_all(client)
    assert "revoked" not in str(error.value)


@pytest.mark.parametrize("platform", ["jd", "shopify"])
def test_platforms_without_refresh_raise_auth_error(make_sandbox, platform):
    box = make_sandbox(platform, orders=1)
    client = client_for(box)
    box.behave(expire_token=True)
    with pytest.raises(connectors.AuthError):
        pull_all(client)
    with pytest.raises(connectors.AuthError) as error:
        client.refresh_access_token()
    assert "authorise" in str(error.value)


def test_a_granted_token_is_stored_with_its_lifetime():
    seen = []
    config = connectors.ClientConfig("douyin", base_url="http://127.0.0.1:9", refresh_token="old-refresh")
    client = connectors.get_client(config, token_callback=seen.append)
    before = datetime.now(timezone.utc)
    client._store_new_token("t1", 7200, "r1")
    assert (config.access_token, config.refresh_token) == ("t1", "r1")
    assert before + timedelta(seconds=7200) <= config.token_expires_at <= before + timedelta(seconds=7210)
    client._store_new_token("t2", 0)  # no lifetime given: no known expiry, refresh token kept
    assert (config.access_token, config.token_expires_at, config.refresh_token) == ("t2", None, "r1")
    assert [info.access_token for info in seen] == ["t1", "t2"]
    assert seen[-1].refresh_token == ""
