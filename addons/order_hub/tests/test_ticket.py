from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestTicket(LifecycleCommon):
    def test_ticket_types_ship_with_the_common_ones(self):
        codes = set(self.env["order.hub.ticket.type"].search([]).mapped("code"))
        self.assertLessEqual(
            {
                "address_problem",
                "payment_failed",
                "out_of_stock",
                "logistics_stalled",
                "customs_hold",
                "refused_by_customer",
                "system_timeout",
                "human_error",
                "qc_failed",
                "gift_not_arrived",
            },
            codes,
        )
        self.assertTrue(all(self.env["order.hub.ticket.type"].search([]).mapped("handling_script")))

    def test_open_ticket_is_idempotent(self):
        order = self._order()
        ticket = order._hub_open_ticket("out_of_stock", reason="No pads left", assignee=self.user_warehouse)
        self.assertEqual(ticket.state, "open")
        self.assertEqual(ticket.user_id, self.user_warehouse)
        self.assertTrue(ticket.deadline)
        self.assertTrue(ticket.name.startswith("EXC/"))
        again = order._hub_open_ticket("out_of_stock", reason="Still none")
        self.assertEqual(again, ticket)
        other = order._hub_open_ticket("qc_failed")
        self.assertNotEqual(other, ticket)
        self.assertEqual(order.hub_open_ticket_count, 2)
        self.assertIn(ticket.name, order.hub_open_ticket_summary)

    def test_database_refuses_a_second_open_ticket_of_a_type(self):
        order = self._order()
        ticket = order._hub_open_ticket("out_of_stock")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["order.hub.ticket"].create({"order_id": order.id, "type_id": ticket.type_id.id})

    def test_ticket_cannot_be_resolved_without_its_three_fields(self):
        order = self._order()
        ticket = order._hub_open_ticket("human_error").with_user(self.user_cs)
        with self.assertRaises(UserError):
            ticket.action_resolve()
        with self.assertRaises(ValidationError):
            ticket.write({"state": "resolved", "solution": "Fixed"})
        with self.assertRaises(ValidationError):
            ticket.write({"state": "resolved", "solution": "Fixed", "handled_by_id": self.user_cs.id})
        with self.assertRaises(ValidationError):
            ticket.write(
                {
                    "state": "resolved",
                    "solution": "  ",
                    "handled_by_id": self.user_cs.id,
                    "resolved_at": "2026-01-01 00:00:00",
                }
            )
        self.assertEqual(ticket.state, "open")
        ticket.solution = "Re-shipped the right colour"
        ticket.action_resolve()
        self.assertEqual(ticket.state, "resolved")
        self.assertEqual(ticket.handled_by_id, self.user_cs)
        self.assertTrue(ticket.resolved_at)

    def test_payment_failed_ticket_holds_the_order_in_exception(self):
        order = self._order()
        ticket = order._hub_open_ticket("payment_failed")
        self.assertEqual(order.hub_stage_id.code, "exception")
        order.action_confirm()
        self.assertEqual(order.hub_stage_id.code, "exception")
        ticket.solution = "Customer paid again"
        ticket.action_resolve()
        self.assertEqual(order.hub_stage_id.code, "confirmed")

    def test_ticket_type_tags_the_order(self):
        order = self._order()
        order._hub_open_ticket("gift_not_arrived")
        self.assertIn(self.env.ref("order_hub.crm_tag_gift_not_shipped"), order.hub_desk_tag_ids)

    def test_reason_must_be_one_of_the_options(self):
        order = self._order()
        options = self.env["order.hub.ticket.type"].search([("code", "in", ("out_of_stock", "qc_failed"))])
        ticket = order._hub_open_ticket("out_of_stock", reason_option_ids=[(6, 0, options.ids)])
        ticket.type_id = options.filtered(lambda t: t.code == "qc_failed")
        with self.assertRaises(ValidationError):
            ticket.type_id = self.env.ref("order_hub.ticket_type_customs_hold")

    def test_new_ticket_suggests_the_most_similar_solutions(self):
        solved = []
        for reason, solution in (
            ("Brake pads out of stock in Shanghai warehouse", "Shipped from Beijing warehouse"),
            ("Customer wants another colour", "Exchanged the item"),
            ("Brake pads out of stock", "Waited for purchase order"),
        ):
            order = self._order()
            ticket = order._hub_open_ticket("out_of_stock", reason=reason)
            ticket.solution = solution
            ticket.action_resolve()
            solved.append(ticket)
        other_type = self._order()._hub_open_ticket("qc_failed", reason="Brake pads out of stock")
        other_type.solution = "Not relevant"
        other_type.action_resolve()
        new = self._order()._hub_open_ticket("out_of_stock", reason="Brake pads out of stock in Shanghai")
        suggestions = new.suggestion_ids
        self.assertEqual(suggestions[0], solved[0])
        self.assertNotIn(other_type, suggestions)
        self.assertEqual(suggestions[-1], solved[1])
        solved[0].with_context(order_hub_target_ticket_id=new.id).action_use_solution()
        self.assertEqual(new.solution, "Shipped from Beijing warehouse")
