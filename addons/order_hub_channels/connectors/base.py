"""What every channel client offers, and the helpers their normalisers share.

A client is built from a ``ClientConfig`` (``connectors.get_client(config)``)
and offers:

* ``test_connection()`` -> a readable sentence (raises a typed error on failure)
* ``iter_order_pages(start, end, page_size)`` -> ``OrderPage`` objects holding
  detail-level raw payloads; the platform's paging and window limits are
  handled inside.  ``page.watermark`` is the update time up to which everything
  is covered once that page is stored: the end of the time window on the last
  page of a window, a second before the page's latest update time on platforms
  that sort by update time, else the start of the window.  Lists sorted by
  update time are read by seeking (``seek_pages``), so an order updated while
  we page never makes another one slip through.
* ``get_order(external_id)`` -> one raw payload, as ``iter_order_pages`` yields
* ``refresh_access_token()`` -> ``TokenInfo`` (platforms with refreshable tokens)
* ``external_id(raw)`` and ``normalise(raw)`` -> ``CanonicalOrder``
* ``webhook_ack``: the answer the platform expects to a verified push

A client class registers itself under its ``platform`` (``registry.CLIENTS``),
the one list of platforms.

Refreshed tokens are written into ``client.config`` and passed to the
``token_callback`` given to the client, so the caller can store them.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from . import registry
from .errors import AuthError, BadPayload
from .http import HttpCore

_logger = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
FEN = Decimal("0.01")


@dataclass
class ClientConfig:
    platform: str
    base_url: str = ""  # empty: the platform's official endpoint
    app_key: str = ""  # Douyin app_key, JD app_key, WeChat appid, Shopee partner_id
    app_secret: str = field(default="", repr=False)  # Shopee partner_key, Shopify client secret
    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    token_expires_at: datetime | None = None
    shop_id: str = ""  # Douyin/Shopee shop id, JD vender id, Shopify shop domain
    extra: dict = field(default_factory=dict)  # per-platform options, see each client
    timeout: tuple = (5, 30)  # (connect, read) seconds
    rate_limit: float = 5.0  # requests per second; 0 = no client-side limit


@dataclass(frozen=True)
class OrderPage:
    orders: list  # raw detail-level payloads (dicts)
    watermark: datetime  # update time up to which everything is covered
    next_cursor: str | None = None  # platform cursor of the next page, None on the last


@dataclass(frozen=True)
class TokenInfo:
    access_token: str = field(repr=False)
    expires_at: datetime | None = None
    refresh_token: str = field(default="", repr=False)
    refresh_expires_at: datetime | None = None


class ChannelClient(abc.ABC):
    platform = ""
    label = ""
    default_base_url = ""
    max_page_size = 100
    refresh_margin = timedelta(minutes=5)
    order_id_key = ""  # key of the platform's order id in a raw payload
    # the platform module's ``normalise(raw)``, set with staticmethod(): a plain function
    # stored on the class would become a method (``client.normaliser(raw)`` would pass the client)
    normaliser = None
    # (content type, body) the platform expects in answer to a webhook push
    webhook_ack = ("text/plain", "")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.platform:
            registry.register(cls)

    def __init__(self, config: ClientConfig, *, token_callback: Callable | None = None, session=None):
        self.config = config
        self.token_callback = token_callback
        self.http = HttpCore(
            config.base_url or self.default_base_url,
            timeout=config.timeout,
            rate_limit=config.rate_limit,
            burst=config.extra.get("burst"),
            session=session,
            label=self.label,
        )

    def close(self):
        self.http.close()

    # ---- tokens -------------------------------------------------------------
    def refresh_access_token(self) -> TokenInfo:
        raise AuthError(
            f"{self.label} access tokens cannot be refreshed by Order Hub; "
            "authorise the shop again and paste the new token on the channel."
        )

    def _store_token(self, info: TokenInfo):
        self.config.access_token = info.access_token
        self.config.token_expires_at = info.expires_at
        if info.refresh_token:
            self.config.refresh_token = info.refresh_token
        if self.token_callback:
            self.token_callback(info)
        return info

    def _store_new_token(self, access_token, expires_in, refresh_token=""):
        """Store a token the platform granted for ``expires_in`` seconds (0: no known expiry)."""
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=expires_in) if expires_in else None
        return self._store_token(TokenInfo(access_token, expires_at, refresh_token))

    def token_due(self, now=None):
        expires = self.config.token_expires_at
        if not self.config.access_token:
            return True
        if expires is None:
            return False
        now = now or datetime.now(timezone.utc)
        return now >= expires - self.refresh_margin

    def _with_token(self, call, *args, **kwargs):
        """Run ``call`` with a valid token: refresh first when it is due, and
        once more when the platform says the token expired."""
        if self.token_due() and self.can_refresh():
            self.refresh_access_token()
        try:
            return call(*args, **kwargs)
        except AuthError as error:
            if not (error.expired and self.can_refresh()):
                raise
            _logger.info("%s: token expired, refreshing it once", self.label)
            self.refresh_access_token()
            return call(*args, **kwargs)

    def can_refresh(self):
        return False

    # ---- what each platform implements --------------------------------------
    @abc.abstractmethod
    def test_connection(self) -> str: ...

    @abc.abstractmethod
    def iter_order_pages(self, start: datetime, end: datetime, page_size=50) -> Iterator[OrderPage]: ...

    @abc.abstractmethod
    def get_order(self, external_id) -> dict: ...

    # ---- payloads -----------------------------------------------------------
    @classmethod
    def external_id(cls, raw) -> str:
        """The platform's order id in a raw payload (BadPayload when missing)."""
        return text(need(raw, cls.order_id_key))

    @classmethod
    def normalise(cls, raw):
        """The ``CanonicalOrder`` of a raw payload."""
        return cls.normaliser(raw)

    # ---- shared helpers -----------------------------------------------------
    def _check_range(self, start, end, page_size):
        """Validate the arguments of ``iter_order_pages``; False when the range is empty."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware datetimes")
        if not 1 <= page_size <= self.max_page_size:
            raise ValueError(f"page_size must be between 1 and {self.max_page_size}, not {page_size}")
        return end > start


def windows(start, end, size: timedelta):
    """Consecutive windows of at most ``size`` covering [start, end].

    Yields ``(window_start, window_end, query_end)``: platforms filter on whole
    seconds with both ends included, so every window but the last asks up to a
    second before the next one starts (an order is never listed twice in a pass).
    """
    cursor = start.replace(microsecond=0)
    while cursor < end:
        stop = min(end, cursor + size)
        last = stop >= end
        yield cursor, stop, stop if last else stop - timedelta(seconds=1)
        cursor = stop


def seek_pages(fetch, start, end, page_size, update_of, key_of, first_page=0):
    """Pages of a list sorted by update time (ascending), read by *seeking*.

    ``fetch(since, page)`` returns ``(orders, total)`` for the orders updated in
    [since, end].  Rather than walking page numbers over a list that changes
    while we read it (an order updated meanwhile moves to the end and shifts
    the others back by one: one would be skipped), every page moves ``since``
    up to the latest update time it holds and asks for the first page again;
    orders already seen at that very second are left out.  Only when a whole
    page shares one second does the page number go up.

    Yields ``(orders, watermark, cursor, last)``.
    """
    since, page, seen = start, first_page, set()
    while True:
        orders, total = fetch(since, page)
        fresh = [raw for raw in orders if key_of(raw) not in seen]
        last = len(orders) < page_size or (page - first_page + 1) * page_size >= total
        if last:
            yield fresh, end, None, True
            return
        times = [update_of(raw) for raw in orders]
        top = max(times)
        at_top = {key_of(raw) for raw, stamp in zip(orders, times, strict=True) if stamp == top}
        if top <= since:  # the whole page shares one second: walk the page numbers there
            page, seen = page + 1, seen | at_top
        else:
            since, page, seen = top, first_page, at_top
        yield fresh, max(start, top - timedelta(seconds=1)), f"{since.isoformat()}#{page}", False


def cursor_pages(fetch, start, end, size):
    """Pages of a list read window by window (at most ``size`` each) with the
    platform's cursor, on platforms whose list is not sorted by update time.

    ``fetch(window_start, query_end, cursor)`` returns ``(orders, new_cursor,
    last)`` for one page of the window; ``cursor`` is "" on its first page.
    """
    for window_start, window_end, query_end in windows(start, end, size):
        cursor = ""
        while True:
            orders, new_cursor, last = fetch(window_start, query_end, cursor)
            watermark = page_watermark([], window_start, window_end, last, False)
            yield OrderPage(orders, watermark, next_cursor(last, new_cursor, window_end, end))
            if last:
                break
            cursor = new_cursor


def next_cursor(last_of_window, cursor, window_end, end):
    """The cursor of the next page: None only after the last page of the last window."""
    if not last_of_window:
        return cursor
    return None if window_end >= end else f"window:{window_end.isoformat()}"


def page_watermark(update_times, window_start, window_end, last_page, sorted_by_update):
    """See the module docstring: what a page lets the caller store as covered."""
    if last_page:
        return window_end
    if sorted_by_update and update_times:
        return max(window_start, min(window_end, max(update_times) - timedelta(seconds=1)))
    return window_start


# ---- normaliser helpers (each raises BadPayload naming the field) -----------
_MISSING = object()


def need(data, key, path=""):
    """``data[key]``, or BadPayload naming ``path.key`` when missing/empty."""
    name = f"{path}.{key}" if path else key
    if not isinstance(data, dict):
        raise BadPayload(f"The field {path or 'order'} is not an object.", field=path or "order")
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None or value == "":
        raise BadPayload(f"The order has no {name}.", field=name)
    return value


def as_dict(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"The field {name} is not an object.", field=name)
    return value


def as_list(value, name):
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadPayload(f"The field {name} is not a list.", field=name)
    return value


def decimal(value, name):
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadPayload(f"The field {name} is not a number: {value!r}.", field=name) from None
    if not result.is_finite():
        raise BadPayload(f"The field {name} is not a number: {value!r}.", field=name)
    return result


def money(value, name):
    """A decimal amount (yuan or other currency) rounded to cents."""
    return decimal(value, name).quantize(FEN)


def fen(value, name):
    """An amount in fen (integer cents) as Decimal yuan."""
    amount = decimal(value, name)
    if amount != amount.to_integral_value():
        raise BadPayload(f"The field {name} should be whole fen, not {value!r}.", field=name)
    return (amount / 100).quantize(FEN)


def unix_time(value, name, tz=CHINA_TZ):
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise BadPayload(f"The field {name} is not a Unix time: {value!r}.", field=name) from None
    if seconds <= 0:
        raise BadPayload(f"The field {name} is not a Unix time: {value!r}.", field=name)
    return datetime.fromtimestamp(seconds, tz)


def optional_unix_time(value, name, tz=CHINA_TZ):
    if value in (None, "", 0, "0"):
        return None
    return unix_time(value, name, tz)


def local_time(value, name, tz=CHINA_TZ, fmt="%Y-%m-%d %H:%M:%S"):
    try:
        return datetime.strptime(str(value), fmt).replace(tzinfo=tz)
    except ValueError:
        raise BadPayload(
            f"The field {name} is not a time like 2026-11-22 09:30:00: {value!r}.", field=name
        ) from None


def iso_time(value, name):
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadPayload(f"The field {name} is not an ISO 8601 time: {value!r}.", field=name) from None
    if moment.tzinfo is None:
        raise BadPayload(f"The field {name} has no time zone: {value!r}.", field=name)
    return moment


def text(value):
    return "" if value is None else str(value)


def is_masked(*values):
    return any("*" in text(value) for value in values)
