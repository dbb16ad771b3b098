from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestCarrierRouting(CarrierCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["order.hub.carrier.rule"]
        delta = cls.env.ref("order_hub_logistics.order_hub_region_yangtze_delta")
        cls.rule_zto_delta = Rule.create(
            {
                "name": "ZTO delta",
                "carrier_id": cls.zto.id,
                "region_ids": [delta.id],
                "weight_max": 10,
                "cost": 6,
                "ship_hours": 24,
                "delivery_hours": 48,
                "sequence": 1,
            }
        )
        cls.rule_sf_delta = Rule.create(
            {
                "name": "SF delta",
                "carrier_id": cls.sf.id,
                "region_ids": [delta.id],
                "cost": 14,
                "ship_hours": 12,
                "delivery_hours": 12,
                "sequence": 2,
            }
        )
        cls.rule_sf_heavy = Rule.create(
            {"name": "SF heavy", "carrier_id": cls.sf.id, "weight_min": 10, "cost": 30, "sequence": 3}
        )

    def test_cheapest_matching_rule_wins_and_sets_the_promise(self):
        with freeze_time("2026-11-20 02:00:00"):
            order = self._order([(self.product, 2)])  # 3 kg to Shanghai
            order.action_confirm()
            self.assertEqual(order.carrier_id, self.zto)
            self.assertEqual(order.hub_carrier_rule_id, self.rule_zto_delta)
            self.assertIn("Rule SF delta matched but costs more.", order.hub_carrier_note)
            self.assertIn("Rule SF heavy skipped: weight", order.hub_carrier_note)
            self.assertEqual(order.hub_promised_ship_date, fields.Datetime.to_datetime("2026-11-21 02:00:00"))
            self.assertEqual(
                order.hub_promised_delivery_date, fields.Datetime.to_datetime("2026-11-23 02:00:00")
            )
            self.assertEqual(order.picking_ids.carrier_id, self.zto)

    def test_weight_and_province_conditions(self):
        order = self._order([(self.product, 8)])  # 12 kg
        order.action_confirm()
        self.assertEqual(order.hub_carrier_rule_id, self.rule_sf_delta)
        far = self.customer.copy({"state_id": self.state_gd.id})
        order = self._order([(self.product, 8)], partner=far)
        order.action_confirm()
        self.assertEqual(order.hub_carrier_rule_id, self.rule_sf_heavy)
        self.assertIn("destination province", order.hub_carrier_note)

    def test_a_tight_channel_promise_excludes_slow_carriers(self):
        order = self._order(
            [(self.product, 1)], hub_promised_delivery_date=fields.Datetime.now() + timedelta(hours=30)
        )
        order.action_confirm()
        self.assertEqual(order.hub_carrier_rule_id, self.rule_sf_delta)
        self.assertIn(
            "Rule ZTO delta skipped: cannot keep the promised delivery time", order.hub_carrier_note
        )
        self.assertEqual(
            order.hub_promised_delivery_date.date(), (fields.Datetime.now() + timedelta(hours=30)).date()
        )

    def test_vip_always_gets_sf_next_morning(self):
        vip = self.customer.copy({"hub_customer_tier": "vip", "state_id": self.state_gd.id})
        self.env["order.hub.carrier.rule"].create(
            {"name": "Cheap for all", "carrier_id": self.zto.id, "cost": 1, "sequence": 0}
        )
        order = self._order([(self.product, 1)], partner=vip)
        order.action_confirm()
        self.assertEqual(order.carrier_id, self.sf)
        self.assertEqual(self.sf.hub_sf_express_type, "1")
        self.assertIn("VIP", order.hub_carrier_note)
        picking = self._ship(order)
        self.assertEqual(self.sf_box.orders[picking.hub_carrier_order_code]["expressTypeId"], 1)
