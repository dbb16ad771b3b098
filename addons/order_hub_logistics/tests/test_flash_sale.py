import base64
import io
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import LogisticsCommon


@tagged("post_install", "-at_install")
class TestFlashSale(LogisticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.flash = cls._warehouse(
            "Flash 11.11",
            "FL11",
            cls.state_zj,
            hub_is_flash_sale=True,
            hub_flash_start=now - timedelta(hours=1),
            hub_flash_end=now + timedelta(hours=5),
            hub_flash_channel_codes="douyin,wechat_shop",
            hub_flash_return_warehouse_id=cls.wh_a.id,
        )

    def _import(self, content, filename="stock.csv"):
        wizard = self.env["order.hub.flash.import"].create(
            {"warehouse_id": self.flash.id, "file": base64.b64encode(content), "filename": filename}
        )
        return wizard.action_import()

    def test_import_reports_every_bad_line_and_imports_nothing(self):
        csv = b"product reference,quantity\nLOG-P1,10\nNOPE,3\nLOG-P2,abc\n,4\nLOG-P1,2\nLOG-P2,-1\n"
        with self.assertRaises(UserError) as info:
            self._import(csv)
        message = str(info.exception)
        self.assertIn("Line 3: no product has the reference NOPE", message)
        self.assertIn("Line 4: the quantity abc is not a number", message)
        self.assertIn("Line 5: the product reference is empty", message)
        self.assertIn("Line 6: LOG-P1 already appears on line 2", message)
        self.assertIn("Line 7: the quantity cannot be negative", message)
        self.assertNotIn("Line 2:", message)
        self.assertEqual(self._free(self.flash, self.product), 0, "nothing imported")

    def test_import_csv_and_xlsx(self):
        self._import(b"LOG-P1,10\nLOG-P2,4\n")
        self.assertEqual(self._free(self.flash, self.product), 10)
        self.assertEqual(self._free(self.flash, self.product_b), 4)
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["product reference", "quantity"])
        book.active.append(["LOG-P1", 7])
        buffer = io.BytesIO()
        book.save(buffer)
        self._import(buffer.getvalue(), "stock.xlsx")
        self.assertEqual(self._free(self.flash, self.product), 7)

    def test_flash_warehouse_needs_window_and_channels(self):
        with self.assertRaises(ValidationError):
            self.flash.hub_flash_channel_codes = "tiktok"
        with self.assertRaises(ValidationError):
            self.flash.hub_flash_end = self.flash.hub_flash_start - timedelta(hours=1)

    def test_flash_orders_reserve_only_from_the_flash_stock(self):
        self._stock(self.flash, self.product, 5)
        self._stock(self.wh_a, self.product, 100)
        self._rule([self.wh_a], name="Main")
        order = self._order([(self.product, 3)], hub_source="douyin")
        order.action_confirm()
        self.assertEqual(order.warehouse_id, self.flash)
        self.assertEqual(order.hub_stock_state, "reserved")
        self.assertEqual(self._free(self.flash, self.product), 2)
        self.assertEqual(self._free(self.wh_a, self.product), 100)
        # more than the flash stock: out of stock, the main warehouse is not touched
        big = self._order([(self.product, 4)], hub_source="wechat_shop")
        big.action_confirm()
        self.assertEqual(big.warehouse_id, self.flash)
        self.assertEqual(big.hub_stock_state, "out_of_stock")
        self.assertEqual(self._free(self.wh_a, self.product), 100)
        self.assertEqual(
            self._free(self.flash, self.product), 0, "partially reserved, never more than on hand"
        )
        # another channel never reaches the flash stock
        jd = self._order([(self.product, 1)], hub_source="jd")
        jd.action_confirm()
        self.assertEqual(jd.warehouse_id, self.wh_a)
        self.assertEqual(self.product.with_context(warehouse_id=self.flash.id).qty_available, 5)
        self.assertEqual(self._free(self.wh_a, self.product), 99)

    def test_outside_the_window_orders_use_main_warehouses(self):
        self._stock(self.flash, self.product, 5)
        self._stock(self.wh_a, self.product, 10)
        self._rule([self.wh_a], name="Main")
        with freeze_time(fields.Datetime.now() + timedelta(days=1)):
            order = self._order([(self.product, 1)], hub_source="douyin")
            order.action_confirm()
        self.assertEqual(order.warehouse_id, self.wh_a)
        self.assertEqual(self._free(self.flash, self.product), 5)

    def test_leftovers_return_at_the_end_of_the_window(self):
        self._stock(self.flash, self.product, 5)
        self._stock(self.wh_a, self.product, 10)
        order = self._order([(self.product, 2)], hub_source="douyin")
        order.action_confirm()
        self.env["stock.warehouse"]._cron_hub_return_flash_leftovers()
        self.assertFalse(self.flash.hub_flash_returned, "the window is still open")
        with freeze_time(fields.Datetime.now() + timedelta(hours=6)):
            self.env["stock.warehouse"]._cron_hub_return_flash_leftovers()
        self.assertTrue(self.flash.hub_flash_returned)
        self.assertEqual(self.product.with_context(warehouse_id=self.wh_a.id).qty_available, 13)
        self.assertEqual(
            self.product.with_context(warehouse_id=self.flash.id).qty_available, 2, "reserved units stay"
        )
