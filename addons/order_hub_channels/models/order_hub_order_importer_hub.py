"""Glue between channel imports and the Order Hub order rules and lifecycle.

- the order's channel (``hub_source``) is the channel's platform code, its
  payment time (``hub_paid_at``) the platform's paid time;
- gift lines of the platform become gift lines (``hub_is_gift``, source channel);
- the platform's invoice request fills the order's invoice fields;
- the platform's promised ship time fills ``hub_promised_ship_date`` when the
  logistics addon (which owns that field) is installed;
- platform status actions drive the lifecycle: mark shipped -> ``_hub_on_shipped``,
  mark completed -> ``_hub_on_delivered``, cancel -> the standard cancel.

New orders are never confirmed in the transaction that creates them: OCA
``sale_exception`` writes the exceptions it finds through a second database
cursor, which would wait forever on the lock of the uncommitted order.  Their
confirming actions run in a queue job of their own (one per batch, in the
confirmation lane), after the import committed.
"""

import dataclasses

from odoo import api, models

from .order_hub_order_importer import naive_utc

CONFIRMING_ACTIONS = ("confirm", "ship", "complete")


class OrderHubOrderImporter(models.AbstractModel):
    _inherit = "order.hub.order.importer"

    def _prepare_order_vals(self, ctx, order):
        vals = super()._prepare_order_vals(ctx, order)
        vals["hub_source"] = ctx.channel.platform
        if order.paid_at:
            vals["hub_paid_at"] = naive_utc(order.paid_at)
        return vals

    def _prepare_line_vals(self, ctx, line):
        vals = super()._prepare_line_vals(ctx, line)
        if line.is_gift:
            vals.update({"hub_is_gift": True, "hub_gift_source": "channel"})
        return vals

    @api.model
    def _hub_apply_canonical(self, sale, order):
        """Invoice request and delivery promise of a canonical order."""
        if order.invoice:
            sale._hub_apply_invoice_request(dataclasses.asdict(order.invoice))
        if order.promised_ship_at and "hub_promised_ship_date" in sale._fields:
            sale.hub_promised_ship_date = naive_utc(order.promised_ship_at)

    def _apply_new_status(self, ctx, created):
        status_map = self.env["order.hub.status.map"]
        now, later = [], []
        for item in created:
            (rec, order, _vals), sale = item
            self._hub_apply_canonical(sale, order)
            action = status_map._action_for(
                order.platform, order.platform_status, order.status, ctx.status_cache
            )
            (later if action in CONFIRMING_ACTIONS else now).append((item, action))
        super()._apply_new_status(ctx, [item for item, _action in now])
        by_action = {}
        for ((rec, _order, _vals), sale), action in later:
            by_action[action] = by_action.get(action, self.env["sale.order"]) | sale
            rec._finish("done", sale, "created")
        for action, sales in by_action.items():
            sales._hub_enqueue_channel_action(action)

    def _do_status_action(self, sales, action):
        blocked = super()._do_status_action(sales, action)
        confirmed = sales.filtered(lambda s: s.state == "sale")
        if action == "ship":
            confirmed._hub_on_shipped()
        elif action == "complete":
            confirmed._hub_on_delivered()
        return blocked
