from odoo import api, fields, models
from odoo.tools import SQL


class OrderHubStockDirty(models.Model):
    """A (channel, product) whose stock changed since its channel last
    published it: one row per pair (a database constraint), written by an
    upsert at the commit of the change.

    The publishing job reads these rows without locking them, calls the
    platform, then deletes exactly the (row, ``seq``) pairs it read: a change
    committed meanwhile gave its row a new ``seq`` and keeps it for the next
    job, and a commit that marks a row never waits for a job talking to a
    platform (the job writes its results on ``order.hub.stock.state``)."""

    _name = "order.hub.stock.dirty"
    _description = "Channel Stock to Publish"
    _log_access = False

    channel_id = fields.Many2one("order.hub.channel", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    seq = fields.Integer(required=True, help="Bumped by every new mark of the row.")

    _sql_constraints = [
        ("channel_product_unique", "UNIQUE(channel_id, product_id)", "One mark per channel and product."),
    ]

    @api.model
    def _hub_mark(self, channels, product_ids=None):
        """Mark every mapped product of ``channels`` (among ``product_ids``
        when given); returns the ids of the channels marked."""
        self.env["order.hub.product.map"].flush_model()
        products = SQL("AND m.product_id = ANY(%s)", list(product_ids)) if product_ids is not None else SQL()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO order_hub_stock_dirty (channel_id, product_id, seq)
                SELECT DISTINCT c.id, m.product_id, nextval('order_hub_stock_dirty_id_seq')
                  FROM order_hub_channel c
                  JOIN order_hub_product_map m
                    ON m.platform = c.platform AND (m.channel_id = c.id OR m.channel_id IS NULL)
                 WHERE c.id = ANY(%(channels)s) %(products)s
                ON CONFLICT (channel_id, product_id) DO UPDATE SET seq = EXCLUDED.seq
                RETURNING channel_id
                """,
                channels=channels.ids,
                products=products,
            )
        )
        marked = {row[0] for row in self.env.cr.fetchall()}
        self.invalidate_model()
        return marked

    @api.model
    def _hub_take(self, channel, limit):
        """``[(id, seq, product id)]`` of up to ``limit`` marks of ``channel`` (no
        lock), by product: variants of one platform item (Shopee models) tend to
        fall in one chunk."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id, seq, product_id FROM order_hub_stock_dirty "
                "WHERE channel_id = %s ORDER BY product_id LIMIT %s",
                channel.id,
                limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _hub_done(self, pairs):
        """Delete the marks ``[(id, seq)]`` a job handled, unless marked again since."""
        if not pairs:
            return
        values = SQL(", ").join(SQL("(%s, %s)", row_id, seq) for row_id, seq in pairs)
        self.env.cr.execute(
            SQL(
                "DELETE FROM order_hub_stock_dirty d USING (VALUES %s) AS v(id, seq) "
                "WHERE d.id = v.id AND d.seq = v.seq",
                values,
            )
        )
        self.invalidate_model()
