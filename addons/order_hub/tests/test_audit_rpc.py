from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import ROLE_GROUPS, USER_TYPES

PASSWORD = "Order-Hub-2026!"


@tagged("post_install", "-at_install")
class TestAuditOverRpc(HttpCase):
    """Audit lines record web/RPC source and client IP, and nobody, managers
    and administrators included, can create, change or delete them over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {}
        for role, xmlid in ROLE_GROUPS.items():
            cls.users[role] = (
                cls.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": f"RPC {role}",
                        "login": f"rpc_hub_{role}",
                        "password": PASSWORD,
                        "groups_id": [
                            Command.set(
                                [
                                    cls.env.ref(USER_TYPES.get(role, "base.group_user")).id,
                                    cls.env.ref(xmlid).id,
                                ]
                            )
                        ],
                    }
                )
            )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.password = PASSWORD
        cls.customer = cls.env["res.partner"].create({"name": "Li Na", "street": "5 Huaihai Road"})
        cls.other_address = cls.env["res.partner"].create({"name": "Li Na (work)", "street": "9 Xujiahui"})
        product = cls.env["product.product"].create({"name": "Wiper", "type": "service"})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        cls.line = cls.env["order.hub.audit.log"].search([("order_id", "=", cls.order.id)], limit=1)

    def _xmlrpc(self, user, model, method, *args):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, PASSWORD, model, method, list(args))

    def test_xmlrpc_change_is_logged_as_rpc_with_ip(self):
        self._xmlrpc(
            self.users["customer_service"],
            "sale.order",
            "write",
            [self.order.id],
            {"partner_shipping_id": self.other_address.id},
        )
        line = self.env["order.hub.audit.log"].search(
            [("order_id", "=", self.order.id), ("field_name", "=", "partner_shipping_id")]
        )
        self.assertEqual(len(line), 1)
        self.assertEqual(line.source, "rpc")
        self.assertEqual(line.ip_address, "127.0.0.1")
        self.assertEqual(line.user_id, self.users["customer_service"])
        self.assertIn("9 Xujiahui", line.new_value)

    def test_web_change_is_logged_as_web_with_ip(self):
        self.authenticate("rpc_hub_customer_service", PASSWORD)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/sale.order/write",
            {
                "model": "sale.order",
                "method": "write",
                "args": [[self.order.id], {"partner_shipping_id": self.other_address.id}],
                "kwargs": {},
            },
        )
        line = self.env["order.hub.audit.log"].search(
            [("order_id", "=", self.order.id), ("field_name", "=", "partner_shipping_id")]
        )
        self.assertEqual(line.source, "web")
        self.assertEqual(line.ip_address, "127.0.0.1")
        self.assertEqual(line.user_id, self.users["customer_service"])

    def test_context_cannot_disguise_rpc_as_webhook(self):
        self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.users["customer_service"].id,
            PASSWORD,
            "sale.order",
            "write",
            [[self.order.id], {"client_order_ref": "PO-1"}],
            {"context": {"order_hub_source": "webhook"}},
        )
        line = self.env["order.hub.audit.log"].search(
            [("order_id", "=", self.order.id), ("field_name", "=", "client_order_ref")]
        )
        self.assertEqual(line.source, "rpc")

    def test_nobody_can_write_delete_or_create_lines_over_rpc(self):
        self.assertTrue(self.line)
        for user in [*self.users.values(), self.admin]:
            with self.subTest(user=user.login):
                read = self._xmlrpc(user, "order.hub.audit.log", "read", [self.line.id], ["new_value"])
                self.assertEqual(read[0]["new_value"], "To Confirm")
                with self.assertRaises(Fault):
                    self._xmlrpc(user, "order.hub.audit.log", "write", [self.line.id], {"new_value": "x"})
                with self.assertRaises(Fault):
                    self._xmlrpc(user, "order.hub.audit.log", "unlink", [self.line.id])
                with self.assertRaises(Fault):
                    self._xmlrpc(
                        user,
                        "order.hub.audit.log",
                        "create",
                        [{"order_id": self.order.id, "field_name": "x", "new_value": "forged"}],
                    )
                with self.assertRaises(Fault):
                    self._xmlrpc(user, "order.hub.audit.log", "_record", self.order.id, "x", 1, 2)
        self.line.invalidate_recordset()
        self.assertEqual(self.line.new_value, "To Confirm")
        self.assertFalse(self.env["order.hub.audit.log"].search([("new_value", "=", "forged")]))

    def test_manager_cannot_edit_through_the_web_client(self):
        self.authenticate("rpc_hub_manager", PASSWORD)
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/order.hub.audit.log/write",
                {
                    "model": "order.hub.audit.log",
                    "method": "write",
                    "args": [[self.line.id], {"new_value": "x"}],
                    "kwargs": {},
                },
            )
        self.assertIn("AccessError", str(caught.exception))
        self.line.invalidate_recordset()
        self.assertEqual(self.line.new_value, "To Confirm")
