"""Customer notifications per role, over HTTP as each demo login: the
switches and templates, the send log and its Retry, the SMS secret."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.order_hub.tests.http_roles import RoleHttpCase

MENUS = ("order_hub_notify.order_hub_notification_menu", "order_hub_notify.order_hub_notify_template_menu")
ACTIONS = (
    "order_hub_notify.order_hub_notification_action",
    "order_hub_notify.order_hub_notify_template_action",
)
OTHERS = ("warehouse", "integration", "portal", "public")


@tagged("post_install", "-at_install")
class TestNotifyAccessOverHttp(RoleHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "Notify access product", "type": "consu"})
        partner = cls.env["res.partner"].create({"name": "通知权限客户", "phone": "13812340000"})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "hub_source": "phone",
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        cls.row = (
            cls.env["order.hub.notification"]
            .sudo()
            .create({"order_id": cls.order.id, "event": "delivered", "state": "failed", "error": "isv.X"})
        )
        cls.template = cls.env["order.hub.notify.template"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.env.flush_all()

    def test_menus_and_actions(self):
        for role, sees in (
            ("manager", True),
            ("customer_service", False),
            *((r, False) for r in OTHERS[:-1]),
        ):
            with self.subTest(role=role):
                self.login_as(role)
                menus = self.menu_ids()
                for xmlid in MENUS:
                    self.assertEqual(xmlid in menus, sees, xmlid)
        for role in ("manager", "customer_service"):
            self.login_as(role)
            for xmlid in ACTIONS:
                action = self.make_jsonrpc_request("/web/action/load", {"action_id": xmlid})
                self.call(action["res_model"], "web_search_read", domain=[], specification={"id": {}})
        for role in OTHERS:
            with self.subTest(role=role):
                self.login_as(role)
                for model in ("order.hub.notification", "order.hub.notify.template"):
                    self.assertRefused(
                        self.call, model, "web_search_read", domain=[], specification={"id": {}}
                    )

    def test_templates_switched_by_managers_only(self):
        self.assertTrue(self.template, "one line per event and company")
        self.login_as("customer_service")
        self.call("order.hub.notify.template", "read", self.template.ids, ["enabled", "sms_template_zh"])
        self.assertRefused(
            self.call, "order.hub.notify.template", "write", self.template.ids, {"enabled": True}
        )
        self.login_as("manager")
        self.call("order.hub.notify.template", "write", self.template.ids, {"sms_template_zh": "SMS_99"})
        self.assertEqual(self.template.sms_template_zh, "SMS_99")

    def test_send_log_read_by_the_desk_and_retried_by_managers(self):
        self.login_as("customer_service")
        self.call("order.hub.notification", "read", self.row.ids, ["state", "error"])
        self.assertRefused(self.button, "order.hub.notification", "action_retry", self.row.ids)
        self.assertRefused(self.call, "order.hub.notification", "write", self.row.ids, {"state": "sent"})
        for role in OTHERS:
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(self.button, "order.hub.notification", "action_retry", self.row.ids)
        self.row.invalidate_recordset()
        self.assertEqual(self.row.state, "failed")
        self.login_as("manager")
        self.assertRefused(self.call, "order.hub.notification", "write", self.row.ids, {"state": "sent"})
        self.button("order.hub.notification", "action_retry", self.row.ids)
        self.row.invalidate_recordset()
        self.assertEqual(self.row.state, "pending")
        self.assertTrue(self.row.job_id, "sent again by a job")

    def test_sms_secret_is_for_managers(self):
        company = self.env.company.id
        for role in ("customer_service", *OTHERS):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(self.call, "res.company", "read", [company], ["hub_sms_access_key_secret"])
        self.login_as("manager")
        self.call("res.company", "read", [company], ["hub_sms_access_key_id"])
