"""Plain-Python carrier clients (no ``odoo`` import).

SF Express and ZTO create waybills; Kuaidi100 tracks them.  Every client takes
its base URL, credentials and timeout explicitly and raises the typed errors of
:mod:`carriers.errors`; the ORM layer only maps and stores.
"""

from .errors import (
    CarrierAuthError,
    CarrierBadPayload,
    CarrierError,
    CarrierRateLimited,
    CarrierRefused,
    CarrierSignatureError,
    CarrierTransientError,
)
from .kuaidi100 import (
    STATE_EVENTS,
    Kuaidi100Client,
    TrackingResult,
    kuaidi100_callback_sign,
    kuaidi100_query_sign,
    parse_callback,
    state_event,
)
from .sf import SfClient, format_sf_public, sf_msg_digest
from .zto import ZtoClient, format_zto_public, zto_data_digest

PUBLIC_FORMATTERS = {"sf_express": format_sf_public, "zto": format_zto_public}


def format_public_tracking(carrier_code, number):
    """The tracking number as shown to customers for ``carrier_code``."""
    formatter = PUBLIC_FORMATTERS.get(carrier_code)
    return formatter(number) if formatter else (number or "").strip()
