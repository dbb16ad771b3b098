"""Plain-Python layer of the channels: HTTP clients, request signers and
normalisers of each platform.  Nothing here imports ``odoo``; the ORM layer
(``..models``) only maps the canonical orders these modules produce onto sale
orders.  Tested with plain pytest against the sandboxes in ``tests/sandbox``.
"""

from .canonical import (
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_OTHER,
    STATUS_PAID,
    STATUS_PARTIALLY_SHIPPED,
    STATUS_SHIPPED,
    STATUS_UNPAID,
    Address,
    CanonicalOrder,
    InvoiceRequest,
    Line,
)
from .errors import AuthError, BadPayload, ConnectorError, RateLimited, SignatureError, TransientError
from .base import ChannelClient, ClientConfig, OrderPage, TokenInfo, need, text
from . import douyin, jd, shopee, shopify, wechat_shop
from .douyin import DouyinClient
from .jd import JdClient
from .wechat_shop import WechatShopClient
from .shopify import ShopifyClient
from .shopee import ShopeeClient
from .webhooks import WebhookEvent, verify_and_parse
from .registry import CLIENTS, selection

# the platforms, in the order their clients registered
PLATFORMS = tuple(CLIENTS)


def get_client(config, **kwargs):
    """The client of ``config.platform``; ``kwargs``: ``token_callback``, ``session``."""
    try:
        client_class = CLIENTS[config.platform]
    except KeyError:
        raise ValueError(
            f"Unknown platform {config.platform!r}; expected one of {', '.join(CLIENTS)}."
        ) from None
    return client_class(config, **kwargs)


def normalise(platform, raw):
    """Canonical order of a raw payload without a client (webhook/file/RPC payloads)."""
    return CLIENTS[platform].normalise(raw)


def external_id(platform, raw):
    """The platform's order id in a raw payload (BadPayload when missing)."""
    return CLIENTS[platform].external_id(raw)
