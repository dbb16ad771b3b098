"""A Chinese address received as text (res.partner._hub_cn_address_vals, the
mapping imports use) routes and ships on its province record."""

from odoo import Command
from odoo.tests import tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestChineseAddressRouting(CarrierCommon):
    def test_hangzhou_address_matches_the_rules_of_zhejiang_and_reaches_the_sf_waybill(self):
        vals = self.env["res.partner"]._hub_cn_address_vals("浙江省", "杭州市", "西湖区", "", "文三路 100 号")
        buyer = self.env["res.partner"].create({"name": "王伟", "mobile": "13800138000", **vals})
        self.assertEqual(buyer.state_id, self.state_zj)
        warehouse_rule = self._rule(
            [self.wh_a], name="Zhejiang from Hangzhou", state_ids=[Command.set(self.state_zj.ids)], sequence=0
        )
        jiangsu_rule = self._rule(
            [self.wh_b],
            name="Jiangsu only",
            state_ids=[Command.set(self.env.ref("base.state_cn_JS").ids)],
            sequence=-1,
        )
        carrier_rule = self.env["order.hub.carrier.rule"].create(
            {
                "name": "SF Zhejiang",
                "carrier_id": self.sf.id,
                "state_ids": [Command.set(self.state_zj.ids)],
                "cost": 5,
                "sequence": 0,
            }
        )
        order = self._order([(self.product, 1)], partner=buyer)
        self.assertEqual(warehouse_rule._mismatch(order), "")
        self.assertIn("destination province 浙江省 not covered", jiangsu_rule._mismatch(order))
        order.action_confirm()
        self.assertEqual(order.hub_route_rule_id, warehouse_rule)
        self.assertEqual(order.warehouse_id, self.wh_a)
        self.assertEqual(order.hub_carrier_rule_id, carrier_rule)
        self.assertEqual(order.carrier_id, self.sf)
        picking = self._ship(order)
        sent = self.sf_box.orders[picking.hub_carrier_order_code]
        receiver = [c for c in sent["contactInfoList"] if c["contactType"] == 2][0]
        self.assertEqual(
            (receiver["province"], receiver["city"], receiver["county"], receiver["address"]),
            ("浙江省", "杭州市", "西湖区", "文三路 100 号"),
        )
