"""Plain-Python layer of the channels: HTTP clients, request signers and
normalisers of each platform.  Nothing here imports ``odoo``; the ORM layer
(``..models``) only maps the canonical orders these modules produce onto sale
orders.  Tested with plain pytest against the sandboxes in ``tests/sandbox``.
"""
