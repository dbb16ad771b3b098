"""Plain-Python notifiers (no ``odoo`` import): tested with plain pytest."""
