"""Localhost sandboxes of the five order platforms (plain Python, no Odoo).

    from sandbox import start_sandbox          # tests/ on sys.path
    box = start_sandbox("douyin", orders=200, seed=7)
    box.url, box.credentials, box.client_config()
    box.behave(rate_limited=2, retry_after=0.5)  # also server_errors, busy, malformed,
                                                 # truncated, delay, max_rps, expire_token
    box.add_orders(5); box.update_order(order_id, status="cancelled", address="...")
    box.requests                                 # [LoggedRequest(time, wall, method, path, status)]
    headers, body, url = box.webhook(order_id, topic="paid", url="http://odoo/...")
    send_webhook(box, order_id, url)             # POST a signed push to a URL
    box.stop()

Each sandbox checks signatures with its own implementation (it never imports
the client code), pages as its platform does and answers in its envelope.
``python tests/sandbox/run.py --platform douyin --port 8801`` serves one from
the command line (``--all`` serves every platform on consecutive ports).
"""

import requests

from .douyin import DouyinSandbox
from .jd import JdSandbox
from .server import BEHAVIOUR_DEFAULTS, LoggedRequest, PlatformSandbox
from .shopee import ShopeeSandbox
from .shopify import ShopifySandbox
from .wechat_shop import WechatShopSandbox

SANDBOXES = {
    "douyin": DouyinSandbox,
    "jd": JdSandbox,
    "wechat_shop": WechatShopSandbox,
    "shopify": ShopifySandbox,
    "shopee": ShopeeSandbox,
}
Sandbox = PlatformSandbox


def start_sandbox(
    platform,
    orders=0,
    seed=0,
    port=0,
    host="127.0.0.1",
    now=None,
    spread=2 * 86400,
    credentials=None,
    token_ttl=None,
):
    """Start the sandbox of ``platform`` on ``host:port`` (0: a free port) with ``orders`` orders.

    ``credentials`` overrides the generated ones (e.g. the demo channels' values);
    ``token_ttl`` is the lifetime in seconds of the tokens it issues (default 7200).
    """
    box = SANDBOXES[platform](
        orders=orders, seed=seed, now=now, spread=spread, credentials=credentials, token_ttl=token_ttl
    )
    return box.start(port=port, host=host)


def demo_credentials(platform):
    """The credentials of the demo channels (order_hub_channels demo data) for ``platform``."""
    return {
        "app_key": f"sandbox-{platform}-key",
        "app_secret": f"sandbox-{platform}-secret",
        "access_token": f"sandbox-{platform}-token",
        "refresh_token": f"sandbox-{platform}-refresh",
        "shop_id": f"sandbox-shop-{platform}",
        # WeChat Shop pushes: the token and EncodingAESKey set in the shop backend
        "webhook_token": f"sandbox-{platform}-secret",
        "aes_key": "c2FuZGJveC13ZWNoYXQtc2hvcC1hZXMta2V5LTMyYnk",
    }


def send_webhook(sandbox, order_id, url, topic=None, tamper=False, timeout=10, **options):
    """POST the platform's signed push about ``order_id`` to ``url``; returns the ``requests.Response``.

    ``tamper=True`` changes one byte of the body after signing (the receiver must refuse it).
    """
    headers, body, target = sandbox.webhook(order_id, topic=topic, url=url, **options)
    if tamper:
        body = body.replace(b"}", b" }", 1)
    return requests.post(target, data=body, headers=headers, timeout=timeout)


__all__ = [
    "BEHAVIOUR_DEFAULTS",
    "SANDBOXES",
    "demo_credentials",
    "LoggedRequest",
    "Sandbox",
    "send_webhook",
    "start_sandbox",
]
