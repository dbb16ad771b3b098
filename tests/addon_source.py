"""Load one odoo-free module of an addon from its file: its package
(``models/__init__.py``) imports odoo, so it cannot be imported as usual."""

import importlib.util
from pathlib import Path

ADDONS = Path(__file__).resolve().parents[1] / "addons"


def load(addon, relative_path):
    """The module ``addons/<addon>/<relative_path>``, e.g. ``load("order_hub", "models/tax_id.py")``."""
    path = ADDONS / addon / relative_path
    spec = importlib.util.spec_from_file_location(f"{addon}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
