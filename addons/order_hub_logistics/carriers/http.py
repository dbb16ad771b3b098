"""The one place carrier clients touch the network: explicit timeouts, errors typed."""

import json

import requests

from .errors import CarrierBadPayload, CarrierRateLimited, CarrierTransientError

DEFAULT_TIMEOUT = (5, 20)  # (connect, read) seconds


def _retry_after(response):
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def post(url, *, carrier, timeout=DEFAULT_TIMEOUT, session=None, **kwargs):
    """POST and return the decoded JSON body, or raise a typed error.

    ``carrier`` only names the carrier in messages; neither the body nor the
    headers (which carry signatures) are ever put into an error text.
    """
    sender = session or requests
    try:
        response = sender.post(url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise CarrierTransientError(f"{carrier} did not answer within {timeout} seconds.") from exc
    except requests.RequestException as exc:
        raise CarrierTransientError(f"{carrier} could not be reached ({type(exc).__name__}).") from exc
    if response.status_code == 429:
        raise CarrierRateLimited(
            f"{carrier} is rate limiting calls (HTTP 429).",
            code="429",
            retry_after=_retry_after(response),
        )
    if response.status_code >= 500:
        raise CarrierTransientError(
            f"{carrier} answered HTTP {response.status_code}; try again later.",
            code=str(response.status_code),
        )
    if response.status_code >= 400:
        raise CarrierBadPayload(
            f"{carrier} refused the request with HTTP {response.status_code}.",
            code=str(response.status_code),
        )
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise CarrierBadPayload(f"{carrier} answered with a body that is not JSON.") from exc
