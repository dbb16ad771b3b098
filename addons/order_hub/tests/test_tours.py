import unittest
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


class TourCommon(HttpCase):
    """The demo roles' landing pages in headless Chromium, in Chinese.

    Needs the demo data (users hub.cs, hub.warehouse, hub.manager, the
    Hangzhou warehouse and its stock)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("order_hub.user_order_hub_cs_demo", raise_if_not_found=False):
            raise unittest.SkipTest("database installed without demo data")
        cls.env.ref("base.user_admin").lang = "en_US"
        cls.product = cls.env.ref("order_hub.product_brk_2026_02_demo")
        cls.warehouse = cls.env.ref("order_hub.stock_warehouse_hangzhou_demo")
        cls.cn = cls.env.ref("base.cn")
        cls.hub_order = cls._order("Tour Hub Buyer", hub_source="jd")
        cls.hub_order.action_confirm()
        cls.outside = cls._order("Outside The Hub")
        cls.outside.action_confirm()

    @classmethod
    def _order(cls, buyer, **values):
        partner = cls.env["res.partner"].create(
            {
                "name": buyer,
                "country_id": cls.cn.id,
                "state_id": cls.env.ref("base.state_cn_ZJ").id,
                "city": "杭州市",
                "street": "文三路 100 号",
                "phone": "13800138000",
            }
        )
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                **values,
            }
        )


@tagged("post_install", "-at_install", "is_tour")
class TestLandingTours(TourCommon):
    def test_demo_users_speak_chinese_and_the_company_counts_in_cny(self):
        self.assertTrue(self.env["res.lang"]._lang_get("zh_CN").active)
        self.assertTrue(self.env["res.lang"]._lang_get("en_US").active, "English one click away")
        for role in ("cs", "warehouse", "manager"):
            self.assertEqual(self.env.ref(f"order_hub.user_order_hub_{role}_demo").lang, "zh_CN")
        self.assertEqual(self.hub_order.currency_id, self.env.ref("base.CNY"))

    def test_customer_service_landing(self):
        now = fields.Datetime.now()
        at_risk = self._order("Tour At Risk Buyer", hub_source="douyin")
        breached = self._order("Tour Breached Buyer", hub_source="douyin")
        # the clock's dates as if the orders had waited (computed from their
        # stage entry on working hours, which would make the test depend on the
        # time of day it runs at)
        self.env.flush_all()
        at_risk.write(
            {"hub_sla_risk_at": now - timedelta(hours=1), "hub_sla_deadline": now + timedelta(hours=4)}
        )
        breached.write(
            {"hub_sla_risk_at": now - timedelta(hours=3), "hub_sla_deadline": now - timedelta(hours=1)}
        )
        self.env["sale.order"]._cron_hub_escalate()
        self.env["sale.order"]._cron_hub_escalate()
        self.assertFalse(at_risk.activity_ids, "an order at risk creates no activity")
        self.assertEqual(len(breached.activity_ids), 1, "a breached order creates exactly one")
        self.start_tour("/odoo", "order_hub_cs_landing", login="hub.cs", timeout=300)

    def test_manager_landing_and_settings(self):
        company = self.env.company
        company.hub_surge_threshold = 100
        self.start_tour("/odoo", "order_hub_manager_settings", login="hub.manager", timeout=300)
        self.assertEqual(company.hub_surge_threshold, 321)


@tagged("post_install", "-at_install", "is_tour")
class TestWarehousePhoneTour(TourCommon):
    browser_size = "390x844"
    touch_enabled = True

    def test_warehouse_landing_on_a_phone(self):
        self.hub_order.picking_ids.name = "TOUR-HUB-PICK"
        self.outside.picking_ids.name = "TOUR-OUTSIDE-PICK"
        # the picker lands on the scan station (order_hub_logistics, its own
        # tour); its shipments list is one menu away
        self.start_tour(
            "/odoo/action-order_hub.stock_picking_action_warehouse",
            "order_hub_warehouse_landing",
            login="hub.warehouse",
            timeout=300,
        )
