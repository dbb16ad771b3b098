import random
import time

from psycopg2 import OperationalError

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

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
        # not odoo.service.model.retrying: its back-off (up to 2**try seconds)
        # suits a whole request, not a transaction of a few milliseconds
        attempt = 0
        while True:
            try:
                with self.env.registry.cursor() as cr:
                    short_ids = self.env(cr=cr)["sale.order"]._hub_claim_in(owner, data)
                return None if short_ids is None else self.browse(short_ids)
            except OperationalError as error:
                attempt += 1
                if not isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY) or attempt >= CLAIM_TRIES:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))

    @api.model
    def _hub_claim_in(self, owner, data):
        """In the claiming transaction: lock, share out, claim; returns the
        ids of the short orders (None when the orders are not to be seen)."""
        Claim = self.env["order.hub.stock.claim"].sudo()
        orders = self.browse([order_id for order_id, _wh, _wanted in data])
        if len(orders.exists()) < len(orders):
            return None
        orders._hub_lock_stock()
        Claim._hub_forget_done(
            self.env["product.product"].browse({pid for _o, _w, wanted in data for pid in wanted})
        )
        claimed = Claim._hub_claimed_orders(owner, [order_id for order_id, _wh, _wanted in data])
        todo = [entry for entry in data if entry[0] not in claimed]
        short = self._hub_share_out(todo)
        for order_id, warehouse_id, wanted in todo:
            if order_id not in short:
                Claim._hub_claim(owner, order_id, warehouse_id, wanted)
        return short
