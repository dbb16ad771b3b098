"""18.0.1.2.0: stage history and the desk's computed tags.

- Stage history: the stays of existing orders are rebuilt from their audit
  trail, in SQL (see ``order.hub.stage.history._backfill_from_audit``).
- The desk's three tags follow their facts (``hub_desk_tag_ids``). Before,
  "Overdue Response", "Address Anomaly" and "Gift Not Shipped" were linked onto
  the orders' own tags and never removed; they are taken off, the computed desk
  tags now say the same while their cause lasts.
"""

from odoo import SUPERUSER_ID, api

DESK_TAGS = ("crm_tag_overdue_response", "crm_tag_address_anomaly", "crm_tag_gift_not_shipped")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["order.hub.stage.history"]._backfill_from_audit()
    _desk_tags_from_facts(env)


def _desk_tags_from_facts(env):
    tags = env["crm.tag"].browse(
        [tag.id for xmlid in DESK_TAGS if (tag := env.ref(f"order_hub.{xmlid}", raise_if_not_found=False))]
    )
    if not tags:
        return
    orders = env["sale.order"].with_context(active_test=False).search([("tag_ids", "in", tags.ids)])
    orders.write({"tag_ids": [(3, tag.id) for tag in tags]})
    # the priority was computed from those tags: from the facts now
    Order = env["sale.order"]
    ranked = Order.with_context(active_test=False).search(
        ["|", ("hub_cs_priority", "!=", 0), ("hub_desk_tier", "!=", 0)]
    )
    env.add_to_compute(Order._fields["hub_cs_priority"], ranked)
    ranked.flush_recordset(["hub_cs_priority"])
