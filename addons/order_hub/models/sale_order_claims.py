import random
import time

from psycopg2 import OperationalError

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_compare

# context key: the free-stock gate claims the stock in a short transaction of
# its own instead of holding the stock locks until the caller commits
CLAIM_KEY = "hub_stock_claims"
CLAIM_TRIES = 12


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _hub_claim_stock(self, plan):
        """The orders of ``plan`` the free stock cannot cover, the stock of
        the others claimed for the current transaction.

        ``plan``: ``[(order, {product: quantity})]`` in order of arrival.  The
        check and the claims run in a transaction of their own, under the
        stock locks, committed at once (``order.hub.stock.claim``): the
        current transaction then confirms the orders without holding the
        locks, and other confirmations of the same products proceed beside
        it.  A concurrent claimer makes that short transaction fail on a
        serialisation error: it is simply run again.  Orders the current
        transaction claimed already (a confirmation tried again order by
        order) keep their claim.

        Returns None when the orders are not committed yet (created in the
        current transaction: another transaction cannot judge them); the
        caller then checks under the locks of its own transaction.
        """
        self.env.cr.execute("SELECT txid_current()")
        owner = self.env.cr.fetchone()[0]
        data = [
            (order.id, order.warehouse_id.id, {product.id: qty for product, qty in wanted.items()})
            for order, wanted in plan
        ]
        for attempt in range(CLAIM_TRIES):
            try:
                with self.env.registry.cursor() as cr:
                    short_ids = self.env(cr=cr)["sale.order"]._hub_claim_in(owner, data)
                return None if short_ids is None else self.browse(short_ids)
            except OperationalError as error:
                if not isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY) or attempt == CLAIM_TRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        return None  # not reached

    @api.model
    def _hub_claim_in(self, owner, data):
        """In the claiming transaction: lock, share out, claim; returns the
        ids of the short orders (None when the orders are not to be seen)."""
        Claim = self.env["order.hub.stock.claim"].sudo()
        Product = self.env["product.product"].sudo()
        orders = self.browse([order_id for order_id, _wh, _wanted in data])
        if len(orders.exists()) < len(orders):
            return None
        orders._hub_lock_stock()
        Claim._hub_forget_done(Product.browse({pid for _o, _w, wanted in data for pid in wanted}))
        claimed = Claim._hub_claimed_orders(owner, [order_id for order_id, _wh, _wanted in data])
        free, short = {}, []
        for order_id, warehouse_id, wanted in data:
            if order_id in claimed:
                continue
            if not warehouse_id:
                short.append(order_id)
                continue
            if warehouse_id not in free:
                products = Product.browse({pid for _o, wh, w in data if wh == warehouse_id for pid in w})
                free[warehouse_id] = products._hub_free_qty(self.env["stock.warehouse"].browse(warehouse_id))
            left = free[warehouse_id]
            rounding = {pid: Product.browse(pid).uom_id.rounding for pid in wanted}
            if any(
                float_compare(qty, left.get(pid, 0.0), precision_rounding=rounding[pid]) > 0
                for pid, qty in wanted.items()
            ):
                short.append(order_id)
                continue
            for pid, qty in wanted.items():
                left[pid] -= qty
            Claim._hub_claim(owner, order_id, warehouse_id, wanted)
        return short
