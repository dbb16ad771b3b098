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
        """The gates read the free quantity from the quants and open moves;
        while every delivery is reserved, it is the figure Odoo's free_qty
        shows, per warehouse, reservations deducted."""
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

    def test_free_quantity_counts_confirmed_but_unreserved_deliveries(self):
        """A bulk confirmation defers its reservation: its delivery still
        takes its quantity from the free stock the gates read (on hand 105,
        30 reserved, 40 promised but not reserved yet)."""
        reserved = self._order(self.storable, qty=30)
        self.assertTrue(self._try_confirm(reserved))
        deferred = self._order(self.storable, qty=40)
        deferred.with_context(hub_defer_reservation=True).action_confirm()
        self.assertEqual(deferred.picking_ids.state, "confirmed", "delivery made, not reserved")
        odoo_free = self.storable.with_context(warehouse_id=self.warehouse.id).free_qty
        self.assertEqual(odoo_free, 70.0, "Odoo's free_qty ignores the unreserved delivery")
        self.assertEqual(self.storable._hub_free_qty(self.warehouse)[self.storable.id], 30.0)
        late = self._order(self.storable, qty=31)
        self.assertBlockedBy(late, "order_hub.exception_rule_stock_short")
        self.assertTrue(self._try_confirm(self._order(self.storable, qty=30)))

    def test_orders_checked_together_share_the_stock_in_order_of_arrival(self):
        """Orders confirmed together are checked before any of them has a
        delivery: the stock goes to them in order of arrival (100 on hand)."""
        orders = self._order(self.storable, qty=40) | self._order(self.storable, qty=40)
        orders |= self._order(self.storable, qty=40) | self._order(self.storable, qty=20)
        self.assertEqual(orders._hub_stock_short_orders(), orders[2])
        self.assertFalse(self._try_confirm(orders))
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        rule = self.env.ref("order_hub.exception_rule_stock_short")
        self.assertEqual(orders.filtered(lambda o: rule in o.exception_ids), orders[2])
        for order in orders - orders[2]:
            self.assertTrue(self._try_confirm(order))
        self.assertFalse(self._try_confirm(orders[2]))
