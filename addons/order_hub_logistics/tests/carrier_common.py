from odoo import Command

from .common import LogisticsCommon


class CarrierCommon(LogisticsCommon):
    """SF Express and ZTO carriers pointing at the localhost sandboxes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from sandbox.carrier_kuaidi100 import Kuaidi100Sandbox
        from sandbox.carrier_sf import SfSandbox
        from sandbox.carrier_zto import ZtoSandbox

        cls.sf_box = SfSandbox().start()
        cls.zto_box = ZtoSandbox().start()
        cls.kd_box = Kuaidi100Sandbox().start()
        cls.addClassCleanup(cls.sf_box.stop)
        cls.addClassCleanup(cls.zto_box.stop)
        cls.addClassCleanup(cls.kd_box.stop)
        ship = cls.env["product.product"].create({"name": "Shipping", "type": "service", "list_price": 0})
        tracking = {
            "hub_kd100_url": cls.kd_box.url,
            "hub_kd100_customer": cls.kd_box.customer,
            "hub_kd100_key": cls.kd_box.key,
            "hub_kd100_salt": "push-salt",
        }
        cls.sf = cls.env["delivery.carrier"].create(
            {
                "name": "SF Express test",
                "delivery_type": "sf_express",
                "product_id": ship.id,
                "hub_api_url": cls.sf_box.url + "/std/service",
                "hub_sf_partner_id": "OH_TEST",
                "hub_sf_check_word": "sandbox-check-word",
                "hub_sf_express_type": "1",
                "hub_kd100_company": "shunfeng",
                **tracking,
            }
        )
        cls.zto = cls.env["delivery.carrier"].create(
            {
                "name": "ZTO test",
                "delivery_type": "zto",
                "product_id": ship.id,
                "hub_api_url": cls.zto_box.url,
                "hub_zto_app_key": "oh-app",
                "hub_zto_app_secret": "sandbox-zto-secret",
                "hub_kd100_company": "zhongtong",
                **tracking,
            }
        )
        cls._stock(cls.wh_a, cls.product, 100)
        cls.env["order.hub.warehouse.rule"].create(
            {"name": "All to A", "line_ids": [Command.create({"warehouse_id": cls.wh_a.id})]}
        )

    def setUp(self):
        super().setUp()
        for box in (self.sf_box, self.zto_box, self.kd_box):
            box.reset()

    def _confirmed_order(self, carrier, qty=1, **values):
        order = self._order([(self.product, qty)], carrier_id=carrier.id, **values)
        order.action_confirm()
        return order

    def _ship(self, order):
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        return picking
