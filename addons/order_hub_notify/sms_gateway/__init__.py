"""SMS providers, without Odoo (plain Python, unit-tested against tests/sandbox)."""
