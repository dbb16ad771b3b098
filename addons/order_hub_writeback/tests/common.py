from odoo.addons.order_hub_channels.tests.common import ChannelsCommon, canonical_order

PUSH_METHOD = "_job_push"


class WritebackCommon(ChannelsCommon):
    """A sandbox per test (real HTTP), its channel, and paid orders of it
    imported through the hub's import, selling the test products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "SF (paper waybills)",
                "delivery_type": "fixed",
                "fixed_price": 0,
                "product_id": cls.env["product.product"]
                .create({"name": "Shipping", "type": "service", "list_price": 0})
                .id,
                "hub_kd100_company": "shunfeng",
            }
        )

    def start_platform(self, platform, seed=1):
        from sandbox import start_sandbox

        box = start_sandbox(platform, seed=seed)
        self.addCleanup(box.stop)
        channel = self.sandbox_channel(box, f"wb-{platform}-{seed}")
        return box, channel

    def platform_order(self, box, channel, quantities=(2, 2), state="sale", **values):
        """A paid order on the platform and its sale order in Odoo (confirmed,
        unless a review or a gate holds it: ``state``); ``values``: more of the
        canonical order (the platform's own status code, ...)."""
        from sandbox.generator import SandboxLine, sku_id_of

        order_id = box.add_orders(1)[0]
        order = box.orders[order_id]
        order.lines = [
            SandboxLine(
                f"TST-00{index}",
                f"Test part {index}",
                qty,
                10000,
                sku_id=sku_id_of(f"TST-00{index}"),
                line_id=str(index),
            )
            for index, qty in enumerate(quantities, start=1)
        ]
        box.update_order(order_id, status="paid")
        skus = tuple(f"TST-00{index}" for index in range(1, len(quantities) + 1))
        payload = canonical_order(order_id, skus=skus, platform=box.platform, **values)
        self.import_now(payload, channel=channel)
        sale = self.sale_orders(order_id, channel=channel)
        self.assertEqual(sale.state, state, sale.message_ids.mapped("body")[:3])
        return order, sale

    def delivery(self, sale):
        return sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state != "done")

    def validate(self, picking, tracking, quantities=None, user=None, backorder=True):
        """Validate as the warehouse does: carrier, tracking number, quantities,
        then the Validate button (creating a backorder for what is left)."""
        picking = picking.with_user(user or self.user_warehouse)
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            qty = (
                move.product_uom_qty
                if quantities is None
                else quantities.get(move.product_id.default_code, 0)
            )
            move.quantity = qty
            move.picked = bool(qty)
        action = picking.button_validate()
        if isinstance(action, dict) and action.get("res_model") == "stock.backorder.confirmation":
            wizard = (
                self.env["stock.backorder.confirmation"]
                .with_user(user or self.user_warehouse)
                .with_context(**action["context"])
                .create({})
            )
            wizard.process() if backorder else wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking

    def push_jobs(self, before):
        return self.new_jobs(before).filtered(lambda j: j.method_name == PUSH_METHOD)
