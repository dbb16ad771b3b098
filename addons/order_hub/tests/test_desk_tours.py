from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_tours import TourCommon


class DeskTourCommon(TourCommon):
    """Desk orders of the tours (order_hub_desk_tours.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cs = cls.env.ref("order_hub.user_order_hub_cs_demo")
        cls.orders = {}
        for key in ("overdue", "address", "gift", "plain", "done", "cancelled"):
            cls.orders[key] = cls._order(f"Desk {key.capitalize()} Buyer", hub_source="phone", user_id=cs.id)
        address = cls.orders["address"]
        address.partner_shipping_id = cls.env["res.partner"].create(
            {
                "name": "Desk Bad Address",
                "parent_id": address.partner_id.id,
                "type": "delivery",
                "street": "somewhere",
                "hub_address_issue": "Province not found",
            }
        )
        # a second order of the same customer, beside it on the form
        cls._order("Desk Second", hub_source="phone").partner_id = address.partner_id
        cls.env["order.hub.gift"].create(
            {
                "order_id": cls.orders["gift"].id,
                "product_id": cls.product.id,
                "promised_date": fields.Date.subtract(fields.Date.today(), days=2),
            }
        )
        now = fields.Datetime.now()
        for key in ("overdue", "done", "cancelled"):
            cls.orders[key].write(
                {"hub_sla_risk_at": now - timedelta(hours=1), "hub_sla_deadline": now + timedelta(hours=1)}
            )
        cls.orders["done"]._hub_move_to("done")
        cls.orders["cancelled"].action_cancel()


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
