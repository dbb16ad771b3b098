from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPortalTracking(HttpCase):
    """The customer portal shows the carrier's public tracking number."""

    def test_customer_sees_the_public_tracking_number(self):
        service = self.env["product.product"].create({"name": "SF shipping", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "SF Express (test)", "delivery_type": "sf_express", "product_id": service.id}
        )
        product = self.env["product.product"].create({"name": "Wiper blade (consumable)", "type": "consu"})
        partner = self.env["res.partner"].create({"name": "门户客户", "email": "portal@example.com"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "ignore_exception": True,  # the confirmation gates are tested elsewhere
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": "SF1234567890123"})
        self.assertEqual(picking.hub_public_tracking_ref, "SF 1234 5678 9012 3")

        response = self.url_open(order.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("SF 1234 5678 9012 3", response.text)
        # the raw reference only stays in the tracking link's URL, never as text
        self.assertNotIn(">SF1234567890123<", response.text)
