import base64

from odoo.tests import tagged
from odoo.tools import file_open

from .common import OrderHubCommon


def ean13_is_valid(code):
    if len(code) != 13 or not code.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


@tagged("post_install", "-at_install")
class TestDemoData(OrderHubCommon):
    """The demo data promised in the README exists and is usable."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("order_hub.product_brk_2026_01_demo", raise_if_not_found=False):
            self.skipTest("database installed without demo data")

    def _demo(self, model):
        ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "order_hub"), ("model", "=", model), ("name", "=like", "%_demo")])
            .mapped("res_id")
        )
        return self.env[model].browse(ids)

    def test_thirty_auto_parts_with_references_and_ean13(self):
        products = self._demo("product.product")
        self.assertEqual(len(products), 30)
        self.assertTrue(all(products.mapped("default_code")))
        self.assertTrue(all(products.mapped("is_storable")))
        barcodes = products.mapped("barcode")
        self.assertEqual(len(set(barcodes)), 30)
        self.assertTrue(all(ean13_is_valid(code) for code in barcodes), barcodes)

    def test_two_warehouses_with_stock(self):
        warehouses = self._demo("stock.warehouse")
        self.assertEqual(sorted(warehouses.mapped("code")), ["HZ", "SH"])
        for warehouse in warehouses:
            quants = self.env["stock.quant"].search(
                [("location_id", "child_of", warehouse.lot_stock_id.id), ("quantity", ">", 0)]
            )
            self.assertTrue(quants, f"{warehouse.name} has stock")

    def test_twenty_chinese_customers(self):
        customers = self._demo("res.partner").filtered(lambda p: p.customer_rank)
        self.assertEqual(len(customers), 20)
        self.assertTrue(customers.filtered("is_company"))
        self.assertTrue(customers.filtered(lambda p: not p.is_company))
        china = self.env.ref("base.cn")
        for partner in customers:
            self.assertEqual(partner.country_id, china)
            self.assertTrue(partner.state_id and partner.city and partner.street)
            self.assertTrue(partner.phone or partner.mobile)

    def test_demo_users_log_in_with_documented_passwords(self):
        for role in ("cs", "warehouse", "manager", "integration"):
            credential = {"login": f"hub.{role}", "password": f"orderhub-{role}", "type": "password"}
            auth = self.env["res.users"].authenticate(self.env.cr.dbname, credential, {"interactive": False})
            user = self.env["res.users"].browse(auth["uid"])
            self.assertEqual(user.login, f"hub.{role}")

    def test_demo_users_open_their_workbench(self):
        homes = {
            "cs": "order_hub.sale_order_action_customer_service",
            # the warehouse lands on order_hub_logistics' scan station
            # (order_hub_logistics/tests/test_scan_station.py)
            "manager": "order_hub.sale_order_action_manager",
        }
        for role, action in homes.items():
            user = self.env.ref(f"order_hub.user_order_hub_{role}_demo")
            self.assertEqual(user.action_id.id, self.env.ref(action).id, role)

    def test_the_company_is_a_hangzhou_auto_parts_distributor(self):
        company = self.env.ref("base.main_company")
        self.assertIn("杭州", company.name)
        self.assertEqual(company.currency_id, self.env.ref("base.CNY"))
        self.assertEqual(company.country_id, self.env.ref("base.cn"))
        self.assertEqual(company.state_id, self.env.ref("base.state_cn_ZJ"))
        self.assertEqual(len(company.vat), 18, "a Unified Social Credit Code")
        self.assertEqual(company.partner_id.tz, "Asia/Shanghai")
        pricelists = self.env["product.pricelist"].search([("company_id", "in", (company.id, False))])
        self.assertEqual(pricelists.currency_id, self.env.ref("base.CNY"), "orders are in CNY")

    def test_the_company_keeps_chinese_books(self):
        """setup/ creates the demo database with the main company in China
        before accounting is installed (install_demo_db in setup/lib.sh)."""
        company = self.env.ref("base.main_company")
        self.assertEqual(company.chart_template, "cn")
        self.assertEqual(company.account_fiscal_country_id, self.env.ref("base.cn"))
        tax = company.account_sale_tax_id
        self.assertTrue(tax, "a default sales tax from the Chinese chart")
        self.assertEqual(tax.country_id, self.env.ref("base.cn"))

    def test_the_company_has_its_own_logo(self):
        """The tracking page and reports show the demo company's logo, not Odoo's "Your logo"."""
        company = self.env.ref("base.main_company")
        with file_open("order_hub/static/img/demo_company_logo.png", "rb") as logo:
            self.assertEqual(base64.b64decode(company.logo), logo.read())

    def test_chinese_and_english_both_active(self):
        languages = self.env["res.lang"].search([]).mapped("code")
        self.assertIn("zh_CN", languages)
        self.assertIn("en_US", languages, "English stays one click away in Preferences")
        for role in ("cs", "warehouse", "manager", "integration"):
            self.assertEqual(self.env.ref(f"order_hub.user_order_hub_{role}_demo").lang, "zh_CN", role)
        menu = self.env.ref("order_hub.sale_order_menu_customer_service").with_context(lang="zh_CN")
        self.assertEqual(menu.name, "待处理订单", "the translations of the addons are loaded")
