from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import WritebackCommon

DECRYPT_METHOD = "_job_decrypt"


@tagged("post_install", "-at_install")
class TestReceiverDecrypt(WritebackCommon):
    """Douyin sends the receiver encrypted and masked: the order keeps the
    masked receiver, and the receiver is decrypted through order.batchDecrypt
    (real HTTP to the Douyin sandbox, which checks the signature, records each
    call and enforces a decrypt quota) only when a delivery's carrier asks
    for a waybill (real HTTP to the SF sandbox)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from sandbox.carrier_sf import SfSandbox

        cls.sf_box = SfSandbox().start()
        cls.addClassCleanup(cls.sf_box.stop)
        # the test's own routing: every parcel goes with SF, whose API makes the waybill
        cls.env["order.hub.warehouse.rule"].search([]).active = False
        cls.env["order.hub.carrier.rule"].search([]).active = False
        cls.sf = cls.env["delivery.carrier"].create(
            {
                "name": "SF Express (API waybills)",
                "delivery_type": "sf_express",
                "integration_level": "rate_and_ship",
                "product_id": cls.carrier.product_id.id,
                "hub_api_url": cls.sf_box.url + "/std/service",
                "hub_sf_partner_id": "OH_TEST",
                "hub_sf_check_word": "sandbox-check-word",
                "hub_kd100_company": "shunfeng",
            }
        )
        cls.sf_rule = cls.env["order.hub.carrier.rule"].create(
            {"name": "SF for every parcel", "carrier_id": cls.sf.id, "cost": 0, "company_id": cls.company.id}
        )

    def setUp(self):
        super().setUp()
        self.sf_box.reset()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def douyin_order(self, box, channel):
        """A paid Douyin order imported from the platform's own payload
        (encrypted and masked receiver), and its confirmed sale order."""
        from sandbox.generator import SandboxLine, sku_id_of

        order_id = box.add_orders(1)[0]
        order = box.orders[order_id]
        sku = sku_id_of("TST-001")
        order.lines = [SandboxLine("TST-001", "Test part 1", 2, 10000, sku_id=sku, line_id="1")]
        box.update_order(order_id, status="paid")
        self.import_now(box.render(order), channel=channel)
        sale = self.sale_orders(order_id, channel=channel)
        self.assertEqual(sale.state, "sale", sale.message_ids.mapped("body")[:3])
        return order, sale

    def decrypt_jobs(self, before):
        return self.new_jobs(before).filtered(lambda j: j.method_name == DECRYPT_METHOD)

    def ship(self, picking, user=None):
        """Validate as the warehouse does; the carrier's API makes the waybill."""
        picking = picking.with_user(user or self.user_warehouse)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    def sent_receiver(self, picking):
        sent = self.sf_box.orders[picking.hub_carrier_order_code]
        return next(c for c in sent["contactInfoList"] if c["contactType"] == 2)

    def assertNoPlaintext(self, buyer, texts):
        for text in texts:
            for value in (buyer.name, buyer.phone, buyer.detail):
                self.assertNotIn(value, str(text or ""))

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_waybill_after_decryption_plaintext_only_on_the_delivery_contact(self):
        box, channel = self.start_platform("douyin", seed=21)
        before = self.env["queue.job"].search([])
        order, sale = self.douyin_order(box, channel)
        buyer = order.buyer
        picking = self.delivery(sale)
        self.assertEqual(picking.carrier_id, self.sf)
        masked = sale.partner_shipping_id
        self.assertEqual(sale.hub_receiver_state, "encrypted")
        self.assertEqual(picking.hub_receiver_state, "encrypted")
        self.assertIn("*", masked.phone)
        self.assertNoPlaintext(buyer, [masked.name, masked.phone, masked.street, sale.partner_id.name])
        self.assertEqual(picking.partner_id, masked)
        self.assertFalse(box.api_requests("/order/batchDecrypt"), "nothing decrypted at import")

        jobs = self.decrypt_jobs(before)
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, "root.order_hub.writeback.douyin")
        self.assertFalse(jobs.args or jobs.kwargs, "the job carries the record only")
        self.run_jobs(jobs)
        self.assertEqual(len(box.api_requests("/order/batchDecrypt")), 1)
        self.assertEqual(box.decrypts[0]["order_ids"], [order.id])
        self.assertEqual(sale.hub_receiver_state, "decrypted")

        contact = picking.partner_id
        self.assertEqual((contact.name, contact.phone), (buyer.name, buyer.phone))
        self.assertIn(buyer.detail, contact.street)
        self.assertEqual(contact.parent_id, sale.partner_id)
        self.assertEqual(contact.type, "delivery")
        self.assertEqual(contact.state_id, masked.state_id)
        # the order keeps the masked receiver
        self.assertEqual(sale.partner_shipping_id, masked)
        self.assertIn("*", sale.partner_shipping_id.phone)

        self.ship(picking)
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.carrier_tracking_ref.startswith("SF"))
        receiver = self.sent_receiver(picking)
        self.assertEqual((receiver["contact"], receiver["mobile"]), (buyer.name, buyer.phone))
        self.assertIn(buyer.detail, receiver["address"])
        self.assertEqual(len(box.api_requests("/order/batchDecrypt")), 1, "decrypted once")
        # the plaintext stays out of messages, jobs and the receiver's record
        jobs = self.new_jobs(before)
        self.assertNoPlaintext(
            buyer,
            sale.message_ids.mapped("body")
            + picking.message_ids.mapped("body")
            + jobs.mapped("result")
            + jobs.mapped("exc_info")
            + [str(jobs.mapped("args")), str(jobs.mapped("kwargs"))]
            + [sale.hub_receiver_ids.error],
        )

    def test_a_quota_refusal_shows_and_the_scheduled_retry_decrypts(self):
        box, channel = self.start_platform("douyin", seed=22)
        box.decrypt_quota(0)
        before = self.env["queue.job"].search([])
        order, sale = self.douyin_order(box, channel)
        picking = self.delivery(sale)
        masked = picking.partner_id
        first = self.decrypt_jobs(before)
        self.run_jobs(first)
        self.assertEqual(sale.hub_receiver_state, "quota")
        self.assertEqual(picking.hub_receiver_state, "quota")
        self.assertIn("90000", sale.hub_receiver_error)
        self.assertIn("tries again", sale.hub_receiver_error)
        self.assertEqual(len(box.api_requests("/order/batchDecrypt")), 1)
        self.assertFalse(box.decrypts, "the platform decrypted nothing")
        self.assertEqual(picking.partner_id, masked)
        failed = self.env["sale.order"].search([("hub_receiver_state", "in", ("quota", "failed"))])
        self.assertIn(sale, failed)
        # the next try is scheduled with a back-off
        retry = self.decrypt_jobs(before) - first
        self.assertEqual(len(retry), 1)
        self.assertGreater(retry.eta, fields.Datetime.now() + timedelta(minutes=20))
        self.assertEqual(retry.channel, "root.order_hub.writeback.douyin")

        # no waybill with the masked address
        with self.assertRaises(UserError) as info:
            self.ship(picking)
        self.assertIn("Decrypt Failed: Quota", str(info.exception))
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(self.sf_box.orders)

        box.decrypt_quota(None)  # new quota
        self.run_jobs(retry)
        self.assertEqual(sale.hub_receiver_state, "decrypted")
        self.assertFalse(sale.hub_receiver_error)
        self.ship(picking)
        self.assertEqual(picking.state, "done")
        self.assertEqual(self.sent_receiver(picking)["mobile"], order.buyer.phone)
        self.assertEqual(len(box.decrypts), 1)

    def test_retry_button_after_a_quota_refusal(self):
        box, channel = self.start_platform("douyin", seed=23)
        box.decrypt_quota(0)
        before = self.env["queue.job"].search([])
        order, sale = self.douyin_order(box, channel)
        self.run_jobs(self.decrypt_jobs(before))
        self.assertEqual(sale.hub_receiver_state, "quota")
        scheduled = self.decrypt_jobs(before).filtered(lambda j: j.state == "pending")
        self.assertEqual(len(scheduled), 1)

        box.decrypt_quota(None)
        before = self.env["queue.job"].search([])
        sale.with_user(self.user_cs).action_hub_retry_decrypt()
        self.assertEqual(scheduled.state, "cancelled", "the scheduled try gives way to the retry")
        retry = self.decrypt_jobs(before)
        self.assertEqual(len(retry), 1)
        self.assertFalse(retry.eta)
        self.run_jobs(retry)
        self.assertEqual(sale.hub_receiver_state, "decrypted")
        self.assertEqual(self.delivery(sale).partner_id.phone, order.buyer.phone)
        with self.assertRaises(UserError):
            sale.with_user(self.user_cs).action_hub_retry_decrypt()

    def test_no_decrypt_call_for_orders_that_need_no_waybill(self):
        box, channel = self.start_platform("douyin", seed=24)
        # no carrier rule: the warehouse types the paper waybill's number
        self.sf_rule.active = False
        before = self.env["queue.job"].search([])
        _order, sale = self.douyin_order(box, channel)
        picking = self.delivery(sale)
        self.assertFalse(picking.carrier_id)
        self.validate(picking, "SF0000000024")
        self.assertFalse(self.decrypt_jobs(before))
        self.assertEqual(sale.hub_receiver_state, "encrypted")

        # routed to SF, but the carrier changed to paper waybills before the job ran
        self.sf_rule.active = True
        before = self.env["queue.job"].search([])
        _order, sale = self.douyin_order(box, channel)
        picking = self.delivery(sale)
        jobs = self.decrypt_jobs(before)
        self.assertEqual(len(jobs), 1)
        picking.with_user(self.user_warehouse).carrier_id = self.carrier
        self.assertIn("Nothing to do", self.run_jobs(jobs)[0])
        # and an order the buyer cancelled on the platform before its decryption
        before = self.env["queue.job"].search([])
        _order, cancelled = self.douyin_order(box, channel)
        jobs = self.decrypt_jobs(before)
        cancelled.with_context(order_hub_from_platform=True, disable_cancel_warning=True).action_cancel()
        self.assertEqual(cancelled.state, "cancel")
        self.assertIn("Nothing to do", self.run_jobs(jobs)[0])
        self.assertFalse(box.api_requests("/order/batchDecrypt"))
        self.assertFalse(box.decrypts)

    def test_a_receiver_changed_on_the_platform_is_decrypted_again(self):
        box, channel = self.start_platform("douyin", seed=25)
        before = self.env["queue.job"].search([])
        order, sale = self.douyin_order(box, channel)
        self.run_jobs(self.decrypt_jobs(before))
        picking = self.delivery(sale)
        self.assertEqual(picking.partner_id.phone, order.buyer.phone)
        # the buyer changes the address on Douyin: new ciphertexts in the next pull
        before = self.env["queue.job"].search([])
        box.update_order(order.id, address="新地址路 9 号 3 单元")
        self.import_now(box.render(order), channel=channel)
        self.assertEqual(sale.hub_receiver_state, "encrypted")
        self.assertIn("*", picking.partner_id.phone, "the delivery is back on the masked receiver")
        jobs = self.decrypt_jobs(before)
        self.assertEqual(len(jobs), 1)
        self.run_jobs(jobs)
        self.assertEqual(sale.hub_receiver_state, "decrypted")
        self.assertIn("新地址路 9 号 3 单元", picking.partner_id.street)
        self.assertEqual(len(box.decrypts), 2)
        self.ship(picking)
        self.assertIn("新地址路 9 号 3 单元", self.sent_receiver(picking)["address"])

    def test_network_faults_retry_and_a_job_that_gives_up_shows_decrypt_failed(self):
        box, channel = self.start_platform("douyin", seed=26)
        before = self.env["queue.job"].search([])
        order, sale = self.douyin_order(box, channel)
        jobs = self.decrypt_jobs(before)
        box.behave(server_errors=1)
        errors = self.run_jobs_once(jobs)
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], RetryableJobError)
        self.assertEqual(jobs.state, "pending", "queue_job tries again with its back-off")
        self.assertEqual(sale.hub_receiver_state, "encrypted")
        # queue_job gives up after its last try: the receiver says so
        job = Job.load(self.env, jobs.uuid)
        job.set_failed(exc_name="RetryableJobError", exc_message=str(errors[0]))
        job.store()
        self.assertEqual(sale.hub_receiver_state, "failed")
        self.assertIn("gave up", sale.hub_receiver_error)
        with self.assertRaises(UserError) as info:
            self.ship(self.delivery(sale))
        self.assertIn("Decrypt Failed", str(info.exception))
        # the platform answers again: Retry Decryption, from the delivery
        before = self.env["queue.job"].search([])
        self.delivery(sale).with_user(self.user_warehouse).action_hub_retry_decrypt()
        self.run_jobs(self.decrypt_jobs(before))
        self.assertEqual(sale.hub_receiver_state, "decrypted")
        picking = self.ship(self.delivery(sale))
        self.assertEqual(self.sent_receiver(picking)["contact"], order.buyer.name)
