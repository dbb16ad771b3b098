from collections import defaultdict
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_hub_channels.connectors import stock_sync
from odoo.addons.order_hub_channels.connectors.http import RateLimiter
from odoo.addons.order_hub_channels.models.order_hub_channel import MANAGER


class OrderHubChannel(models.Model):
    _inherit = "order.hub.channel"

    hub_stock_sync = fields.Boolean(
        "Publish Stock",
        groups=MANAGER,
        help="Publish the stock of the mapped products to the platform: after each stock change "
        "(batched) and on a schedule.",
    )
    hub_stock_ratio = fields.Float(
        "Stock Ratio",
        default=1.0,
        groups=MANAGER,
        help="Share of the free stock offered on this channel (1.0: all of it).",
    )
    hub_stock_buffer = fields.Float(
        "Stock Buffer",
        default=0.0,
        groups=MANAGER,
        help="Units kept back from this channel after the ratio is applied.",
    )
    hub_stock_location = fields.Char(
        "Platform Location",
        groups=MANAGER,
        help="Shopify: the id of the location whose inventory is set.",
    )
    # the roles that read the rows (order.hub.stock.state's access); others
    # (an integration user reading a channel) are not refused the channel
    hub_stock_state_ids = fields.One2many(
        "order.hub.stock.state",
        "channel_id",
        string="Channel Stock",
        groups="order_hub.group_order_hub_customer_service,order_hub.group_order_hub_warehouse,"
        "order_hub.group_order_hub_manager",
    )

    _sql_constraints = [
        ("hub_stock_ratio_positive", "CHECK(hub_stock_ratio >= 0)", "The stock ratio cannot be negative."),
        ("hub_stock_buffer_positive", "CHECK(hub_stock_buffer >= 0)", "The stock buffer cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # what serves the channel
    # ------------------------------------------------------------------
    def _hub_stock_warehouses(self):
        """The warehouses whose free stock the channel sells: its warehouse
        (else every ordinary warehouse of its company), plus the flash-sale
        warehouses serving its platform now.  A flash-sale warehouse's stock
        thus reaches only the channels it serves."""
        self.ensure_one()
        Warehouse = self.env["stock.warehouse"].sudo()
        ordinary = self.warehouse_id.sudo().filtered(lambda w: not w.hub_is_flash_sale) or Warehouse.search(
            [("company_id", "=", self.company_id.id), ("hub_is_flash_sale", "=", False)]
        )
        now = fields.Datetime.now()
        flash = Warehouse.search(
            [
                ("company_id", "=", self.company_id.id),
                ("hub_is_flash_sale", "=", True),
                ("hub_flash_start", "<=", now),
                ("hub_flash_end", ">=", now),
            ]
        ).filtered(lambda w: w._hub_serves(self.platform, now))
        return ordinary | flash

    # ------------------------------------------------------------------
    # jobs and schedule
    # ------------------------------------------------------------------
    def _hub_enqueue_stock_sync(self, eta=None, follow_up=False):
        """One publishing job per channel: while one waits, changes join it.
        ``follow_up``: a job handing the rest to the next one (which must not
        be taken for itself, still running)."""
        debounce = int(
            self.env["ir.config_parameter"].sudo().get_param("order_hub_writeback.stock_debounce", 10)
        )
        channel = self.env.ref("order_hub_writeback.channel_stock_sync").sudo().complete_name
        for record in self:
            record.with_delay(
                channel=channel,
                eta=eta if eta is not None else debounce,
                identity_key=f"order_hub_stock_sync_{record.id}{'_next' if follow_up else ''}",
                description=_("Publish the stock of %(channel)s", channel=record.name),
            )._job_publish_stock()

    def _cron_hub_stock_sync(self):
        """Scheduled: every mapped product of every publishing channel is
        computed again; what changed (or was not sent for a day) is sent."""
        channels = self.sudo().search([("hub_stock_sync", "=", True)])
        if channels:
            self.env["order.hub.stock.state"].sudo()._hub_mark_dirty(channels)
            channels._hub_enqueue_stock_sync(eta=0)

    def _job_publish_stock(self):
        """Job: publish the dirty rows of the channel, a chunk per job (the
        next chunk gets its own job).  A refused item keeps its reason on its
        row; a rate limit or an unreachable platform leaves the rest marked
        and hands them to a later job."""
        self.ensure_one()
        with self.env.cr.savepoint():
            return self.sudo()._hub_publish_stock()

    def _hub_publish_stock(self):
        params = self.env["ir.config_parameter"].sudo()
        chunk = int(params.get_param("order_hub_writeback.stock_chunk", 2000))
        Dirty = self.env["order.hub.stock.dirty"]
        marks = Dirty._hub_take(self, chunk)
        if not marks:
            return _("Nothing to publish.")
        if not self.hub_stock_sync:
            Dirty._hub_done([(row_id, seq) for row_id, seq, _product in marks])
            return _("Stock publishing is off for this channel.")
        mark_of = {product_id: (row_id, seq) for row_id, seq, product_id in marks}
        states = self.env["order.hub.stock.state"]._hub_ensure(self, list(mark_of))
        hours = float(params.get_param("order_hub_writeback.stock_refresh_hours", 24))
        stale = fields.Datetime.now() - timedelta(hours=hours) if hours else None
        figures = states._hub_figures(self)
        now = fields.Datetime.now()
        to_send, by_code = [], {}
        for state in states:
            qty, _reason = figures[state.id]
            if state._hub_needs_sending(qty, stale):
                to_send.append(
                    stock_sync.StockItem(state.platform_code, qty, key=f"oh-stock-{state.id}-{qty}")
                )
                by_code[state.platform_code] = state
        states._hub_write_preview(figures, now)
        outcome = self._hub_send_stock(to_send) if to_send else stock_sync.PublishOutcome()
        sent = defaultdict(list)  # one write per published figure
        for item in outcome.sent:
            sent[item.quantity].append(by_code[item.code].id)
        for qty, ids in sent.items():
            states.browse(ids).write({"published_qty": qty, "published_at": now, "error": False})
        for code, reason in outcome.failed.items():
            by_code[code].write({"error": reason})
        # what was not sent stays marked for a later job
        pending = {by_code[item.code].product_id.id for item in outcome.pending}
        Dirty._hub_done([pair for product_id, pair in mark_of.items() if product_id not in pending])
        if outcome.error is not None:
            retry_after = getattr(outcome.error, "retry_after", 60)
            self._hub_enqueue_stock_sync(eta=max(int(retry_after), 1), follow_up=True)
        elif len(marks) >= chunk:
            self._hub_enqueue_stock_sync(eta=0, follow_up=True)
        why = str(outcome.error) if outcome.error is not None else ""
        return _(
            "%(sent)s sent in %(calls)s calls, %(failed)s refused, %(pending)s left for later. %(why)s",
            sent=len(outcome.sent),
            calls=outcome.calls,
            failed=len(outcome.failed),
            pending=len(outcome.pending),
            why=why,
        ).strip()

    def _hub_send_stock(self, items):
        """``publish`` the items; a channel whose settings make no client (a
        Shopify channel without its shop) refuses every item with the reason."""
        try:
            client = self._get_client()
        except ValueError as error:
            return stock_sync.PublishOutcome(failed={item.code: str(error) for item in items})
        api = stock_sync.STOCK_APIS[self.platform]
        rate = self.rate_limit or api.rate
        # paced at the channel's rate, with the platform's burst (Shopify: 40)
        client.http.limiter = RateLimiter(rate, api.burst if rate >= api.rate else 1)
        if self.hub_stock_location:
            client.config.extra["location_id"] = self.hub_stock_location
        try:
            return stock_sync.publish(client, items)
        finally:
            client.close()

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------
    def action_hub_stock_preview(self):
        """Dry run: what would be published for every mapped product, and why;
        nothing is sent."""
        self.ensure_one()
        self._check_manager(_("Only Order Hub managers can preview the published stock."))
        channel = self.sudo()
        State = self.env["order.hub.stock.state"].sudo()
        states = State._hub_ensure(channel)
        hours = float(
            self.env["ir.config_parameter"].sudo().get_param("order_hub_writeback.stock_refresh_hours", 24)
        )
        stale = fields.Datetime.now() - timedelta(hours=hours) if hours else None
        now = fields.Datetime.now()
        figures = states._hub_figures(channel)
        states._hub_write_preview(figures, now)
        if channel.hub_stock_sync:
            states.filtered(lambda s: s._hub_needs_sending(figures[s.id][0], stale)).write(
                {"will_send": True}
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_hub_writeback.order_hub_stock_state_action"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"search_default_will_send": 0}
        return action

    def action_hub_stock_publish(self):
        """Managers: publish the channel's stock now (every mapped product computed again)."""
        self._check_manager(_("Only Order Hub managers can publish the stock."))
        channels = self.sudo().filtered("hub_stock_sync")
        if not channels:
            raise UserError(_("Turn on Publish Stock on the channel first."))
        self.env["order.hub.stock.state"].sudo()._hub_mark_dirty(channels)
        channels._hub_enqueue_stock_sync(eta=0)
        return True
