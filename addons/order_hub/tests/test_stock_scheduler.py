from unittest.mock import patch

from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestStockScheduler(LifecycleCommon):
    """Confirmations skip Odoo's per-move search for automatic orderpoints
    when none of the moved products has one; otherwise Odoo's scheduler runs
    as before."""

    def _confirm_watching_orderpoints(self, order):
        Orderpoint = type(self.env["stock.warehouse.orderpoint"])
        with patch.object(Orderpoint, "_procure_orderpoint_confirm", autospec=True) as procure:
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        return procure

    def test_automatic_orderpoint_is_still_triggered(self):
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.storable.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "trigger": "auto",
                "product_min_qty": 95.0,
                "product_max_qty": 150.0,
            }
        )
        procure = self._confirm_watching_orderpoints(self._order(self.storable, qty=10))
        self.assertTrue(procure.called, "the orderpoint of the moved product is procured")
        self.assertEqual(procure.call_args.args[0], orderpoint)

    def test_without_automatic_orderpoint_nothing_is_searched(self):
        self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.storable.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "trigger": "manual",
                "product_min_qty": 95.0,
                "product_max_qty": 150.0,
            }
        )
        order = self._order(self.storable, qty=10)
        order.order_line = [(0, 0, {"product_id": self.storable.id, "product_uom_qty": 1})]
        Orderpoint = type(self.env["stock.warehouse.orderpoint"])
        with patch.object(Orderpoint, "search", autospec=True, side_effect=Orderpoint.search) as search:
            procure = self._confirm_watching_orderpoints(order)
        self.assertFalse(procure.called)
        self.assertFalse(search.called, "no search per move")
