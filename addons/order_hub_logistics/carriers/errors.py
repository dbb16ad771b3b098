"""Typed carrier errors.

Transient errors (network, 5xx, flow control) may be retried; the others are
about the data or the account and need a person.  Messages never contain
credentials or signatures.
"""


class CarrierError(Exception):
    """Base class; ``code`` is the carrier's own error code when it sent one."""

    retryable = False

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class CarrierTransientError(CarrierError):
    """Network failure, timeout or a 5xx answer: try again later."""

    retryable = True


class CarrierRateLimited(CarrierTransientError):
    """The carrier's flow control refused the call; ``retry_after`` in seconds when known."""

    def __init__(self, message, code=None, retry_after=None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class CarrierAuthError(CarrierError):
    """Credentials refused, expired or without permission."""


class CarrierSignatureError(CarrierError):
    """A signature did not match (our request refused, or a push we received)."""


class CarrierBadPayload(CarrierError):
    """The request data was refused or the answer could not be read."""


class CarrierRefused(CarrierError):
    """The carrier understood the request and said no (e.g. address change refused)."""
