from odoo import fields, models
from odoo.tools import SQL


class OrderHubStockLock(models.Model):
    """One row per product, locked and bumped by every confirmation that reserves it.

    Confirmations lock the rows of their products in product order (no
    deadlock between two orders sharing products) and bump ``version``: a
    concurrent confirmation waiting on the row gets a serialization failure
    once the holder commits, so Odoo retries it on a fresh snapshot that
    sees the holder's reservations.  Reservations of one product are thus
    strictly serialised and can never exceed the stock on hand.
    """

    _name = "order.hub.stock.lock"
    _description = "Order Hub Stock Reservation Lock"
    _log_access = False

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    version = fields.Integer(default=0)

    _sql_constraints = [("product_unique", "UNIQUE(product_id)", "One lock row per product.")]

    def _lock_products(self, products, nowait=False):
        """Serialise the reservations of ``products`` inside the current
        transaction; ``nowait``: raise ``LockNotAvailable`` rather than wait
        for another holder."""
        ids = sorted(set(products.ids))
        if not ids:
            return
        cr = self.env.cr
        if nowait:
            # the insert waits for a concurrent transaction that inserted the
            # same product's row and has not committed yet: not waiting means
            # not waiting for that either
            cr.execute("SET LOCAL lock_timeout = 1")
        # a concurrent holder makes these fail with a serialization error on
        # purpose (Odoo retries the call): not worth an ERROR line in the log
        cr.execute(
            SQL(
                "INSERT INTO order_hub_stock_lock (product_id, version) "
                "SELECT unnest(%s::int[]), 0 ON CONFLICT (product_id) DO NOTHING",
                ids,
            ),
            log_exceptions=False,
        )
        if nowait:
            cr.execute("SET LOCAL lock_timeout TO DEFAULT")
        cr.execute(
            SQL(
                "SELECT id FROM order_hub_stock_lock WHERE product_id = ANY(%s) "
                "ORDER BY product_id FOR NO KEY UPDATE%s",
                ids,
                SQL(" NOWAIT") if nowait else SQL(""),
            ),
            log_exceptions=False,
        )
        cr.execute(
            SQL("UPDATE order_hub_stock_lock SET version = version + 1 WHERE product_id = ANY(%s)", ids)
        )
