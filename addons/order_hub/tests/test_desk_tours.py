from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .test_tours import TourCommon


class DeskTourCommon(TourCommon):
    """Desk orders of the tours (order_hub_desk_tours.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cs = cls.env.ref("order_hub.user_order_hub_cs_demo")
        cls.orders = {}
        for number, key in enumerate(("overdue", "address", "gift", "plain", "done", "cancelled")):
            cls.orders[key] = cls._desk_order(f"Desk {key.capitalize()} Buyer", f"1390000100{number}", cs)
        address = cls.orders["address"]
        address.partner_shipping_id = cls.env["res.partner"].create(
            {
                "name": "Desk Bad Address",
                "parent_id": address.partner_id.id,
                "type": "delivery",
                "street": "somewhere",
                "phone": "13900001009",
                "hub_address_issue": "Province not found",
            }
        )
        # an earlier order of the same customer, done: beside it on the form, not on the desk
        earlier = cls._desk_order("Desk Earlier", "13900001008", cs)
        earlier.write({"partner_id": address.partner_id.id, "partner_shipping_id": address.partner_id.id})
        earlier._hub_move_to("done")
        cls.env["order.hub.gift"].create(
            {
                "order_id": cls.orders["gift"].id,
                "product_id": cls.product.id,
                "promised_date": fields.Date.subtract(fields.Date.today(), days=2),
            }
        )
        # the clock as if the orders had waited (see test_tours)
        cls.env.flush_all()
        now = fields.Datetime.now()
        for key in ("overdue", "done", "cancelled"):
            cls.orders[key].write(
                {"hub_sla_risk_at": now - timedelta(hours=1), "hub_sla_deadline": now + timedelta(hours=1)}
            )
        cls.orders["done"]._hub_move_to("done")
        cls.orders["cancelled"].action_cancel()
        cls.env.flush_all()

    @classmethod
    def _desk_order(cls, buyer, phone, user):
        """A phone order of its own customer (one phone each: no duplicate check)."""
        partner = cls.env["res.partner"].create(
            {
                "name": buyer,
                "country_id": cls.cn.id,
                "state_id": cls.env.ref("base.state_cn_ZJ").id,
                "city": "杭州市",
                "street": "文三路 100 号",
                "phone": phone,
            }
        )
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                "hub_source": "phone",
                "user_id": user.id,
            }
        )


@tagged("post_install", "-at_install", "is_tour")
class TestDeskTour(DeskTourCommon):
    def test_desk_ranks_and_a_tag_goes_with_its_cause(self):
        self.start_tour(
            "/odoo/action-order_hub.sale_order_action_customer_service",
            "order_hub_desk",
            login="hub.cs",
            timeout=300,
        )
        self.assertFalse(self.orders["address"].hub_desk_address)

    def test_refund_refuses_out_of_bounds_then_refunds(self):
        cs = self.env.ref("order_hub.user_order_hub_cs_demo")
        order = self._desk_order("Desk Refund Buyer", "13900001007", cs)
        order.hub_paid_at = fields.Datetime.now()
        order.action_confirm()
        order._hub_move_to("preparing")
        self.assertFalse(order.hub_desk_needed, "in the warehouse's hands: not on the desk")
        # the customer calls about it: the agent finds it among all hub orders
        self.start_tour(
            "/odoo/action-order_hub.sale_order_action_customer_service_all",
            "order_hub_desk_refund",
            login="hub.cs",
            timeout=300,
        )
        refunds = self.env["order.hub.refund"].search([("order_id", "=", order.id)])
        self.assertEqual(refunds.mapped("state"), ["done"])
        self.assertEqual(refunds.amount, 10.0)
        self.assertEqual(refunds.credit_note_id.state, "posted")
        self.assertEqual(refunds.credit_note_id.amount_total, 10.0)


@tagged("post_install", "-at_install", "is_tour")
class TestDeskPhoneTour(DeskTourCommon):
    browser_size = "390x844"
    touch_enabled = True

    def test_desk_cards_on_a_phone(self):
        self.start_tour(
            "/odoo/action-order_hub.sale_order_action_customer_service",
            "order_hub_desk_phone",
            login="hub.cs",
            timeout=300,
        )
