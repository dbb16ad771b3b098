from datetime import UTC, datetime

from odoo.tests import tagged

from .common import ChannelsCommon, canonical_order

INVOICE = {
    "invoice_type": "special",
    "title": "杭州恒驰汽配有限公司",
    "tax_id": "91310110666007217T",
    "address": "杭州市余杭区文一西路 998 号",
    "phone": "0571-88123456",
    "bank_name": "招商银行杭州分行",
    "bank_account": "571908765432101",
    "email": "",
}


@tagged("post_install", "-at_install")
class TestChannelHubGlue(ChannelsCommon):
    """Imported orders carry the Order Hub data and drive its lifecycle."""

    def _import(self, order, source="rpc"):
        """Import without running the confirmation jobs; returns (records, new jobs)."""
        before = self.env["queue.job"].search([])
        records = self.store(order, source=source)
        records._import_batch()
        return records, self.new_jobs(before)

    def test_order_hub_fields_are_filled_from_the_canonical_order(self):
        order = canonical_order(
            "2001",
            skus=("TST-001", "TST-002"),
            status="unpaid",
            paid_at="2026-11-20T10:05:00+08:00",
            promised_ship_at="2026-11-21T18:00:00+08:00",
            invoice=INVOICE,
        )
        order["lines"][1]["is_gift"] = True
        records, _jobs = self._import(order)
        self.assertEqual(records.state, "done", records.error)
        sale = self.sale_orders("2001")
        self.assertEqual(sale.hub_source, "shopify")
        self.assertEqual(str(sale.hub_paid_at), "2026-11-20 02:05:00")
        gift = sale.order_line.filtered("hub_is_gift")
        self.assertEqual(gift.product_id, self.products[1])
        self.assertEqual(gift.hub_gift_source, "channel")
        self.assertEqual(gift.price_unit, 0.0)
        self.assertFalse((sale.order_line - gift).filtered("hub_is_gift"))
        self.assertEqual(sale.hub_invoice_type, "special")
        self.assertEqual(sale.hub_invoice_title, "杭州恒驰汽配有限公司")
        self.assertEqual(sale.hub_invoice_tax_id, "91310110666007217T")
        self.assertEqual(sale.hub_invoice_bank_id.acc_number, "571908765432101")
        if "hub_promised_ship_date" in sale._fields:
            self.assertEqual(str(sale.hub_promised_ship_date), "2026-11-21 10:00:00")

    def test_new_orders_are_confirmed_by_a_job_after_the_import(self):
        records, jobs = self._import(canonical_order("2002"))
        sale = self.sale_orders("2002")
        # the import transaction creates only: sale_exception's second cursor
        # would wait on the lock of the uncommitted order
        self.assertEqual(sale.state, "draft")
        self.assertEqual(records.state, "done")
        actions = jobs.filtered(lambda j: j.method_name == "_job_hub_channel_action")
        self.assertEqual(len(actions), 1)
        self.assertEqual(actions.records, sale)
        before = self.env["queue.job"].search([])
        self.run_jobs(actions)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.hub_stage_code, "confirmed", "its delivery is reserved by another job")
        self.assertEqual(sale.picking_ids.state, "confirmed")
        reserve = self.new_jobs(before)
        self.assertEqual(reserve.mapped("method_name"), ["_job_hub_reserve"])
        self.run_jobs(reserve)
        self.assertEqual(sale.picking_ids.state, "assigned")
        self.assertEqual(sale.hub_stage_code, "preparing", "confirmed, and its delivery reserved")

    def test_import_with_a_real_second_cursor_does_not_confirm_in_the_same_transaction(self):
        # test_base_exception makes base_exception use its second cursor as in production
        before = self.env["queue.job"].search([])
        records = self.store(canonical_order("2003"))
        records.with_context(test_base_exception=True)._import_batch()
        self.assertEqual(self.sale_orders("2003").state, "draft")
        self.assertTrue(self.new_jobs(before).filtered(lambda j: j.method_name == "_job_hub_channel_action"))

    def test_platform_statuses_drive_the_lifecycle(self):
        self.import_now(canonical_order("2004", status="shipped"))
        sale = self.sale_orders("2004")
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.hub_stage_code, "shipped")
        self.import_now(canonical_order("2004", status="completed", minutes=5))
        self.assertEqual(sale.hub_stage_code, "done")
        self.import_now(canonical_order("2005"))
        other = self.sale_orders("2005")
        self.assertEqual(other.hub_stage_code, "preparing")
        self.import_now(canonical_order("2005", status="cancelled", minutes=5))
        self.assertEqual(other.state, "cancel")
        self.assertEqual(other.hub_stage_code, "cancelled")

    def test_webhook_imports_are_audited_as_webhook(self):
        before = self.env["queue.job"].search([])
        records, _jobs = self._import(canonical_order("2006"), source="webhook")
        self.run_channel_actions(before)
        sale = self.sale_orders("2006")
        self.assertEqual(sale.state, "sale")
        lines = self.env["order.hub.audit.log"].search([("order_id", "=", sale.id)])
        self.assertTrue(lines)
        self.assertEqual(set(lines.mapped("source")), {"webhook"})
        rpc_records, _jobs = self._import(canonical_order("2007"))
        rpc_sale = self.sale_orders("2007")
        self.assertNotIn(
            "webhook",
            self.env["order.hub.audit.log"].search([("order_id", "=", rpc_sale.id)]).mapped("source"),
        )

    def test_cross_channel_duplicate_waits_for_review_instead_of_confirming(self):
        jd = self.env["order.hub.channel"].create(
            {"name": "Test JD", "code": "test-jd", "platform": "jd", "company_id": self.company.id}
        )
        # confirming sets date_order to now: both orders arrive now
        now = datetime.now(UTC).isoformat()
        self.import_now(canonical_order("2008", created_at=now, updated_at=now))
        first = self.sale_orders("2008")
        self.assertEqual(first.state, "sale")
        self.import_now(canonical_order("2009", platform="jd", created_at=now, updated_at=now), channel=jd)
        second = self.sale_orders("2009", channel=jd)
        self.assertEqual(second.hub_source, "jd")
        self.assertTrue(second.hub_is_suspected_duplicate)
        self.assertEqual(second.hub_duplicate_of_id, first)
        self.assertEqual(second.state, "draft")
        self.assertEqual(second.hub_review_state, "pending")
