"""Stock sync: the quantity a channel may sell, and its publication.

``available(free, ratio, buffer)`` is the figure published for one product
on one channel: the free quantity of the warehouses serving the channel
times the channel's ratio, minus its buffer, rounded down, never negative.

``plan(platform, items)`` cuts the items into the platform's calls and
``publish(client, items)`` sends them through a client of
``connectors.get_client`` (its ``HttpCore`` paces the requests with the
channel's rate limit).  A 429, a platform's "too fast" code or a Retry-After
up to ``max_wait`` seconds makes ``publish`` wait and send the same call
again; a longer wait, network trouble or 5xx stops it: what was not sent is
returned as ``pending`` with the error, for a later job.  A refusal of some
items (unknown SKU) marks those items failed and the others go on.

The calls, as we know them from the platforms' public documentation
([?]: could not be confirmed, see channel-apis.md):

* Douyin ``sku.syncStock`` {sku_id | code, stock_num, incremental: false,
  idempotent_id}: one SKU per call; numeric codes are platform SKU ids,
  others merchant codes.  QPS not public [?]; "too fast" is code 60000.
* JD ``jingdong.stock.write.updateSkuStock`` {skuId, stockNum}: one SKU per
  call [?]; "App Call Limited" is gateway code 2.
* Shopify GraphQL ``inventorySetQuantities`` (the current form of "inventory
  levels set") with up to 250 quantities per call, name ``available``,
  reason ``correction``; the mapping's code is the inventory item id and the
  channel names the location.  Throttled calls answer 429 (REST bucket 40,
  2/s) or ``THROTTLED``.
* Shopee ``POST /api/v2/product/update_stock`` {item_id, stock_list[{model_id,
  seller_stock[{stock}]}]}: one item per call, up to 50 models; codes are
  ``item_id`` or ``item_id:model_id``.  Rate limit [?]: HTTP 429.
* WeChat Shop ``POST /channels/ec/product/stock/update`` {product_id, sku_id,
  diff_type: 3 (set), num} [?]: one SKU per call; codes are ``product_id:sku_id``
  (or one id used for both); minute quota errcode 45011.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from .base import as_dict, as_list, text
from .errors import AuthError, ConnectorError, RateLimited


@dataclass(frozen=True)
class StockApi:
    name: str  # the platform's API, for people
    per_call: int  # items per call
    rate: float  # requests per second we assume by default
    burst: int = 1  # requests the platform accepts at once
    note: str = ""


STOCK_APIS = {
    "douyin": StockApi("sku.syncStock", 1, 100.0, 1, "QPS not public [?]"),
    "jd": StockApi("jingdong.stock.write.updateSkuStock", 1, 100.0, 1, "per-app quota, QPS not public [?]"),
    "shopify": StockApi("inventorySetQuantities", 250, 2.0, 40, "REST-style bucket: 40, leaking 2/s"),
    "shopee": StockApi("product/update_stock", 50, 100.0, 1, "one item (up to 50 models) per call [?]"),
    "wechat_shop": StockApi("product/stock/update", 1, 100.0, 1, "minute quota, errcode 45011 [?]"),
}
MAX_RETRIES = 5


def available(free, ratio=1.0, buffer=0.0) -> int:
    """free × ratio − buffer, rounded down, never negative (exact decimals:
    0.7 × 10 is 7, not 6.999...)."""
    value = Decimal(str(free or 0)) * Decimal(str(ratio if ratio is not None else 1)) - Decimal(
        str(buffer or 0)
    )
    return max(0, int(value.to_integral_value(rounding=ROUND_FLOOR)))


@dataclass(frozen=True)
class StockItem:
    code: str  # the platform's reference of the product (SKU mapping)
    quantity: int
    key: str = ""  # our idempotency key of this figure


@dataclass
class PublishOutcome:
    sent: list = field(default_factory=list)  # StockItem the platform took
    failed: dict = field(default_factory=dict)  # code -> the platform's reason
    pending: list = field(default_factory=list)  # not sent (stopped by ``error``)
    calls: int = 0  # requests sent (retries included)
    waited: float = 0.0  # seconds waited on Retry-After / "too fast"
    error: ConnectorError | None = None  # why the rest is pending


def _shopee_key(code):
    item, _sep, model = str(code).partition(":")
    return item, model


def plan(platform, items):
    """The calls of ``items`` on ``platform``: a list of lists of ``StockItem``."""
    api = STOCK_APIS[platform]
    if platform == "shopee":
        by_item = {}
        for item in items:
            by_item.setdefault(_shopee_key(item.code)[0], []).append(item)
        return [
            group[i : i + api.per_call]
            for group in by_item.values()
            for i in range(0, len(group), api.per_call)
        ]
    return [items[i : i + api.per_call] for i in range(0, len(items), api.per_call)]


def estimate_seconds(platform, calls, rate=None, burst=None):
    """Seconds ``calls`` take at the platform's rate (the burst goes at once)."""
    api = STOCK_APIS[platform]
    rate = rate or api.rate
    burst = burst or api.burst
    return max(0.0, (calls - burst) / rate) if rate else 0.0


