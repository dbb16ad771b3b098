"""Plain-Python tests import the addons' odoo-free packages directly:
``notifiers`` (order_hub), ``connectors`` (order_hub_channels), ``carriers``
(order_hub_logistics), and the localhost sandboxes (``import sandbox``)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (
    ROOT / "addons" / "order_hub",
    ROOT / "addons" / "order_hub_channels",
    ROOT / "addons" / "order_hub_logistics",
    ROOT / "addons" / "order_hub_notify",
    ROOT / "tests",
):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
