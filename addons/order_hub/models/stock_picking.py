from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models
from odoo.osv import expression


class StockPicking(models.Model):
    """Business events of sale deliveries for the Order Hub stages:
    reserved or started -> Preparing, every outgoing picking done -> Shipped."""

    _inherit = "stock.picking"

    hub_ships_today = fields.Boolean(
        string="Ships Today",
        compute="_compute_hub_ships_today",
        search="_search_hub_ships_today",
        help="Outgoing and due by the end of today (not yet shipped), or shipped today; "
        "days follow the user's time zone.",
    )

    def _hub_today_bounds(self):
        tz = pytz.timezone(self.env.user.tz or "Asia/Shanghai")
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(days=1)

    def _hub_ships_today_domain(self):
        start, end = self._hub_today_bounds()
        return [
            ("picking_type_code", "=", "outgoing"),
            "|",
            "&",
            ("state", "not in", ("done", "cancel", "draft")),
            ("scheduled_date", "<", end),
            "&",
            "&",
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", end),
        ]

    def _compute_hub_ships_today(self):
        today = self.filtered_domain(self._hub_ships_today_domain()) if self.ids else self.browse()
        for picking in self:
            picking.hub_ships_today = picking in today

    def _search_hub_ships_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return []
        domain = self._hub_ships_today_domain()
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    def _hub_notify_preparation(self):
        pickings = self.filtered(
            lambda p: p.sale_id
            and p.picking_type_code != "incoming"
            and (p.state == "assigned" or any(p.move_ids.mapped("picked")))
        )
        if pickings:
            pickings.sale_id._hub_on_picking_reserved()

    def _action_done(self):
        res = super()._action_done()
        shipped = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        for order in shipped.sale_id:
            outgoing = order.sudo().picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
            )
            if all(p.state == "done" for p in outgoing):
                order._hub_on_shipped()
            else:
                order._hub_on_picking_reserved()
        return res
