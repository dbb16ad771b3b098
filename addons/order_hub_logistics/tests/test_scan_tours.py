import unittest

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.order_hub.tests.common import out_of_surge


class ScanTourCommon(HttpCase):
    """The demo picker (hub.warehouse) scans a delivery to Shipped in headless
    Chromium, in Chinese. Needs the demo data (user, products, warehouse)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out_of_surge(cls.env)
        if not cls.env.ref("order_hub.user_order_hub_warehouse_demo", raise_if_not_found=False):
            raise unittest.SkipTest("database installed without demo data")
        warehouse = cls.env.ref("order_hub.stock_warehouse_hangzhou_demo")
        cls.products = cls.env.ref("order_hub.product_brk_2026_01_demo") | cls.env.ref(
            "order_hub.product_brk_2026_02_demo"
        )
        for product in cls.products:
            cls.env["stock.quant"].with_context(inventory_mode=True).create(
                {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 20}
            ).action_apply_inventory()
        partner = cls.env["res.partner"].create(
            {
                "name": "Tour Scan Buyer",
                "country_id": cls.env.ref("base.cn").id,
                "state_id": cls.env.ref("base.state_cn_ZJ").id,
                "city": "杭州市",
                "street": "文三路 100 号",
                "phone": "13800138000",
            }
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": warehouse.id,
                "hub_source": "phone",
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                    for product in cls.products
                ],
            }
        )
        cls.order.action_confirm()
        cls.picking = cls.order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        # a phone order needs no waybill from a carrier (the demo carriers'
        # sandboxes are not running in tests)
        cls.picking.write({"name": "TOUR-SCAN-PICK", "carrier_id": False})

    def _check_shipped(self):
        self.assertEqual(self.picking.state, "done")
        self.assertEqual(self.order.hub_stage_code, "shipped")
        self.assertEqual(self.picking.move_ids.mapped("hub_scanned_qty"), [1.0, 1.0], "no over-scan counted")
        self.assertEqual(self.picking.move_ids.mapped("quantity"), [1.0, 1.0])


@tagged("post_install", "-at_install", "is_tour")
class TestScanStationTour(ScanTourCommon):
    def test_picker_scans_a_delivery_to_shipped(self):
        self.start_tour("/odoo", "order_hub_scan_station", login="hub.warehouse", timeout=300)
        self._check_shipped()


@tagged("post_install", "-at_install", "is_tour")
class TestScanStationPhoneTour(ScanTourCommon):
    browser_size = "390x844"
    touch_enabled = True

    def test_picker_scans_a_delivery_on_a_phone(self):
        self.start_tour("/odoo", "order_hub_scan_station", login="hub.warehouse", timeout=300)
        self._check_shipped()
