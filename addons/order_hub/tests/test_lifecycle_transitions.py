from odoo.exceptions import UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon

DEFAULT_CODES = {
    "to_confirm",
    "confirmed",
    "preparing",
    "shipped",
    "in_transit",
    "done",
    "exception",
    "address_change",
    "cancelled",
}


@tagged("post_install", "-at_install")
class TestLifecycleTransitions(LifecycleCommon):
    def test_default_stages_are_data(self):
        stages = self.Stage.search([])
        self.assertEqual(set(stages.mapped("code")), DEFAULT_CODES)
        preparing = self._stage("preparing")
        self.assertEqual(preparing.sla_hours, 2.0)
        self.assertEqual(preparing.ticket_after_hours, 4.0)
        self.assertEqual(preparing.calendar_id, self.calendar)
        self.assertEqual(
            set(preparing.ticket_reason_type_ids.mapped("code")),
            {"out_of_stock", "qc_failed", "gift_not_arrived"},
        )

    def test_new_order_waits_in_to_confirm_with_an_audit_line(self):
        order = self._order()
        self.assertEqual(order.hub_stage_id.code, "to_confirm")
        self.assertTrue(order.hub_stage_entered_at)
        line = self._audit(order, "hub_stage_id")
        self.assertEqual(len(line), 1)
        self.assertEqual(line.new_value, "To Confirm")

    def test_confirmation_moves_to_confirmed(self):
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.hub_stage_id.code, "confirmed")
        self.assertEqual(self._audit(order, "hub_stage_id").mapped("new_value"), ["To Confirm", "Confirmed"])

    def test_delivery_events_follow_the_picking(self):
        order = self._order(self.storable, qty=2)
        order.action_confirm()
        # stock is available: reserved at confirmation, through Confirmed
        self.assertEqual(order.hub_stage_id.code, "preparing")
        self.assertEqual(
            self._audit(order, "hub_stage_id").mapped("new_value"),
            ["To Confirm", "Confirmed", "Preparing"],
        )
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.hub_stage_id.code, "shipped")
        order._hub_on_carrier_pickup()
        self.assertEqual(order.hub_stage_id.code, "in_transit")
        # a late duplicate event never moves the order back
        order._hub_on_picking_reserved()
        order._hub_on_shipped()
        self.assertEqual(order.hub_stage_id.code, "in_transit")
        order._hub_on_delivered()
        self.assertEqual(order.hub_stage_id.code, "done")

    def test_unreserved_picking_waits_in_confirmed_until_reserved(self):
        missing = self.env["product.product"].create(
            {"name": "Brake rotor (none in stock)", "type": "consu", "is_storable": True}
        )
        # a person accepted the out-of-stock exception of the confirmation gate
        order = self._order(missing, qty=5, ignore_exception=True)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.hub_stage_id.code, "confirmed")
        self.env["stock.quant"]._update_available_quantity(missing, self.warehouse.lot_stock_id, 5.0)
        order.picking_ids.action_assign()
        self.assertEqual(order.hub_stage_id.code, "preparing")

    def test_partial_shipment_stays_in_preparing(self):
        order = self._order(self.storable, qty=4)
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(order.hub_stage_id.code, "preparing")

    def test_cancel_and_reopen(self):
        order = self._order()
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(order.hub_stage_id.code, "cancelled")
        order.action_draft()
        self.assertEqual(order.hub_stage_id.code, "to_confirm")

    def test_forbidden_manual_move_is_refused_naming_allowed_targets(self):
        order = self._order()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.user_cs).write({"hub_stage_id": self._stage("shipped").id})
        message = str(caught.exception)
        for name in ("Confirmed", "Exception", "Address Change", "Cancelled"):
            self.assertIn(name, message)
        self.assertIn("Shipped", message)
        self.assertEqual(order.hub_stage_id.code, "to_confirm")
        with self.assertRaises(UserError):
            order.with_user(self.user_cs).action_hub_move("done")

    def test_allowed_manual_move_runs_the_business_action(self):
        order = self._order()
        order.with_user(self.user_cs).write({"hub_stage_id": self._stage("confirmed").id})
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.hub_stage_id.code, "confirmed")
        line = self._audit(order, "hub_stage_id")[-1]
        self.assertEqual(line.user_id, self.user_cs)
        order.with_user(self.user_cs).action_hub_move("cancelled")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.hub_stage_id.code, "cancelled")

    def test_event_moves_are_never_refused(self):
        order = self._order()
        # To confirm -> Done is no allowed manual move, but events may do it
        order._hub_move_to("done", reason="Imported as delivered")
        self.assertEqual(order.hub_stage_id.code, "done")
        self.assertEqual(self._audit(order, "hub_stage_id")[-1].note, "Imported as delivered")

    def test_address_change_returns_to_the_stage_it_left(self):
        order = self._order(self.storable, qty=1)
        order.action_confirm()
        self.assertEqual(order.hub_stage_id.code, "preparing")
        order._hub_start_address_change(reason="Customer moved")
        self.assertEqual(order.hub_stage_id.code, "address_change")
        # a reservation event does not pull the order out of the address change
        order._hub_on_picking_reserved()
        self.assertEqual(order.hub_stage_id.code, "address_change")
        order._hub_end_address_change()
        self.assertEqual(order.hub_stage_id.code, "preparing")

    def test_group_expand_shows_every_stage(self):
        groups = self.env["sale.order"].read_group([("id", "=", 0)], ["hub_stage_id"], ["hub_stage_id"])
        self.assertEqual(len(groups), len(DEFAULT_CODES))
