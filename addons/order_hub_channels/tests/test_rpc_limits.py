import xmlrpc.client
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.order_hub_channels.models.order_hub_order_importer import OrderHubOrderImporter

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestRpcLimits(ChannelsCommon, HttpCase):
    """Every payload of an import_orders call fails alone with its reason,
    entered through the real XML-RPC endpoint (NaN and Infinity as a client
    sends them), while the good orders of the same call are created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.user_integration)
            ._generate("rpc", "test", datetime.now() + timedelta(days=1))
        )

    def call(self, payloads, code="test-shopify"):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.user_integration.id,
            self.key,
            "order.hub.channel",
            "import_orders",
            [code, payloads],
        )

    def bad_line(self, ref, **values):
        order = canonical_order(ref)
        order["lines"][0].update(values)
        return order

    def assertAlone(self, bad, *reason_parts):
        """``bad`` fails with a reason that names what is wrong; the good orders
        around it in the same call are created; the payload is kept for a retry."""
        good = [canonical_order(f"{bad['external_id'][:20]}-GOOD-{index}") for index in (1, 2)]
        results = self.call([good[0], bad, good[1]])
        self.assertEqual([r["result"] for r in results], ["created", "failed", "created"], results)
        for part in reason_parts:
            self.assertIn(part, results[1]["reason"])
        self.assertNotIn("Traceback", results[1]["reason"])
        self.assertFalse(results[1]["sale_order"])
        for order, result in zip(good, results[::2], strict=True):
            self.assertEqual(self.sale_orders(order["external_id"]).name, result["sale_order"])
        stored = self.Inbound.search([("channel_id", "=", self.channel.id), ("state", "=", "failed")])
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored.error, results[1]["reason"])
        self.assertTrue(stored.payload)
        return results[1]

    def test_nan_quantity(self):
        self.assertAlone(self.bad_line("NAN-1", quantity=float("nan")), "quantity", "not a finite number")

    def test_infinite_price(self):
        self.assertAlone(self.bad_line("INF-1", unit_price=float("inf")), "unit_price", "not a finite number")

    def test_1e400_is_infinity(self):
        self.assertAlone(self.bad_line("BIG-1", quantity=float("1e400")), "quantity", "not a finite number")

    def test_negative_price(self):
        self.assertAlone(self.bad_line("NEG-1", unit_price="-5.00"), "unit_price", "at least 0")

    def test_huge_price(self):
        self.assertAlone(self.bad_line("HUGE-1", unit_price="1e30"), "unit_price", "more than the limit of")

    def test_negative_and_zero_quantity(self):
        self.assertAlone(self.bad_line("ZERO-1", quantity="0"), "quantity", "more than 0")

    def test_company_limit_on_quantity(self):
        self.company.order_hub_max_quantity = 50
        self.assertAlone(self.bad_line("QTY-1", quantity="51"), "quantity", "more than the limit of 50")

    def test_long_external_id(self):
        result = self.assertAlone(canonical_order("9" * 5000), "order id is 5000 characters long")
        self.assertLess(len(result["external_id"]), 64)

    def test_ten_thousand_lines(self):
        order = canonical_order("LINES-1")
        order["lines"] = order["lines"] * 10000
        self.assertAlone(order, "10000 lines, more than the limit of 500")

    def test_five_megabyte_remark(self):
        self.assertAlone(canonical_order("REMARK-1", buyer_remark="备" * (5 * 1024 * 1024 // 3)), "bytes")
        self.assertEqual(self.env["sale.order"].search_count([("customer_note", "ilike", "备备备")]), 0)

    def test_long_remark(self):
        order = canonical_order("REMARK-2", buyer_remark="x" * 2001)
        self.assertAlone(order, "buyer_remark", "limit of 2000")

    def test_missing_receiver(self):
        order = canonical_order("RCV-1")
        order["receiver"] = {}
        self.assertAlone(order, "no usable receiver")

    def test_a_retry_after_raising_the_limit_imports_the_kept_payload(self):
        self.company.order_hub_max_quantity = 500
        self.assertAlone(self.bad_line("QTY-2", quantity="600"), "more than the limit")
        stored = self.Inbound.search([("external_id", "=", "QTY-2")])
        self.company.order_hub_max_quantity = 1000
        stored.with_user(self.user_manager).action_retry()
        stored._job_import()
        self.assertEqual(stored.state, "done", stored.error)

    def test_amounts_are_rounded_to_the_currency_decimals(self):
        results = self.call([self.bad_line("ROUND-1", unit_price="19.995")])
        self.assertEqual(results[0]["result"], "created", results)
        self.assertEqual(self.sale_orders("ROUND-1").order_line[0].price_unit, 20.0)

    def test_a_programming_error_in_one_order_is_an_internal_error_with_a_reference(self):
        original = OrderHubOrderImporter._prepare_order_vals

        def buggy(importer, ctx, order):
            if order.external_id == "BUG-1":
                raise ZeroDivisionError("a bug")
            return original(importer, ctx, order)

        with (
            patch.object(OrderHubOrderImporter, "_prepare_order_vals", buggy),
            self.assertLogs("odoo.addons.order_hub_channels.models.order_hub_inbound_order", "ERROR") as logs,
        ):
            result = self.assertAlone(canonical_order("BUG-1"), "Internal error (reference ")
        reference = result["reason"].split("reference ")[1].split(")")[0]
        self.assertEqual(len(reference), 12)
        self.assertIn(reference, logs.output[0])
        self.assertIn("ZeroDivisionError", logs.output[0])
        self.assertNotIn("ZeroDivisionError", result["reason"])

    def test_pulled_payloads_pass_the_same_checks_and_a_bug_fails_only_its_own_job(self):
        """In an import job, bad data fails its payload with the reason; a
        bug fails the job of the payload that causes it (queue_job keeps the
        traceback and marks the payload Internal Error, see
        test_errors_by_kind), never the other payloads of the batch."""
        records = self.store(
            canonical_order("JOB-1"),
            self.bad_line("JOB-NAN", quantity=float("nan")),
            canonical_order("JOB-BUG"),
            canonical_order("JOB-2"),
            source="pull",
        )
        original = OrderHubOrderImporter._prepare_order_vals

        def buggy(importer, ctx, order):
            if order.external_id == "JOB-BUG":
                raise ZeroDivisionError("a bug")
            return original(importer, ctx, order)

        by_ref = {rec.external_id: rec for rec in records}
        with patch.object(OrderHubOrderImporter, "_prepare_order_vals", buggy):
            records[0]._job_import()
            self.assertEqual(by_ref["JOB-1"].state, "done")
            self.assertEqual(by_ref["JOB-2"].state, "done")
            self.assertEqual(by_ref["JOB-NAN"].state, "failed")
            self.assertIn("not a finite number", by_ref["JOB-NAN"].error)
            self.assertEqual(by_ref["JOB-BUG"].state, "pending", "left to its own import job")
            with self.assertRaises(ZeroDivisionError):
                by_ref["JOB-BUG"]._job_import()

    def test_a_call_larger_than_the_limit_is_refused_whole_without_a_traceback(self):
        self.company.order_hub_max_call_mb = 1
        orders = [canonical_order(f"CALL-{index}", buyer_remark="y" * 300000) for index in range(4)]
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(orders)
        self.assertIn("more than the limit of 1 MB per call", caught.exception.faultString)
        self.assertNotIn("Traceback", caught.exception.faultString)
        self.assertFalse(self.Inbound.search([("external_id", "like", "CALL-")]))
