"""Stage history (18.0.1.2.0): the stays of existing orders are rebuilt from
their audit trail, in SQL (see ``order.hub.stage.history._backfill_from_audit``)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["order.hub.stage.history"]._backfill_from_audit()
