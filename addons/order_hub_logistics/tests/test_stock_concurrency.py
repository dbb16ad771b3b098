import threading
import uuid

import psycopg2
from psycopg2 import errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

ORDERS = 50
ON_HAND = 10
THREADS = 5
RETRYABLE = {errorcodes.SERIALIZATION_FAILURE, errorcodes.LOCK_NOT_AVAILABLE}


@tagged("post_install", "-at_install")
class TestNoOverselling(TransactionCase):
    """50 confirmations for a product with 10 units from 5 database connections
    at once.  The data is committed (the workers need to see it) and removed at
    the end; the test's own transaction writes nothing so that it cannot block
    the workers."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _setup_committed(self):
        tag = uuid.uuid4().hex[:6].upper()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create({"name": "Concurrency customer"})
            product = env["product.product"].create(
                {
                    "name": "Concurrency item",
                    "type": "consu",
                    "is_storable": True,
                    "default_code": f"CONC-{tag}",
                }
            )
            warehouse = env["stock.warehouse"].create({"name": f"Concurrency WH {tag}", "code": tag[:5]})
            env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": ON_HAND,
                }
            ).action_apply_inventory()
            rule = env["order.hub.warehouse.rule"].create(
                {
                    "name": "Concurrency",
                    "sequence": -100,
                    "line_ids": [Command.create({"warehouse_id": warehouse.id})],
                    "partner_ids": [partner.id],
                }
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "warehouse_id": warehouse.id,
                        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                        # routing and the stock gate apply to the hub's orders
                        "hub_in_scope": True,
                    }
                    for _i in range(ORDERS)
                ]
            )
            return partner.id, product.id, warehouse.id, rule.id, orders.ids

    def _confirm_all(self, order_ids, stats):
        for order_id in order_ids:
            for _attempt in range(100):
                try:
                    with self.registry.cursor() as cr:
                        self._env(cr)["sale.order"].browse(order_id).action_confirm()
                    break
                except psycopg2.OperationalError as error:
                    if error.pgcode == errorcodes.DEADLOCK_DETECTED:
                        stats["deadlocks"] += 1
                    elif error.pgcode not in RETRYABLE:
                        stats["errors"].append(repr(error))
                        break
                    stats["retries"] += 1
            else:
                stats["errors"].append(f"order {order_id} never confirmed")

    def _cleanup(self, partner_id, product_id, warehouse_id, rule_id, order_ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            orders = env["sale.order"].browse(order_ids)
            pickings = orders.picking_ids
            orders.hub_ticket_ids.unlink()
            # the audit trail is append-only for the ORM; these lines belong to test data
            cr.execute(SQL("DELETE FROM order_hub_audit_log WHERE order_id = ANY(%s)", order_ids))
            orders._action_cancel()
            orders.unlink()
            pickings.unlink()
            env["order.hub.warehouse.rule"].browse(rule_id).unlink()
            # done inventory moves cannot be deleted through the ORM
            if "stock.valuation.layer" in env:
                cr.execute(SQL("DELETE FROM stock_valuation_layer WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_move_line WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_move WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_quant WHERE product_id = %s", product_id))
            product = env["product.product"].browse(product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            warehouse = env["stock.warehouse"].browse(warehouse_id)
            warehouse.active = False
            env["res.partner"].browse(partner_id).active = False

    def test_fifty_orders_on_ten_units(self):
        partner_id, product_id, warehouse_id, rule_id, order_ids = self._setup_committed()
        try:
            stats = {"deadlocks": 0, "retries": 0, "errors": []}
            chunks = [order_ids[i::THREADS] for i in range(THREADS)]
            threads = [threading.Thread(target=self._confirm_all, args=(chunk, stats)) for chunk in chunks]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
            self.assertFalse(any(t.is_alive() for t in threads), "a worker is stuck")
            self.assertEqual(stats["errors"], [])
            self.assertEqual(stats["deadlocks"], 0)
            with self.registry.cursor() as cr:
                env = self._env(cr)
                orders = env["sale.order"].browse(order_ids)
                self.assertEqual(set(orders.mapped("state")), {"sale"})
                quants = env["stock.quant"].search(
                    [("product_id", "=", product_id), ("location_id.usage", "=", "internal")]
                )
                self.assertEqual(sum(quants.mapped("reserved_quantity")), ON_HAND)
                self.assertEqual(sum(quants.mapped("quantity")), ON_HAND)
                reserved = orders.filtered(lambda o: o.hub_stock_state == "reserved")
                self.assertEqual(len(reserved), ON_HAND)
                self.assertEqual(
                    len(orders.filtered(lambda o: o.hub_stock_state == "out_of_stock")), ORDERS - ON_HAND
                )
                short = orders.filtered(lambda o: o.hub_stock_state == "out_of_stock")
                self.assertEqual(set(short.mapped("hub_stage_code")), {"exception"})
                self.assertEqual(
                    len(short.hub_ticket_ids.filtered(lambda t: t.type_id.code == "out_of_stock")), 40
                )
                moves = orders.picking_ids.move_ids
                self.assertEqual(sum(moves.mapped("quantity")), ON_HAND)
                cr.execute(
                    SQL(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE a.datname = current_database() AND NOT l.granted"
                    )
                )
                self.assertEqual(cr.fetchone()[0], 0, "no lock left waiting")
        finally:
            self._cleanup(partner_id, product_id, warehouse_id, rule_id, order_ids)
