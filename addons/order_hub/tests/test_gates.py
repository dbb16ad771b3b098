from odoo.tests import tagged

from odoo.addons.base_exception.exceptions import BaseExceptionError

from .lifecycle_common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestConfirmationGates(LifecycleCommon):
    def _try_confirm(self, order):
        """Confirm like the UI does; a gate raises after listing the
        exceptions on the order (kept here: no savepoint rollback)."""
        try:
            order.action_confirm()
        except BaseExceptionError:
            return False
        return True

    def assertBlockedBy(self, order, xmlid):
        rule = self.env.ref(xmlid)
        self.assertFalse(self._try_confirm(order))
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.hub_stage_id.code, "to_confirm")
        self.assertIn(rule, order.exception_ids)

    def test_default_gates_are_active_sale_exception_rules(self):
        for xmlid in (
            "order_hub.exception_rule_credit_limit",
            "order_hub.exception_rule_stock_short",
            "order_hub.exception_rule_province_not_covered",
        ):
            rule = self.env.ref(xmlid)
            self.assertTrue(rule.active)
            self.assertEqual(rule.model, "sale.order")

    def test_credit_limit_blocks_and_unblocks(self):
        self.customer.credit_limit = 100.0
        # an open, uninvoiced order already uses part of the limit
        first = self._order(qty=1)
        self.assertTrue(self._try_confirm(first))
        order = self._order(qty=1)
        self.assertBlockedBy(order, "order_hub.exception_rule_credit_limit")
        self.customer.credit_limit = 10000.0
        self.assertTrue(self._try_confirm(order))
        self.assertEqual(order.hub_stage_id.code, "confirmed")
        self.assertFalse(order.exception_ids)

    def test_no_credit_limit_means_no_gate(self):
        self.customer.credit_limit = 0.0
        self.assertTrue(self._try_confirm(self._order(qty=100)))

    def test_free_stock_blocks_and_unblocks(self):
        order = self._order(self.storable, qty=150)
        self.assertBlockedBy(order, "order_hub.exception_rule_stock_short")
        self.env["stock.quant"]._update_available_quantity(self.storable, self.warehouse.lot_stock_id, 60.0)
        self.assertTrue(self._try_confirm(order))
        self.assertEqual(order.state, "sale")

    def test_free_stock_counts_other_reservations(self):
        first = self._order(self.storable, qty=80)
        self.assertTrue(self._try_confirm(first))
        second = self._order(self.storable, qty=30)
        self.assertBlockedBy(second, "order_hub.exception_rule_stock_short")

    def test_uncovered_province_blocks_and_unblocks(self):
        shanghai = self.env.ref("base.state_cn_SH")
        beijing = self.env.ref("base.state_cn_BJ")
        self.env.company.order_hub_covered_state_ids = shanghai
        self.customer.state_id = beijing
        order = self._order()
        self.assertBlockedBy(order, "order_hub.exception_rule_province_not_covered")
        self.customer.state_id = shanghai
        self.assertTrue(self._try_confirm(order))
        self.assertFalse(order.exception_ids)

    def test_no_covered_provinces_means_no_gate(self):
        self.env.company.order_hub_covered_state_ids = False
        self.customer.state_id = self.env.ref("base.state_cn_BJ")
        self.assertTrue(self._try_confirm(self._order()))

    def test_free_quantity_read_by_the_gates_is_odoo_free_qty(self):
        """The gates read the free quantity from the quants alone; it must be
        the figure Odoo's free_qty shows, per warehouse, reservations deducted."""
        other = self.env["stock.warehouse"].create({"name": "Gate WH 2", "code": "GW2"})
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.storable, other.lot_stock_id, 7.0)
        shelf = self.env["stock.location"].create(
            {"name": "Shelf", "location_id": self.warehouse.lot_stock_id.id}
        )
        Quant._update_available_quantity(self.storable, shelf, 5.0)
        reserved = self._order(self.storable, qty=30)
        self.assertTrue(self._try_confirm(reserved))
        products = self.storable | self.service
        for warehouse in (self.warehouse, other):
            free = products._hub_free_qty(warehouse)
            for product in products:
                expected = product.with_context(warehouse_id=warehouse.id).free_qty
                self.assertEqual(free[product.id], expected, f"{product.name} in {warehouse.name}")
        self.assertEqual(products._hub_free_qty(other)[self.storable.id], 7.0)
