from datetime import date

from odoo import Command
from odoo.tests import Form, tagged

from .carrier_common import CarrierCommon


@tagged("post_install", "-at_install")
class TestCoexistence(CarrierCommon):
    """A warehouse clerk with no Order Hub role ships as in standard Odoo:
    the hub's bookkeeping (owed gifts, tracking) follows without his rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Warehouse clerk",
                    "login": "test_coexist_clerk",
                    "groups_id": [Command.set([cls.env.ref("stock.group_stock_user").id])],
                }
            )
        )
        cls.gift_product = cls._product("LOG-GIFT", weight=0.1)

    def _validate_as_clerk(self, picking):
        picking = picking.with_user(self.clerk)
        moves = picking.move_ids.filtered(lambda m: m.state != "cancel")
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        picking.button_validate()
        return picking

    def test_clerk_ships_order_with_owed_gift_and_tracked_carrier(self):
        self.assertFalse(any(self.clerk.has_group(group) for group in self.role_users_groups()))
        order = self._order(
            [(self.product, 1)],
            carrier_id=self.sf.id,
            warehouse_id=self.wh_a.id,
        )
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.gift_product.id,
                            "product_uom_qty": 1,
                            "price_unit": 0.0,
                            "hub_is_gift": True,
                            "hub_gift_promise_date": date(2026, 12, 5),
                        }
                    )
                ]
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        gift = order.hub_gift_ids
        self.assertEqual(gift.state, "owed")
        delivery = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
        self._validate_as_clerk(delivery)
        self.assertEqual(delivery.state, "done")
        self.assertTrue(delivery.carrier_tracking_ref, "the SF waybill is created on validation")
        self.assertTrue(delivery.hub_tracking_subscribed)
        self.assertEqual(order.hub_stage_code, "shipped")
        # tracking scans arrive and the clerk still opens his delivery
        self.kd_box.set_track(
            delivery.carrier_tracking_ref, "shunfeng", 1, [("2026-11-20 10:00:00", "顺丰速运 已收取快件")]
        )
        self.env["stock.picking"]._cron_hub_poll_tracking()
        self.assertEqual(delivery.hub_tracking_event, "in_transit", delivery.hub_tracking_error)
        self.assertTrue(delivery.hub_tracking_event_ids)
        # he opens his delivery as before (the hub's timeline is not in his form)
        self.assertEqual(Form(delivery.with_user(self.clerk)).state, "done")
        self.assertTrue(delivery.with_user(self.clerk).read())
        # the gift stock arrives; the re-ship delivery is validated by the clerk
        self._stock(self.wh_a, self.gift_product, 5)
        gift.action_create_reship()
        self.assertEqual(gift.state, "scheduled")
        self._validate_as_clerk(gift.picking_id)
        self.assertEqual(gift.picking_id.state, "done")
        self.assertEqual(gift.state, "shipped")

    def role_users_groups(self):
        return [
            "order_hub.group_order_hub_customer_service",
            "order_hub.group_order_hub_warehouse",
            "order_hub.group_order_hub_manager",
            "order_hub.group_order_hub_integration",
        ]

    def test_salesperson_without_hub_role_opens_and_confirms_orders(self):
        salesman = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Salesman",
                    "login": "test_coexist_salesman",
                    "groups_id": [Command.set([self.env.ref("sales_team.group_sale_salesman_all_leads").id])],
                }
            )
        )
        self._stock(self.wh_a, self.product, 5)
        with Form(self.env["sale.order"].with_user(salesman)) as form:
            form.partner_id = self.customer
            form.warehouse_id = self.wh_a
            with form.order_line.new() as line:
                line.product_id = self.product
                line.product_uom_qty = 1
        order = form.record
        self.assertFalse(order.hub_in_scope)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(Form(order).state, "sale")
        # every field he may read, as an export or an RPC read() does
        self.assertEqual(order.read()[0]["state"], "sale")
