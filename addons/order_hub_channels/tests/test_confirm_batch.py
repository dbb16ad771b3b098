from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.sale_order_hub import reserve_channel
from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestConfirmBatch(ChannelsCommon):
    """New orders of one import are confirmed together, by one job of the
    confirmation lane; an order that cannot be confirmed does not stop the others."""

    def _import(self, *orders):
        before = self.env["queue.job"].search([])
        records = self.store(*orders)
        records._import_batch()
        actions = self.new_jobs(before).filtered(lambda j: j.method_name == "_job_hub_channel_action")
        return records, actions

    def test_one_confirmation_job_per_batch_then_one_reservation_job(self):
        records, actions = self._import(*(canonical_order(f"150{i}") for i in range(3)))
        sales = records.sale_order_id
        self.assertEqual(len(sales), 3)
        self.assertEqual(len(actions), 1, "one job for the batch, not one per order")
        self.assertEqual(actions.records, sales)
        self.assertEqual(actions.channel, "root.order_hub.confirm")
        self.assertLess(actions.priority, 10, "dispatched before the waiting imports")
        self.assertEqual(set(sales.mapped("state")), {"draft"})
        before = self.env["queue.job"].search([])
        [result] = self.run_jobs(actions)
        self.assertIn("3 of 3", result)
        self.assertEqual(set(sales.mapped("state")), {"sale"})
        self.assertEqual(set(sales.picking_ids.mapped("state")), {"confirmed"}, "not reserved yet")
        self.assertEqual(set(sales.mapped("hub_stage_code")), {"confirmed"})
        reserve = self.new_jobs(before)
        self.assertEqual(len(reserve), 1)
        self.assertEqual(reserve.method_name, "_job_hub_reserve")
        self.assertEqual(reserve.records, sales)
        self.assertEqual(reserve.channel, reserve_channel(sales.warehouse_id), "the lane of its warehouse")
        self.assertEqual(reserve.channel, f"root.order_hub.reserve.warehouse_{sales.warehouse_id.id}")
        self.assertLess(reserve.priority, actions.priority, "the narrow lane first")
        [result] = self.run_jobs(reserve)
        self.assertIn("3 of 3 orders reserved", result)
        self.assertEqual(set(sales.picking_ids.mapped("state")), {"assigned"})
        self.assertEqual(set(sales.mapped("hub_stage_code")), {"preparing"})

    def test_reservation_takes_what_is_left_and_reports_the_short_orders(self):
        stock = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        records, actions = self._import(canonical_order("1505"), canonical_order("1506"))
        before = self.env["queue.job"].search([])
        self.run_jobs(actions)  # both confirmed: the stock covered them
        self.assertEqual(records.sale_order_id.mapped("state"), ["sale", "sale"])
        # 3 left when the reservation runs (stock lost meanwhile): each order wants 2
        self.env["stock.quant"]._update_available_quantity(self.products[0], stock.lot_stock_id, -997.0)
        reserve = self.new_jobs(before)
        [result] = self.run_jobs(reserve)
        self.assertIn("1 of 2 orders reserved, 1 short of stock", result)
        sales = records.sale_order_id
        short = sales.filtered(lambda s: s.picking_ids.move_ids.state == "partially_available")
        self.assertIn("1.0 of 2.0 reserved", short.inbound_order_ids.error, "the reason is on its payload")
        moves = records.sale_order_id.picking_ids.move_ids
        self.assertEqual(sorted(moves.mapped("state")), ["assigned", "partially_available"])
        self.assertEqual(sum(moves.mapped("quantity")), 3.0, "never more than the stock")

    def test_the_same_batch_is_not_enqueued_twice(self):
        records, actions = self._import(canonical_order("1510"), canonical_order("1511"))
        before = self.env["queue.job"].search([])
        records.sale_order_id._hub_enqueue_platform_status("confirm", arrival=True)
        self.assertFalse(self.new_jobs(before), "identity key of the batch")

    def test_an_order_failing_at_confirmation_does_not_stop_the_others(self):
        self.env["exception.rule"].create(
            {
                "name": "Broken rule for one order",
                "model": "sale.order",
                "exception_type": "by_py_code",
                # a rule that errors on one order: base_exception turns it into a UserError
                "code": "failed = self.client_order_ref == '1521' and 1 / 0",
            }
        )
        records, actions = self._import(*(canonical_order(f"152{i}") for i in range(3)))
        with mute_logger("odoo.addons.base_exception.models.base_exception_method"):
            [result] = self.run_jobs(actions)
        self.assertEqual(self.sale_orders("1520").state, "sale")
        self.assertEqual(self.sale_orders("1522").state, "sale")
        broken = self.sale_orders("1521")
        self.assertEqual(broken.state, "draft")
        record = records.filtered(lambda r: r.external_id == "1521")
        self.assertEqual(record.state, "done", "the payload was imported; only the action failed")
        self.assertIn("the action confirm failed", record.error)
        self.assertIn("Broken rule for one order", record.error)
        self.assertIn("1 failed", result)

    def test_orders_held_for_review_are_not_confirmed_with_the_batch(self):
        self.env.company.hub_health_threshold = 101  # every order is below it
        records, actions = self._import(canonical_order("1530"), canonical_order("1531"))
        [result] = self.run_jobs(actions)
        sales = records.sale_order_id
        self.assertEqual(set(sales.mapped("state")), {"draft"})
        self.assertEqual(set(sales.mapped("hub_review_state")), {"pending"})
        self.assertIn("2 sent to review", result)

    def test_import_jobs_of_payloads_taken_by_another_job_are_settled(self):
        before = self.env["queue.job"].search([])
        records = self.store(*(canonical_order(f"154{i}") for i in range(3)))
        records._enqueue_import()
        jobs = self.new_jobs(before).filtered(lambda j: j.method_name == "_job_import")
        self.assertEqual(len(jobs), 3)
        first = jobs.filtered(lambda j: j.records == records[0])
        self.run_jobs(first)
        self.assertEqual(set(records.mapped("state")), {"done"}, "the first job imported the batch")
        others = jobs - first
        self.assertEqual(set(others.mapped("state")), {"done"}, "no worker starts them for nothing")
        self.assertIn(records[0].external_id, others[0].result)