def publish(client, items, max_wait=5.0, sleep=time.sleep) -> PublishOutcome:
    """Send ``items`` to the platform of ``client``; see the module docstring."""
    sender = _SENDERS.get(client.platform)
    if sender is None:
        raise ValueError(f"No stock sync for platform {client.platform!r}.")
    outcome = PublishOutcome()
    batches = plan(client.platform, list(items))
    for index, batch in enumerate(batches):
        tries = 0
        while True:
            outcome.calls += 1
            try:
                refused = sender(client, batch)
            except RateLimited as error:
                tries += 1
                if error.retry_after > max_wait or tries > MAX_RETRIES:
                    return _stop(outcome, batches[index:], error)
                wait = max(error.retry_after, 0.05)
                sleep(wait)
                outcome.waited += wait
                continue
            except AuthError as error:
                return _stop(outcome, batches[index:], error)
            except ConnectorError as error:
                if error.retryable:
                    return _stop(outcome, batches[index:], error)
                refused = {item.code: str(error) for item in batch}
            break
        for item in batch:
            if item.code in refused:
                outcome.failed[item.code] = refused[item.code]
            else:
                outcome.sent.append(item)
    return outcome


def _stop(outcome, batches, error):
    outcome.pending = [item for batch in batches for item in batch]
    outcome.error = error
    return outcome


# ---- the platforms' calls: each returns {code: reason} of refused items --------
def _douyin(client, batch):
    (item,) = batch
    params = {"stock_num": item.quantity, "incremental": False, "idempotent_id": item.key or item.code}
    params["sku_id" if item.code.isdigit() else "code"] = item.code
    client._call_token("sku.syncStock", params)
    return {}


def _jd(client, batch):
    (item,) = batch
    body = client._call(
        "jingdong.stock.write.updateSkuStock", {"skuId": item.code, "stockNum": item.quantity}
    )
    if body.get("success") is False:
        return {
            item.code: f"JD refused the stock of {item.code}: {text(body.get('message') or body.get('code'))}"
        }
    return {}


SHOPIFY_MUTATION = (
    "mutation inventorySetQuantities($input: InventorySetQuantitiesInput!) {"
    " inventorySetQuantities(input: $input) {"
    " inventoryAdjustmentGroup { reason } userErrors { field message } } }"
)


def _shopify(client, batch):
    location = client.config.extra.get("location_id") or "1"
    variables = {
        "input": {
            "name": "available",
            "reason": "correction",
            "ignoreCompareQuantity": True,
            "quantities": [
                {
                    "inventoryItemId": f"gid://shopify/InventoryItem/{item.code}",
                    "locationId": f"gid://shopify/Location/{location}",
                    "quantity": item.quantity,
                }
                for item in batch
            ],
        }
    }
    response = client.http.request(
        "POST",
        f"{client.api}/graphql.json",
        json_body={"query": SHOPIFY_MUTATION, "variables": variables},
        headers={"X-Shopify-Access-Token": client.config.access_token},
    )
    data = response.data if isinstance(response.data, dict) else {}
    if response.status in (401, 402, 403, 423):
        raise AuthError(f"Shopify refused access (HTTP {response.status}); install the app again.")
    if response.status >= 400:
        raise ConnectorError(f"Shopify answered HTTP {response.status}: {text(data.get('errors'))}")
    errors = as_list(data.get("errors"), "errors")
    if any(
        as_dict(as_dict(e, "error").get("extensions"), "extensions").get("code") == "THROTTLED"
        for e in errors
    ):
        raise RateLimited("Shopify throttled the stock update.", retry_after=1.0)
    if errors:
        reason = "; ".join(text(as_dict(e, "error").get("message")) for e in errors)
        return {item.code: f"Shopify refused the stock update: {reason}" for item in batch}
    result = as_dict(
        as_dict(data.get("data"), "data").get("inventorySetQuantities"), "inventorySetQuantities"
    )
    refused = {}
    for error in as_list(result.get("userErrors"), "userErrors"):
        path = [text(p) for p in as_list(as_dict(error, "userError").get("field"), "field")]
        index = next((int(p) for p in path if p.isdigit()), None)
        chosen = [batch[index]] if index is not None and index < len(batch) else batch
        for item in chosen:
            refused[item.code] = f"Shopify refused the stock of {item.code}: {text(error.get('message'))}"
    return refused


def _model_id(code):
    model = _shopee_key(code)[1] or "0"
    return int(model) if model.isdigit() else 0


def _shopee(client, batch):
    item_id = _shopee_key(batch[0].code)[0]
    body = {
        "item_id": int(item_id) if item_id.isdigit() else item_id,
        "stock_list": [
            {
                "model_id": int(_shopee_key(item.code)[1] or 0)
                if (_shopee_key(item.code)[1] or "0").isdigit()
                else 0,
                "seller_stock": [{"stock": item.quantity}],
            }
            for item in batch
        ],
    }
    data = client._with_token(client._post, "/api/v2/product/update_stock", body)
    failures = as_list(as_dict(data.get("response"), "response").get("failure_list"), "failure_list")
    by_model = {text(f.get("model_id")): text(f.get("failed_reason")) for f in failures}
    refused = {}
    for item in batch:
        model = _shopee_key(item.code)[1] or "0"
        if model in by_model:
            refused[item.code] = f"Shopee refused the stock of {item.code}: {by_model[model]}"
    return refused


def _wechat(client, batch):
    (item,) = batch
    product_id, _sep, sku_id = item.code.partition(":")
    body = {"product_id": product_id, "sku_id": sku_id or product_id, "diff_type": 3, "num": item.quantity}
    client._call("channels/ec/product/stock/update", body)
    return {}


_SENDERS = {"douyin": _douyin, "jd": _jd, "shopify": _shopify, "shopee": _shopee, "wechat_shop": _wechat}
