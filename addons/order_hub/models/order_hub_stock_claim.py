from odoo import api, fields, models
from odoo.tools import SQL

# A claim counts for a reader until the reader sees the deliveries that
# replace it: while its confirmation runs, and after it committed for a reader
# whose snapshot is older than that commit.  It never counts for its own
# transaction, nor once its transaction aborted (no delivery was made).
SEEN_BY_SNAPSHOT = SQL("txid_visible_in_snapshot(owner_txid::bigint, txid_current_snapshot())")
LIVE_CLAIM = SQL(
    "owner_txid::bigint IS DISTINCT FROM txid_current_if_assigned() "
    "AND coalesce(txid_status(owner_txid::bigint), 'aborted') <> 'aborted' "
    "AND NOT %s",
    SEEN_BY_SNAPSHOT,
)


class OrderHubStockClaim(models.Model):
    """Units promised to orders a confirmation job is confirming, until it commits.

    A confirmation job checks the quantity free to promise and claims what
    its orders take in a short transaction of its own, under the stock locks
    (``sale.order._hub_claim_stock``), then confirms the orders in its own
    transaction without holding the locks: confirmations of orders sharing
    products run side by side.  Its claims count (``product._hub_free_qty``)
    until its deliveries can be seen in their place; those of a job that
    failed stop counting with its transaction (``LIVE_CLAIM``).
    ``owner_txid`` is the PostgreSQL transaction id of the confirmation
    (``txid_current()``, a 64-bit number: stored as a float, exact far
    beyond any transaction count).
    """

    _name = "order.hub.stock.claim"
    _description = "Order Hub Stock Claim"
    _log_access = False

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, ondelete="cascade")
    quantity = fields.Float(required=True)
    owner_txid = fields.Float(string="Owner Transaction", required=True, index=True)

    @api.model
    def _hub_live_quantities(self, products, warehouse):
        """``{product id: quantity}`` claimed in ``warehouse`` by other live
        confirmations."""
        if not products:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT product_id, sum(quantity) FROM order_hub_stock_claim "
                "WHERE warehouse_id = %s AND product_id = ANY(%s) AND %s GROUP BY product_id",
                warehouse.id,
                products.ids,
                LIVE_CLAIM,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _hub_claimed_orders(self, owner, order_ids):
        """The orders of ``order_ids`` that transaction ``owner`` claimed already."""
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT order_id FROM order_hub_stock_claim "
                "WHERE owner_txid = %s AND order_id = ANY(%s)",
                float(owner),
                list(order_ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _hub_claim(self, owner, order_id, warehouse_id, quantities):
        rows = [
            (order_id, product_id, warehouse_id, qty, float(owner)) for product_id, qty in quantities.items()
        ]
        values = SQL(", ").join(SQL("(%s, %s, %s, %s, %s)", *row) for row in rows)
        self.env.cr.execute(
            SQL(
                "INSERT INTO order_hub_stock_claim "
                "(order_id, product_id, warehouse_id, quantity, owner_txid) VALUES %s",
                values,
            )
        )

    @api.model
    def _hub_forget_done(self, products):
        """Delete the claims on ``products`` that no longer count for anyone
        who takes their locks from now on: of aborted transactions, and of
        committed ones this snapshot sees (a reader with an older snapshot
        still sees the deleted rows).  Called under the products' stock
        locks, so that two cleaners never meet."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM order_hub_stock_claim WHERE product_id = ANY(%s) "
                "AND (coalesce(txid_status(owner_txid::bigint), 'aborted') = 'aborted' OR %s)",
                products.ids,
                SEEN_BY_SNAPSHOT,
            )
        )
