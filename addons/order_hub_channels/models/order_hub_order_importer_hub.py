"""Glue between channel imports and the Order Hub order rules and lifecycle.

- the order's channel (``hub_source``) is the channel's platform code, its
  payment time (``hub_paid_at``) the platform's paid time;
- gift lines of the platform become gift lines (``hub_is_gift``, source channel);
- the platform's invoice request fills the order's invoice fields;
- the platform's promised ship time fills ``hub_promised_ship_date`` when the
  logistics addon (which owns that field) is installed;
- platform statuses mean what ``sale.order._hub_apply_platform_status`` says
  (paid confirms, shipped validates the delivery, completed is the signed-for
  event, cancelled cancels).

New orders are never confirmed in the transaction that creates them: they
arrive (order_hub's ``_hub_process_arrival``) in a queue job of their own (one
per batch and lane), after the import committed.
"""

import dataclasses

from odoo import api, models

from .order_hub_order_importer import naive_utc


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

    def _after_import(self, ctx, imported):
        for _rec, sale, order, result in imported:
            if result == "created":
                self._hub_apply_canonical(sale, order)
        return super()._after_import(ctx, imported)
