from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.order_hub_channels.connectors import stock_sync

# precommit data key: ids of products whose stock changed in this transaction
CHANGED_KEY = "order_hub_stock_changed"


class OrderHubStockState(models.Model):
    """The stock of one product on one channel: what was last published, when,
    and what would be published now and why (the dry run).  Only the
    channel's publishing job and the preview write these rows; a stock change
    marks the pair in ``order.hub.stock.dirty`` instead of calling the
    platform."""

    _name = "order.hub.stock.state"
    _description = "Channel Stock"
    _order = "channel_id, product_id"
    _rec_name = "product_id"

    channel_id = fields.Many2one("order.hub.channel", required=True, readonly=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    platform = fields.Selection(related="channel_id.platform")
    platform_code = fields.Char("Platform SKU", readonly=True)
    dirty = fields.Boolean("To Publish", compute="_compute_dirty", search="_search_dirty")
    published_qty = fields.Integer("Last Published", readonly=True)
    published_at = fields.Datetime("Published At", readonly=True)
    preview_qty = fields.Integer("Would Publish", readonly=True)
    preview_reason = fields.Char("Why", readonly=True)
    preview_at = fields.Datetime("Computed At", readonly=True)
    will_send = fields.Boolean(
        "Would Be Sent",
        readonly=True,
        help="The figure differs from the last published one (or was never published, or is older "
        "than the refresh period): the next publication sends it.",
    )
    error = fields.Char("Last Refusal", readonly=True)

    _sql_constraints = [
        (
            "channel_product_unique",
            "UNIQUE(channel_id, product_id)",
            "One stock row per channel and product.",
        ),
    ]

    def _dirty_pairs(self):
        marks = (
            self.env["order.hub.stock.dirty"]
            .sudo()
            .search_read(
                [("channel_id", "in", self.channel_id.ids), ("product_id", "in", self.product_id.ids)],
                ["channel_id", "product_id"],
            )
        )
        return {(m["channel_id"][0], m["product_id"][0]) for m in marks}

    def _compute_dirty(self):
        pairs = self._dirty_pairs()
        for state in self:
            state.dirty = (state.channel_id.id, state.product_id.id) in pairs

    def _search_dirty(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        self.env["order.hub.stock.dirty"].flush_model()
        query = SQL(
            "(SELECT s.id FROM order_hub_stock_state s JOIN order_hub_stock_dirty d "
            "ON d.channel_id = s.channel_id AND d.product_id = s.product_id)"
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", query)]

    # ------------------------------------------------------------------
    # marking
    # ------------------------------------------------------------------
    @api.model
    def _hub_stock_changed(self, products):
        """The stock of ``products`` changed: mark them at commit (once per
        transaction, however many quants and moves changed)."""
        if not products:
            return
        precommit = self.env.cr.precommit
        changed = precommit.data.get(CHANGED_KEY)
        if changed is None:
            changed = precommit.data[CHANGED_KEY] = set()
            env = self.env(su=True)
            precommit.add(lambda: env["order.hub.stock.state"]._hub_mark_changed(changed))
        changed.update(pid for pid in products.ids if isinstance(pid, int))  # not new records

    @api.model
    def _hub_mark_changed(self, product_ids):
        channels = self.env["order.hub.channel"].search([("hub_stock_sync", "=", True)])
        if not product_ids or not channels:
            return
        marked = self._hub_mark_dirty(channels, list(product_ids))
        channels.filtered(lambda c: c.id in marked)._hub_enqueue_stock_sync()
        self.env.flush_all()

    @api.model
    def _hub_mark_dirty(self, channels, product_ids=None):
        """Mark the mapped products of ``channels`` for publication."""
        return self.env["order.hub.stock.dirty"].sudo()._hub_mark(channels, product_ids)

    @api.model
    def _hub_ensure(self, channel, product_ids=None):
        """The stock rows of ``channel`` for its mapped products (among
        ``product_ids`` when given), created when missing."""
        self.env["order.hub.product.map"].flush_model()
        self.flush_model()
        products = SQL("AND m.product_id = ANY(%s)", list(product_ids)) if product_ids is not None else SQL()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO order_hub_stock_state
                    (channel_id, product_id, company_id, platform_code,
                     create_uid, create_date, write_uid, write_date)
                SELECT DISTINCT ON (m.product_id) c.id, m.product_id, c.company_id, m.code,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM order_hub_channel c
                  JOIN order_hub_product_map m
                    ON m.platform = c.platform AND (m.channel_id = c.id OR m.channel_id IS NULL)
                 WHERE c.id = %(channel)s %(products)s
                 ORDER BY m.product_id, m.channel_id NULLS LAST, m.id
                ON CONFLICT (channel_id, product_id) DO UPDATE SET platform_code = EXCLUDED.platform_code
                 WHERE order_hub_stock_state.platform_code IS DISTINCT FROM EXCLUDED.platform_code
                """,
                uid=self.env.uid,
                channel=channel.id,
                products=products,
            )
        )
        self.invalidate_model(["platform_code"])
        self.env["order.hub.channel"].invalidate_model(["hub_stock_state_ids"])
        domain = [("channel_id", "=", channel.id)]
        if product_ids is not None:
            domain.append(("product_id", "in", list(product_ids)))
        return self.search(domain)

    # ------------------------------------------------------------------
    # figures
    # ------------------------------------------------------------------
    def _hub_figures(self, channel):
        """``{state id: (quantity, reason)}`` of these rows of ``channel``, from
        the free stock of the warehouses serving it now."""
        warehouses = channel._hub_stock_warehouses()
        products = self.product_id
        free = {wh: products._hub_free_qty(wh) for wh in warehouses}
        ratio, buffer = channel.hub_stock_ratio, channel.hub_stock_buffer
        figures = {}
        for state in self:
            product = state.product_id
            if product.hub_stock_paused:
                figures[state.id] = (0, _("paused: 0 on every channel"))
                continue
            parts = [(wh, free[wh].get(product.id, 0.0)) for wh in warehouses]
            total = sum(qty for _wh, qty in parts)
            qty = stock_sync.available(total, ratio, buffer)
            detail = " + ".join(f"{wh.code} {_number(qty)}" for wh, qty in parts) or _("no warehouse")
            figures[state.id] = (
                qty,
                _(
                    "free %(total)s (%(detail)s) × %(ratio)s − %(buffer)s → %(qty)s",
                    total=_number(total),
                    detail=detail,
                    ratio=_number(ratio),
                    buffer=_number(buffer),
                    qty=qty,
                ),
            )
        return figures

    def _hub_write_preview(self, figures, now):
        """Store the figures computed now (``{state id: (quantity, reason)}``):
        one write for the time, one per figure that changed."""
        self.write({"preview_at": now, "will_send": False})
        changed = {}
        for state in self:
            figure = figures[state.id]
            if (state.preview_qty, state.preview_reason) != figure:
                changed.setdefault(figure, []).append(state.id)
        for (qty, reason), ids in changed.items():
            self.browse(ids).write({"preview_qty": qty, "preview_reason": reason})

    def _hub_needs_sending(self, qty, stale_before):
        self.ensure_one()
        return (
            not self.published_at
            or self.published_qty != qty
            or bool(self.error)
            or (stale_before and self.published_at < stale_before)
        )


def _number(value):
    return f"{value:g}"
