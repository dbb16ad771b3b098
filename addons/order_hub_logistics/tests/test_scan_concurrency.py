import threading
import uuid

import psycopg2
from psycopg2 import errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

DEMAND = 4
PHONES = 3
SCANS_PER_PHONE = 3


@tagged("post_install", "-at_install")
class TestConcurrentScans(TransactionCase):
    """Three phones scan the same delivery at once, three times each, from
    their own database connections: exactly the demand is counted, the rest is
    refused, the delivery is validated once. The data is committed (the
    phones need to see it) and removed at the end."""

    def _env(self, cr, uid=SUPERUSER_ID):
        return api.Environment(cr, uid, {"tracking_disable": True})

    def _setup_committed(self):
        tag = uuid.uuid4().hex[:8].upper()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create({"name": f"Scan concurrency {tag}"})
            product = env["product.product"].create(
                {
                    "name": f"Scan item {tag}",
                    "type": "consu",
                    "is_storable": True,
                    "barcode": f"SCAN{tag}",
                }
            )
            warehouse = env["stock.warehouse"].create({"name": f"Scan WH {tag}", "code": tag[:5]})
            env["stock.quant"].with_context(inventory_mode=True).create(
                {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 10}
            ).action_apply_inventory()
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "warehouse_id": warehouse.id,
                    "hub_in_scope": True,
                    "hub_source": "phone",
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": DEMAND})],
                }
            )
            if order.state != "sale":  # the fast lane confirms it when the database is in a surge
                order.action_confirm()
            user = env["res.users"].create(
                {
                    "name": f"Scan picker {tag}",
                    "login": f"scan_picker_{tag}",
                    "groups_id": [
                        Command.set(
                            [env.ref("base.group_user").id, env.ref("order_hub.group_order_hub_warehouse").id]
                        )
                    ],
                }
            )
            return partner.id, product.id, warehouse.id, order.id, order.picking_ids.id, user.id

    def _phone(self, picking_id, barcode, uid, stats):
        for _scan in range(SCANS_PER_PHONE):
            for _attempt in range(50):
                try:
                    with self.registry.cursor() as cr:
                        station = self._env(cr, uid)["order.hub.scan.station"]
                        result = station.scan(barcode, picking_id=picking_id)
                    stats["ok" if result["ok"] else "refused"] += 1
                    break
                except psycopg2.OperationalError as error:
                    if error.pgcode != errorcodes.SERIALIZATION_FAILURE:
                        stats["errors"].append(str(error))
                        return
                    stats["retries"] += 1
            else:
                stats["errors"].append("a scan never went through")

    def _cleanup(self, partner_id, product_id, warehouse_id, order_id, user_id):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            order = env["sale.order"].browse(order_id)
            order.hub_ticket_ids.unlink()
            cr.execute(SQL("DELETE FROM order_hub_audit_log WHERE order_id = %s", order_id))
            if "stock.valuation.layer" in env:
                cr.execute(SQL("DELETE FROM stock_valuation_layer WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_move_line WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_move WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_quant WHERE product_id = %s", product_id))
            cr.execute(SQL("DELETE FROM stock_picking WHERE sale_id = %s", order_id))
            cr.execute(SQL("DELETE FROM sale_order_line WHERE order_id = %s", order_id))
            cr.execute(SQL("DELETE FROM sale_order WHERE id = %s", order_id))
            product = env["product.product"].browse(product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            env["stock.warehouse"].browse(warehouse_id).active = False
            env["res.users"].browse(user_id).active = False
            env["res.partner"].browse(partner_id).active = False

    def test_three_phones_on_one_delivery(self):
        partner_id, product_id, warehouse_id, order_id, picking_id, user_id = self._setup_committed()
        try:
            barcode = self._env(self.env.cr)["product.product"].browse(product_id).barcode
            stats = {"ok": 0, "refused": 0, "retries": 0, "errors": []}
            threads = [
                threading.Thread(target=self._phone, args=(picking_id, barcode, user_id, stats))
                for _i in range(PHONES)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
            self.assertFalse(any(t.is_alive() for t in threads), "a phone is stuck")
            self.assertEqual(stats["errors"], [])
            self.assertEqual(stats["ok"], DEMAND)
            self.assertEqual(stats["refused"], PHONES * SCANS_PER_PHONE - DEMAND)
            with self.registry.cursor() as cr:
                env = self._env(cr)
                picking = env["stock.picking"].browse(picking_id)
                self.assertEqual(picking.state, "done")
                self.assertEqual(picking.move_ids.hub_scanned_qty, DEMAND)
                self.assertEqual(picking.move_ids.quantity, DEMAND)
                self.assertEqual(picking.sale_id.hub_stage_code, "shipped")
                cr.execute(
                    SQL(
                        "SELECT count(*) FROM order_hub_audit_log WHERE order_id = %s "
                        "AND field_name = 'hub_scan_validation'",
                        order_id,
                    )
                )
                self.assertEqual(cr.fetchone()[0], 1, "validated once")
        finally:
            self._cleanup(partner_id, product_id, warehouse_id, order_id, user_id)
