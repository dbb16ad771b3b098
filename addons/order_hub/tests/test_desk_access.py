"""Access of the customer-service desk per role, over HTTP as each demo login:
its menus and action, the order's desk fields and quick actions, and the
price difference refund with its manager approval."""

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .http_roles import RoleHttpCase


def eval_domain(domain):
    return safe_eval(domain) if isinstance(domain, str) else list(domain or [])


DESK_MENU = "order_hub.sale_order_menu_customer_service"
REFUND_MENU = "order_hub.order_hub_refund_menu"
DESK_ACTION = "order_hub.sale_order_action_customer_service"
REFUND_ACTION = "order_hub.order_hub_refund_action"
DESK_FIELDS = ["hub_customer_order_ids", "hub_customer_ticket_ids", "hub_desk_phone", "hub_desk_tag_ids"]


@tagged("post_install", "-at_install")
class TestDeskAccessOverHttp(RoleHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.order_hub_refund_approval_amount = 100.0
        cls.env.company.write({"hub_surge_active": False, "hub_auto_confirm": False})
        product = cls.env["product.product"].create(
            {"name": "Desk access service", "type": "service", "list_price": 500.0, "taxes_id": False}
        )
        customer = cls.env["res.partner"].create({"name": "Desk Access Buyer", "phone": "13900002001"})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "hub_source": "phone",
                "hub_in_scope": True,
                "ignore_exception": True,
                "hub_paid_at": fields.Datetime.now(),
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()
        # an address to check: a fact that puts the order on the desk
        cls.order.partner_shipping_id = customer.copy({"hub_address_issue": "Province not found"})
        cls.env.flush_all()

    def _refund_as_cs(self, amount):
        """退差价 as the web client does it: the button's wizard, saved, then Refund."""
        action = self.button("sale.order", "action_hub_desk_refund", [self.order.id])
        refund_id = self.call(
            "order.hub.refund",
            "create",
            [{"amount": amount, "reason": "price_drop"}],
            context=action["context"],
        )[0]
        self.button("order.hub.refund", "action_confirm", [refund_id])
        return self.env["order.hub.refund"].browse(refund_id)

    def test_desk_menus_and_action_per_role(self):
        for role, sees in (
            ("customer_service", True),
            ("manager", True),
            ("warehouse", False),
            ("integration", False),
            ("portal", False),
        ):
            with self.subTest(role=role):
                self.login_as(role)
                menus = self.menu_ids()
                self.assertEqual(DESK_MENU in menus, sees)
                self.assertEqual(REFUND_MENU in menus, sees)
                action = self.make_jsonrpc_request("/web/action/load", {"action_id": DESK_ACTION})
                if sees:
                    found = self.call(
                        "sale.order",
                        "web_search_read",
                        domain=[*eval_domain(action["domain"]), ("id", "=", self.order.id)],
                        specification={name: {} for name in ["name", *DESK_FIELDS]},
                    )
                    self.assertEqual([r["id"] for r in found["records"]], [self.order.id])
                    refunds = self.make_jsonrpc_request("/web/action/load", {"action_id": REFUND_ACTION})
                    self.call("order.hub.refund", "web_search_read", domain=[], specification={"name": {}})
                    self.assertEqual(refunds["res_model"], "order.hub.refund")
                else:
                    # the desk's fields (the customer beside the order) are customer service's
                    self.assertRefused(
                        self.call, "sale.order", "read", [self.order.id], ["hub_customer_order_ids"]
                    )
                    self.assertRefused(
                        self.call,
                        "order.hub.refund",
                        "web_search_read",
                        domain=[],
                        specification={"name": {}},
                    )

    def test_public_gets_no_desk(self):
        self.login_as("public")
        self.assertRefused(self.call, "sale.order", "read", [self.order.id], ["name"])
        self.assertRefused(self.call, "order.hub.refund", "search", [])

    def test_quick_actions_only_for_customer_service(self):
        """Track, Change Address and Refund are refused to the other roles even
        when called over RPC (a warehouse clerk reads orders, but is not the desk)."""
        quick_actions = ["action_hub_desk_refund"]
        sale_fields = self.env["sale.order"]._fields
        for name in ("hub_tracking_event_ids", "hub_address_change_ids"):
            if name in sale_fields:  # the logistics addon's actions
                quick_actions += ["action_hub_desk_track", "action_hub_desk_change_address"]
                break
        for role in ("warehouse", "integration", "portal"):
            self.login_as(role)
            for method in quick_actions:
                with self.subTest(role=role, method=method):
                    self.assertRefused(self.button, "sale.order", method, [self.order.id])
        self.login_as("customer_service")
        action = self.button("sale.order", "action_hub_desk_refund", [self.order.id])
        self.assertEqual(action["res_model"], "order.hub.refund")

    def test_refund_per_role(self):
        self.login_as("customer_service")
        refund = self._refund_as_cs(30.0)
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.credit_note_id.amount_total, 30.0)
        self.assertEqual(refund.requested_by_id, self.demo_users["customer_service"])
        # no delete for customer service; managers may
        self.assertRefused(self.call, "order.hub.refund", "unlink", [refund.id])
        for role in ("warehouse", "integration", "portal"):
            with self.subTest(role=role):
                self.login_as(role)
                self.assertRefused(self.call, "order.hub.refund", "read", [refund.id], ["amount"])
                self.assertRefused(
                    self.call,
                    "order.hub.refund",
                    "create",
                    [{"order_id": self.order.id, "amount": 1.0, "reason": "other"}],
                )

    def test_above_the_threshold_only_a_manager_approves(self):
        self.login_as("customer_service")
        refund = self._refund_as_cs(150.0)
        self.assertEqual(refund.state, "pending")
        self.assertRefused(self.button, "order.hub.refund", "action_approve", [refund.id])
        self.assertRefused(self.button, "order.hub.refund", "action_reject", [refund.id])
        self.login_as("warehouse")
        self.assertRefused(self.button, "order.hub.refund", "action_approve", [refund.id])
        refund.invalidate_recordset()
        self.assertEqual(refund.state, "pending")
        self.assertFalse(refund.credit_note_id)
        self.login_as("manager")
        self.button("order.hub.refund", "action_approve", [refund.id])
        refund.invalidate_recordset()
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.approved_by_id, self.demo_users["manager"])
        self.assertEqual(refund.credit_note_id.amount_total, 150.0)

    def test_agent_cannot_write_a_state_or_an_approval_directly(self):
        """The hole: customer service has write access to its requests, and
        writing the state back to draft re-refunded the same difference (the
        first credit note forgotten), writing it to done or naming an approver
        skipped the manager."""
        self.login_as("customer_service")
        done = self._refund_as_cs(40.0)
        pending = self._refund_as_cs(150.0)
        manager = self.demo_users["manager"].id
        for refund, values in (
            (done, {"state": "draft"}),
            (pending, {"state": "done"}),
            (pending, {"approved_by_id": manager}),
            (done, {"credit_note_id": False}),
            (done, {"platform_refund_state": "to_make"}),
            (pending, {"amount": 99.0}),
        ):
            with self.subTest(values=values):
                self.assertRefused(self.call, "order.hub.refund", "write", [refund.id], values)
        self.assertRefused(
            self.call,
            "order.hub.refund",
            "create",
            [{"order_id": self.order.id, "amount": 5.0, "reason": "other", "state": "done"}],
        )
        (done | pending).invalidate_recordset()
        self.assertEqual(done.state, "done")
        self.assertEqual(pending.state, "pending")
        self.assertFalse(pending.approved_by_id)
        self.assertEqual(pending.amount, 150.0)
        self.assertEqual(self.order._hub_refundable_amount(), 500.0 - 40.0 - 150.0)
        # the note of a draft request stays the agent's to edit
        draft = self.call(
            "order.hub.refund", "create", [{"order_id": self.order.id, "amount": 5.0, "reason": "other"}]
        )[0]
        self.call("order.hub.refund", "write", [draft], {"note": "Customer called again", "amount": 6.0})
        self.assertEqual(self.env["order.hub.refund"].browse(draft).amount, 6.0)
