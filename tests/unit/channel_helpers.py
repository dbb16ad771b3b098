"""Helpers of the channel tests: clients for sandboxes, pulling every page."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import connectors
from connectors import canonical

PLATFORMS = connectors.PLATFORMS
NOW = datetime.now(timezone.utc)
# a range that covers every generated order (created over the last two days)
START, END = NOW - timedelta(days=3), NOW + timedelta(minutes=5)
CST = timezone(timedelta(hours=8))


def client_for(box, token_callback=None, **overrides):
    """A client of ``box`` with small timeouts and no client-side rate limit unless asked."""
    values = {**box.client_config(), "timeout": (1, 3), "rate_limit": 0, **overrides}
    return connectors.get_client(connectors.ClientConfig(**values), token_callback=token_callback)


def pull_all(client, start=START, end=END, page_size=20):
    """Every raw order of the range, by external id (fails on duplicates inside one pass)."""
    found = {}
    for page in client.iter_order_pages(start, end, page_size=page_size):
        for raw in page.orders:
            key = client.external_id(raw)
            assert key not in found, f"order {key} came twice in one pass"
            found[key] = raw
    return found


def canonical_order(**values):
    """A paid JD order in canonical form, for the plain tests; ``values`` replace fields."""
    base = {
        "platform": "jd",
        "external_id": "300001",
        "shop_id": "shop-1",
        "status": canonical.STATUS_PAID,
        "platform_status": "WAIT_SELLER_STOCK_OUT",
        "created_at": datetime(2026, 11, 22, 9, 30, tzinfo=CST),
        "updated_at": datetime(2026, 11, 22, 9, 31, tzinfo=CST),
        "lines": (canonical.Line("sku-1", "BRK-2026-01", quantity=Decimal(2), unit_price=Decimal("268.00")),),
    }
    base.update(values)
    return canonical.CanonicalOrder(**base)
