import unittest

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.order_hub.tests.common import out_of_surge

NUMBER = "SF1400000001"


@tagged("post_install", "-at_install", "is_tour")
class TestDeskTrackTour(HttpCase):
    """查物流 as the demo agent (hub.cs), in Chinese: the desk, the order, the
    dialog with the scans the carrier answered over HTTP (Kuaidi100 sandbox)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out_of_surge(cls.env)
        if not cls.env.ref("order_hub.user_order_hub_cs_demo", raise_if_not_found=False):
            raise unittest.SkipTest("database installed without demo data")
        from sandbox.carrier_kuaidi100 import Kuaidi100Sandbox

        cls.kd_box = Kuaidi100Sandbox().start()
        cls.addClassCleanup(cls.kd_box.stop)
        warehouse = cls.env.ref("order_hub.stock_warehouse_hangzhou_demo")
        product = cls.env.ref("order_hub.product_brk_2026_02_demo")
        cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5)
        ship = cls.env["product.product"].create({"name": "Track tour shipping", "type": "service"})
        # a carrier whose waybills are typed in, tracked through Kuaidi100 (the sandbox)
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Track Tour Express",
                "delivery_type": "fixed",
                "integration_level": "rate",
                "product_id": ship.id,
                "hub_kd100_company": "shunfeng",
                "hub_kd100_url": cls.kd_box.url,
                "hub_kd100_customer": cls.kd_box.customer,
                "hub_kd100_key": cls.kd_box.key,
            }
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Desk Track Buyer",
                "country_id": cls.env.ref("base.cn").id,
                "state_id": cls.env.ref("base.state_cn_ZJ").id,
                "city": "杭州市",
                "street": "文三路 100 号",
                "phone": "13900001234",
            }
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": warehouse.id,
                "hub_source": "phone",
                "carrier_id": cls.carrier.id,
                "user_id": cls.env.ref("order_hub.user_order_hub_cs_demo").id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()
        picking = cls.order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        picking.write({"carrier_id": cls.carrier.id, "carrier_tracking_ref": NUMBER})
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        picking.carrier_tracking_ref = NUMBER
        cls.picking = picking
        # a fact that keeps it on the desk (the desk lists only orders needing the agent)
        cls.order.partner_shipping_id = partner.copy({"hub_address_issue": "Province not found"})
        cls.kd_box.set_track(
            NUMBER,
            "shunfeng",
            0,
            [
                ("2026-11-20 10:00:00", "顺丰速运 已收取快件"),
                ("2026-11-20 18:00:00", "快件到达 杭州转运中心"),
            ],
        )

    def test_track_dialog_shows_the_carrier_timeline(self):
        self.assertEqual(self.picking.state, "done")
        self.assertFalse(self.order.hub_tracking_event_ids)
        self.kd_box.queries.clear()
        self.start_tour(
            "/odoo/action-order_hub.sale_order_action_customer_service",
            "order_hub_desk_track",
            login="hub.cs",
            timeout=300,
        )
        self.assertEqual(self.kd_box.queries, [NUMBER], "asked the carrier once, over HTTP")
        self.assertEqual(len(self.order.hub_tracking_event_ids), 2)
