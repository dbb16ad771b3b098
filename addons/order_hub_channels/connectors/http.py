"""The small HTTP core every channel client shares.

One ``requests.Session`` per client, explicit (connect, read) timeouts, a
thread-safe token-bucket rate limiter, and one mapping from HTTP trouble to
the typed errors of ``errors.py``:

* network errors, timeouts and 5xx -> ``TransientError``
* 429 -> ``RateLimited`` with the ``Retry-After`` seconds; until that moment has
  passed the core refuses to send anything to that host (it raises
  ``RateLimited`` again without a request)
* a body that is not JSON, or is cut short -> ``BadPayload``

Only the method, host and path are ever logged or put into messages: query
strings carry signatures and access tokens.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from .errors import AuthError, BadPayload, ConnectorError, RateLimited, TransientError

_logger = logging.getLogger(__name__)


class _RedactQueryStrings(logging.Filter):
    """urllib3 logs every request line at DEBUG level, query string included: the
    query carries signatures and access tokens, so cut it off before it is written."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] + "?[redacted]" if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactQueryStrings())

DEFAULT_RETRY_AFTER = 1.0
USER_AGENT = "OrderHub/18.0 (+https://github.com/order-hub/order-hub)"


class RateLimiter:
    """Token bucket: at most ``rate`` requests per second, bursts of ``burst``.

    ``acquire()`` blocks the calling thread until a token is available and
    returns how long it waited.  Thread-safe: the bucket is updated under a
    lock, the sleeping happens outside it (each caller reserves its token).
    """

    def __init__(self, rate=None, burst=None, clock=time.monotonic, sleep=time.sleep):
        self.rate = float(rate or 0)
        self.capacity = float(burst or 1)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._last = clock()

    def acquire(self):
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


def parse_retry_after(value, default=DEFAULT_RETRY_AFTER):
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if value is None or str(value).strip() == "":
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())


class HttpResponse:
    """What a client needs from a response: status, headers and the parsed body."""

    __slots__ = ("status", "headers", "data", "text")

    def __init__(self, status, headers, data, text):
        self.status = status
        self.headers = headers
        self.data = data
        self.text = text


class HttpCore:
    def __init__(self, base_url, timeout=(5, 30), rate_limit=None, burst=None, session=None, label=""):
        self.base_url = base_url.rstrip("/") + "/"
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.label = label or self.host
        self.timeout = tuple(timeout) if isinstance(timeout, list | tuple) else (timeout, timeout)
        self.limiter = RateLimiter(rate_limit, burst)
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self._not_before = 0.0
        self._lock = threading.Lock()

    def close(self):
        self.session.close()

    def url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def _check_not_before(self):
        with self._lock:
            remaining = self._not_before - time.monotonic()
        if remaining > 0:
            raise RateLimited(
                f"{self.label} asked us to wait; {remaining:.1f} s remain before the next request.",
                retry_after=remaining,
            )

    def _block_until(self, retry_after):
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + retry_after)

    def request(self, method, path, *, params=None, data=None, json_body=None, headers=None, parse_json=True):
        """Send one request; return an ``HttpResponse`` or raise a typed error.

        4xx answers other than 429 are returned (with their parsed JSON when
        there is some) so that each client can read the platform's own error
        codes; 401/403 without a JSON body raise ``AuthError``.
        """
        self._check_not_before()
        self.limiter.acquire()
        url = self.url(path)
        where = f"{method} {self.host}{urlsplit(url).path}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=headers, timeout=self.timeout
            )
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as error:
            _logger.info("%s: body cut short (%s)", where, type(error).__name__)
            raise BadPayload(
                f"{self.label} sent a truncated response body ({where}).", field="body"
            ) from None
        except requests.exceptions.Timeout as error:
            _logger.info("%s: timeout (%s)", where, type(error).__name__)
            raise TransientError(f"{self.label} did not answer in time ({where}).") from None
        except requests.exceptions.RequestException as error:
            _logger.info("%s: network error (%s)", where, type(error).__name__)
            raise TransientError(f"Could not reach {self.label} ({where}: {type(error).__name__}).") from None
        _logger.debug("%s -> %s in %.3f s", where, response.status_code, time.monotonic() - started)
        return self._handle(response, where, parse_json)

    def _handle(self, response, where, parse_json):
        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self._block_until(retry_after)
            raise RateLimited(
                f"{self.label} is rate limiting us (HTTP 429); retry after {retry_after:g} s.",
                retry_after=retry_after,
            )
        if status >= 500:
            raise TransientError(f"{self.label} answered HTTP {status} ({where}); it should recover.")
        text = response.text
        data = None
        if parse_json and text.strip():
            try:
                data = json.loads(text)
            except ValueError:
                if status < 400:
                    raise BadPayload(
                        f"{self.label} answered with a body that is not valid JSON ({where}).", field="body"
                    ) from None
        if parse_json and status < 400 and data is None:
            raise BadPayload(f"{self.label} answered with an empty body ({where}).", field="body")
        if status in (401, 403) and data is None:
            raise AuthError(f"{self.label} refused our credentials (HTTP {status}, {where}).")
        if status >= 400 and data is None:
            raise ConnectorError(f"{self.label} answered HTTP {status} ({where}).")
        return HttpResponse(status, response.headers, data, text)
