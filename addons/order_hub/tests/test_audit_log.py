from datetime import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import json_default

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestAuditLog(LifecycleCommon):
    def test_key_field_changes_are_logged_with_user_and_source(self):
        order = self._order()
        new_address = self.env["res.partner"].create(
            {"name": "Zhang Wei (office)", "street": "1 Century Avenue", "city": "Shanghai"}
        )
        order.with_user(self.user_cs).partner_shipping_id = new_address
        line = self._audit(order, "partner_shipping_id")
        self.assertEqual(len(line), 1)
        self.assertIn("88 Nanjing Road", line.old_value)
        self.assertIn("1 Century Avenue", line.new_value)
        self.assertEqual(line.user_id, self.user_cs)
        self.assertEqual(line.source, "system")
        self.assertFalse(line.ip_address)
        self.assertEqual(line.field_description, "Delivery Address")

    def test_editing_the_delivery_contact_is_logged_on_open_orders(self):
        order = self._order()
        done = self._order()
        done._hub_move_to("done")
        self.customer.with_user(self.user_manager).write({"street": "12 Fuxing Road"})
        line = self._audit(order, "partner_shipping_id")
        self.assertEqual(len(line), 1)
        self.assertIn("88 Nanjing Road", line.old_value)
        self.assertIn("12 Fuxing Road", line.new_value)
        self.assertEqual(line.user_id, self.user_manager)
        self.assertFalse(self._audit(done, "partner_shipping_id"))
        self.customer.write({"comment": "VIP"})
        self.assertEqual(len(self._audit(order, "partner_shipping_id")), 1)

    def test_order_lines_and_amounts_are_logged(self):
        order = self._order(qty=1)
        self.assertFalse(self._audit(order, "order_line"), "creation itself is not a change")
        before = order.amount_total
        order.order_line.product_uom_qty = 3
        line = self._audit(order, "order_line")
        self.assertIn("x 1 ", line.old_value)
        self.assertIn("x 3 ", line.new_value)
        total = self._audit(order, "amount_total")
        self.assertEqual(len(total), 1)
        self.assertTrue(total.old_value.startswith(f"{before:.2f} "))
        self.assertTrue(total.new_value.startswith(f"{order.amount_total:.2f} "))
        # each amount is rounded to the currency: three times a rounded total may be a cent off
        self.assertAlmostEqual(order.amount_total, before * 3, delta=0.02)
        order.write({"order_line": [Command.create({"product_id": self.service.id})]})
        self.assertEqual(len(self._audit(order, "order_line")), 2)
        self.assertEqual(len(self._audit(order, "amount_total")), 2)
        order.order_line[0].unlink()
        removed = self._audit(order, "order_line")[-1]
        self.assertFalse(removed.new_value)

    def test_record_helper_for_other_addons(self):
        order = self._order()
        lines = self.AuditLog.with_context(order_hub_source="webhook")._record(
            order, "gift_promise", "none", "Free brake fluid"
        )
        self.assertEqual(lines.source, "webhook")
        self.assertEqual(lines.field_description, "gift_promise")
        cron = self.AuditLog.with_context(lastcall=False)._record(order, "x", 1, 2)
        self.assertEqual(cron.source, "cron")
        explicit = self.AuditLog._record(order, "x", 1, 2, source="rpc")
        self.assertEqual(explicit.source, "rpc")

    def test_time_is_stored_to_the_microsecond(self):
        """Latency is measured from the trail: a line's time is not cut to the second."""
        order = self._order()
        before = datetime.now()
        line = self.AuditLog._record(order, "x", 1, 2)
        after = datetime.now()
        self.env.flush_all()
        self.env.cr.execute("SELECT logged_at FROM order_hub_audit_log WHERE id = %s", [line.id])
        stored = self.env.cr.fetchone()[0]
        self.assertLessEqual(before, stored)
        self.assertLessEqual(stored, after)
        # what the web client receives (forms, lists, exports) is still to the second
        sent = json_default(line.read(["logged_at"])[0]["logged_at"])
        self.assertEqual(sent, fields.Datetime.to_string(stored.replace(microsecond=0)))

    def test_nobody_can_create_change_or_delete_lines(self):
        order = self._order()
        line = self._audit(order)[:1]
        self.assertTrue(line)
        for user in (self.user_cs, self.user_warehouse, self.user_manager, self.env.ref("base.user_admin")):
            as_user = line.with_user(user)
            self.assertEqual(as_user.new_value, "To Confirm")
            with self.assertRaises(AccessError):
                as_user.write({"new_value": "tampered"})
            with self.assertRaises(AccessError):
                as_user.unlink()
            with self.assertRaises(AccessError):
                self.AuditLog.with_user(user).create({"order_id": order.id, "field_name": "x"})
        # not even in superuser mode through the ORM
        with self.assertRaises(AccessError):
            line.sudo().write({"new_value": "tampered"})
        with self.assertRaises(AccessError):
            line.sudo().unlink()
        self.assertEqual(line.new_value, "To Confirm")
