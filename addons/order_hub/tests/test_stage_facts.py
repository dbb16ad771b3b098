from odoo.exceptions import UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestStagesFollowTheFacts(LifecycleCommon):
    """Shipped means the delivery is done: marking an order shipped by hand
    validates its delivery, or refuses with the reason."""

    def _preparing(self, qty):
        order = self._order(self.storable, qty=qty, ignore_exception=True)
        order.action_confirm()
        self.assertEqual(order.hub_stage_id.code, "preparing")
        return order

    def test_marking_a_fully_reserved_order_shipped_validates_its_delivery(self):
        order = self._preparing(qty=2)
        order.with_user(self.user_warehouse).action_hub_move("shipped")
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(order.picking_ids.move_ids.quantity, 2)
        self.assertEqual(order.hub_stage_id.code, "shipped")

    def test_marking_an_order_shipped_with_an_open_short_delivery_is_refused(self):
        self.env["stock.quant"]._update_available_quantity(self.storable, self.warehouse.lot_stock_id, -99.0)
        order = self._preparing(qty=4)  # 1 of 4 reserved
        with self.assertRaises(UserError) as caught:
            order.with_user(self.user_warehouse).action_hub_move("shipped")
        self.assertIn("is not fully reserved", str(caught.exception))
        self.assertIn("Brake pads has 1.0 of 4.0", str(caught.exception))
        self.assertNotEqual(order.picking_ids.state, "done")
        self.assertEqual(order.hub_stage_id.code, "preparing")

    def test_the_status_bar_validates_the_delivery_too(self):
        order = self._preparing(qty=1)
        order.with_user(self.user_warehouse).write({"hub_stage_id": self._stage("shipped").id})
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(order.hub_stage_id.code, "shipped")

    def test_completed_by_hand_needs_a_done_delivery(self):
        order = self._preparing(qty=1)
        order._hub_move_to("exception")  # Exception may move to any stage
        with self.assertRaises(UserError) as caught:
            order.with_user(self.user_cs).action_hub_move("done")
        self.assertIn("its delivery is not done yet", str(caught.exception))
        self.assertEqual(order.hub_stage_id.code, "exception")
        order.with_user(self.user_warehouse).action_hub_move("shipped")
        order.with_user(self.user_cs).action_hub_move("done")
        self.assertEqual(order.hub_stage_id.code, "done")
