"""Typed errors of the channel clients.

The ORM layer decides what to do from the type alone:

* ``AuthError``: credentials wrong or token expired; retrying does not help
  unless the token is refreshed (``expired`` is True when a refresh may help).
* ``RateLimited``: the platform (or our own limiter) says "not now"; retry
  after ``retry_after`` seconds.
* ``TransientError``: network error, timeout, HTTP 5xx, platform "busy" codes;
  retry later.
* ``QuotaExceeded``: a quota of the shop is used up (e.g. Douyin's decrypt
  quota); retrying soon does not help, retry hours later.
* ``SignatureError``: a webhook whose signature is bad, missing or replayed;
  answer 401 and store nothing.
* ``BadPayload``: malformed JSON, truncated body, missing or bad field; retrying
  the same data does not help, the order fails with this message.

Messages are sentences a user can read; they never contain secrets, tokens or
signed query strings.
"""


class ConnectorError(Exception):
    """Base class of every error raised by the plain-Python channel layer."""

    retryable = False

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class AuthError(ConnectorError):
    """Bad credentials or an expired/revoked token."""

    def __init__(self, message, expired=False):
        super().__init__(message)
        self.expired = expired


class RateLimited(ConnectorError):
    """Too many requests: wait ``retry_after`` seconds before the next one."""

    retryable = True

    def __init__(self, message, retry_after=1.0):
        super().__init__(message)
        self.retry_after = float(retry_after)


class TransientError(ConnectorError):
    """A fault that is expected to go away: network, timeout, 5xx, platform busy."""

    retryable = True


class SignatureError(ConnectorError):
    """A webhook request whose signature is missing, wrong or replayed."""


class BadPayload(ConnectorError, ValueError):
    """The platform's data cannot be turned into an order (missing or bad field).

    The message is a sentence a user can act on; ``field`` names the offending
    field when known.
    """

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class QuotaExceeded(ConnectorError):
    """A quota of the shop (e.g. Douyin's decrypt quota) is used up: the same
    call works again only once the platform gives new quota (hours later)."""
