"""Plain-Python tests import the addons' odoo-free packages directly:
``connectors`` (order_hub_channels) and ``carriers`` (order_hub_logistics)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for addon in ("order_hub_channels", "order_hub_logistics"):
    path = str(ROOT / "addons" / addon)
    if path not in sys.path:
        sys.path.insert(0, path)
# the platform sandboxes: ``import sandbox``
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
