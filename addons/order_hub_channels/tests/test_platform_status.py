from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.order_hub.models.sale_order_reservation import SaleOrder as ReservationSaleOrder

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestPlatformStatus(ChannelsCommon):
    """sale.order owns what a platform status means; the stage follows the facts."""

    def test_shipped_on_the_platform_validates_the_reserved_delivery(self):
        self.import_now(canonical_order("PS-1", status="shipped"))
        sale = self.sale_orders("PS-1")
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.hub_stage_code, "shipped")
        self.assertEqual(sale.channel_fulfilment, "shipped")

    def test_shipped_on_the_platform_with_an_open_delivery_keeps_the_stage_and_says_why(self):
        records = self.import_now(canonical_order("PS-2"))
        sale = self.sale_orders("PS-2")
        # the stock went elsewhere before the warehouse shipped: back to waiting
        sale.picking_ids.do_unreserve()
        stock = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(self.products[0], stock.lot_stock_id, -1000.0)
        stage = sale.hub_stage_code
        self.import_now(canonical_order("PS-2", status="shipped", minutes=5))
        self.assertNotEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.hub_stage_code, stage, "the stage does not say shipped")
        self.assertEqual(sale.channel_fulfilment, "shipped", "what the platform says is kept")
        payloads = self.Inbound.search([("sale_order_id", "=", sale.id)])
        self.assertEqual(len(payloads), len(records) + 1)
        self.assertIn("The platform says this order was shipped", payloads[0].error)
        self.assertIn("not fully reserved", payloads[0].error)
        self.assertIn("not fully reserved", sale.message_ids[0].body)

    def test_completed_on_the_platform_is_the_signed_for_event(self):
        self.import_now(canonical_order("PS-3", status="completed"))
        sale = self.sale_orders("PS-3")
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.hub_stage_code, "done")

    def test_routing_is_decided_once_per_order_from_import_to_confirmation(self):
        decided = {}
        original = ReservationSaleOrder._hub_routing_decide

        def spy(orders):
            for order in orders:
                decided[order.id] = decided.get(order.id, 0) + 1
            return original(orders)

        before = self.env["queue.job"].search([])
        records = self.store(canonical_order("PS-4"), canonical_order("PS-5"))
        with patch.object(ReservationSaleOrder, "_hub_routing_decide", spy):
            records._import_batch()  # the lane of the confirmation job is chosen here
            self.run_channel_actions(before)
        sales = records.sale_order_id
        self.assertEqual(set(sales.mapped("state")), {"sale"})
        self.assertEqual(decided, {sale.id: 1 for sale in sales})
