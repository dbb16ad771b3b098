"""18.0.1.3.0: the desk shows only the orders that need an agent.

The default stages where customer service acts (to confirm, exception,
address change) get their new flag (the stage data is not updated on
upgrade); the orders in those stages follow (``hub_desk_needed`` depends
on the flag).
"""

from odoo import SUPERUSER_ID, api

DESK_STAGES = ("order_hub_stage_to_confirm", "order_hub_stage_exception", "order_hub_stage_address_change")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in DESK_STAGES:
        stage = env.ref(f"order_hub.{xmlid}", raise_if_not_found=False)
        if stage:
            stage.desk_attention = True
