from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestRefund(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.order_hub_refund_approval_amount = 100.0
        # 50.00 a unit, no tax: the amounts below are the order's total
        cls.service.taxes_id = False

    def _paid_order(self, qty=4.0, **values):
        """A confirmed phone order whose invoice the customer paid (qty x 50)."""
        order = self._order(qty=qty, hub_source="phone", **values)
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        return order

    def _request(self, order, amount, user=None, reason="price_drop"):
        env = self.env(user=user or self.user_cs)
        action = order.with_env(env).action_hub_desk_refund()
        return (
            env["order.hub.refund"]
            .with_context(action["context"])
            .create({"amount": amount, "reason": reason, "note": "Promotion started the next day"})
        )

    def _audit_notes(self, order):
        return self._audit(order, "hub_refund_ids").mapped("note")

    def test_refund_makes_a_credit_note_within_what_was_paid(self):
        order = self._paid_order()
        self.assertEqual(order._hub_refundable_amount(), 200.0)
        refund = self._request(order, 30.0)
        refund.action_confirm()
        self.assertEqual(refund.state, "done")
        note = refund.credit_note_id
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.amount_total, 30.0)
        self.assertEqual(
            note.reversed_entry_id, order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        )
        self.assertEqual(refund.platform_refund_state, "none", "a phone order has no platform refund")
        self.assertEqual(order._hub_refundable_amount(), 170.0)
        self.assertTrue(any("Refunded" in (n or "") and "30.00" in n for n in self._audit_notes(order)))

    def test_refund_above_what_was_paid_minus_refunded_is_refused(self):
        order = self._paid_order()
        self._request(order, 150.0, user=self.user_manager).action_confirm()
        too_much = self._request(order, 60.0)
        with self.assertRaisesRegex(UserError, "At most .*50.00"):
            too_much.action_confirm()
        self.assertEqual(too_much.state, "draft")
        self.assertFalse(too_much.credit_note_id)
        for amount in (0.0, -5.0):
            with self.assertRaises(UserError):
                self._request(order, amount).action_confirm()
        self._request(order, 50.0).action_confirm()
        self.assertEqual(order._hub_refundable_amount(), 0.0)

    def test_unpaid_and_unconfirmed_orders_are_refused(self):
        draft = self._order(hub_source="phone")
        with self.assertRaises(UserError):
            draft.with_user(self.user_cs).action_hub_desk_refund()
        unpaid = self._order(hub_source="phone")
        unpaid.action_confirm()
        with self.assertRaisesRegex(UserError, "At most .*0.00"):
            self._request(unpaid, 10.0).action_confirm()

    def test_above_the_threshold_a_manager_approves(self):
        order = self._paid_order(qty=6.0)
        refund = self._request(order, 120.0)
        refund.action_confirm()
        self.assertEqual(refund.state, "pending")
        self.assertFalse(refund.credit_note_id)
        self.assertEqual(refund.activity_ids.user_id.has_group("order_hub.group_order_hub_manager"), True)
        # waiting refunds count against what is left
        self.assertEqual(order._hub_refundable_amount(), 180.0)
        with self.assertRaises(UserError):
            refund.with_user(self.user_cs).action_approve()
        refund.with_user(self.user_manager).action_approve()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.approved_by_id, self.user_manager)
        self.assertEqual(refund.credit_note_id.amount_total, 120.0)
        self.assertFalse(refund.activity_ids)
        self.assertEqual(order._hub_refundable_amount(), 180.0)
        notes = self._audit_notes(order)
        self.assertTrue(any("Waiting for a manager" in (n or "") for n in notes))
        rejected = self._request(order, 101.0)
        rejected.action_confirm()
        rejected.with_user(self.user_manager).action_reject()
        self.assertEqual(rejected.state, "rejected")
        self.assertEqual(order._hub_refundable_amount(), 180.0)

    def test_platform_order_records_the_platform_refund(self):
        order = self._order(qty=2.0, hub_source="phone", hub_paid_at=fields.Datetime.now())
        # a platform channel (added by the channels addon when installed)
        platforms = [
            value
            for value, _label in order._fields["hub_source"].selection
            if value not in ("phone", "wecom", "other")
        ]
        if platforms:
            order.hub_source = platforms[0]
        order.action_confirm()
        refund = self._request(order, 20.0)
        refund.action_confirm()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.credit_note_id.amount_total, 20.0)
        self.assertFalse(
            refund.credit_note_id.reversed_entry_id, "no invoice: a credit note for the difference"
        )
        if platforms:
            self.assertEqual(refund.platform_refund_state, "to_make")
            refund.action_platform_refund_made()
            self.assertEqual(refund.platform_refund_state, "made")
        with self.assertRaises(UserError):
            self._request(order, 81.0).action_confirm()

    def test_access_per_role(self):
        order = self._paid_order()
        for user in (self.user_warehouse, self.user_integration):
            with self.assertRaises(AccessError):
                self.env["order.hub.refund"].with_user(user).create(
                    {"order_id": order.id, "amount": 1.0, "reason": "other"}
                )
        refund = self._request(order, 10.0)
        with self.assertRaises(AccessError):
            refund.with_user(self.user_warehouse).read(["amount"])
        with self.assertRaises(AccessError):
            refund.with_user(self.user_cs).unlink()
        self.assertTrue(
            self.env["order.hub.refund"].with_user(self.user_manager).search([("id", "=", refund.id)])
        )
