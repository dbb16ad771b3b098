from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.order_hub_channels.tests.common import canonical_order
from odoo.addons.queue_job.exception import RetryableJobError

from .common import WritebackCommon

# what each platform's sandbox records for a parcel of SF Express
EXPECTED = {
    "douyin": ("order.logisticsAdd", "shunfeng"),
    "jd": ("jingdong.pop.order.shipment", "467"),
    "shopify": ("fulfillments", "SF Express"),
    "shopee": ("ship_order", ""),  # then the tracking update
    "wechat_shop": ("delivery/send", "SF"),
}


def expected_writes(platform, order_id, tracking):
    api, code = EXPECTED[platform]
    params = {"order_id": order_id, "tracking": tracking, "company": code}
    if platform == "shopee":
        return [(api, params), ("update_tracking_status", params)]
    return [(api, params)]


@tagged("post_install", "-at_install")
class TestWriteback(WritebackCommon):
    """Validating the delivery of a platform order pushes carrier and tracking
    number to the platform in a job, once, over real HTTP to the sandboxes
    (which check the signatures and keep the platform's order state)."""

    def test_validated_delivery_is_written_back_once_per_platform(self):
        for platform, (_api, code) in EXPECTED.items():
            with self.subTest(platform=platform):
                box, channel = self.start_platform(platform)
                order, sale = self.platform_order(box, channel)
                before = self.env["queue.job"].search([])
                self.validate(self.delivery(sale), f"SF{platform.upper()}01")
                jobs = self.push_jobs(before)
                self.assertEqual(len(jobs), 1)
                self.assertEqual(jobs.channel, f"root.order_hub.writeback.{platform}")
                self.assertFalse(box.writes, "nothing is sent before the job runs (after the commit)")
                self.run_jobs(jobs)
                self.assertEqual(box.writes, expected_writes(platform, order.id, f"SF{platform.upper()}01"))
                push = sale.hub_writeback_ids
                self.assertEqual(push.state, "done")
                self.assertEqual(push.tracking_ref, f"SF{platform.upper()}01")
                self.assertEqual(push.company_code, code)
                self.assertIn(f"SF{platform.upper()}01", push.request)
                self.assertNotIn(box.credentials["app_secret"], push.request + push.answer)
                self.assertNotIn(box.credentials["access_token"], push.request + push.answer)
                # the job run again (a requeued job) changes nothing
                self.run_jobs(jobs)
                self.assertEqual(box.writes, expected_writes(platform, order.id, f"SF{platform.upper()}01"))

    def test_a_job_retried_after_a_timeout_ships_once(self):
        # Odoo's test HTTP guard raises any timeout under 10 s to 10 s: the
        # sandbox answers after 10.5 s, once the client has given up
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("order_hub_writeback.connect_timeout", "1")
        params.set_param("order_hub_writeback.read_timeout", "1")
        for platform in EXPECTED:
            with self.subTest(platform=platform):
                box, channel = self.start_platform(platform, seed=2)
                order, sale = self.platform_order(box, channel)
                before = self.env["queue.job"].search([])
                self.validate(self.delivery(sale), "ZT0000000001")
                box.behave(late_writes=1, late_delay=10.5)
                jobs = self.push_jobs(before)
                errors = self.run_jobs_once(jobs)
                self.assertEqual(len(errors), 1)
                self.assertIsInstance(errors[0], RetryableJobError)
                self.assertEqual(len(box.writes), 1, "the platform shipped before our client gave up")
                self.assertEqual(sale.hub_writeback_ids.state, "pending")
                self.assertEqual(jobs.state, "pending")
                self.run_jobs_once(jobs)
                # the retried job found the parcel on the platform (Shopee: arranged,
                # so only its tracking update was still to send)
                self.assertEqual(box.writes, expected_writes(platform, order.id, "ZT0000000001"))
                self.assertEqual(sale.hub_writeback_ids.state, "done")
                if platform != "shopee":
                    self.assertIn("already had it", sale.message_ids[0].body)

    def test_a_split_shipment_writes_back_two_parcels(self):
        for platform in ("douyin", "shopify", "wechat_shop"):
            with self.subTest(platform=platform):
                box, channel = self.start_platform(platform, seed=3)
                order, sale = self.platform_order(box, channel)
                before = self.env["queue.job"].search([])
                self.validate(self.delivery(sale), "YT0000000001", {"TST-001": 2})
                self.run_jobs(self.push_jobs(before))
                self.assertEqual(order.status, "paid", "partially shipped on the platform")
                before = self.env["queue.job"].search([])
                self.validate(self.delivery(sale), "YT0000000002")
                self.run_jobs(self.push_jobs(before))
                parcels = box.shipments[order.id]
                self.assertEqual([p["tracking"] for p in parcels], ["YT0000000001", "YT0000000002"])
                self.assertEqual([p["items"] for p in parcels], [{"1": 2}, {"2": 2}])
                self.assertEqual(order.status, "shipped")
                self.assertEqual(set(sale.hub_writeback_ids.mapped("state")), {"done"})
                if platform == "douyin":
                    self.assertEqual({api for api, _params in box.writes}, {"order.logisticsAddMultiPack"})

    def test_a_partial_shipment_without_backorder_pushes_what_shipped(self):
        box, channel = self.start_platform("douyin", seed=15)
        order, sale = self.platform_order(box, channel)
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000015", {"TST-001": 1}, backorder=False)
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(box.writes[0][0], "order.logisticsAddMultiPack")
        self.assertEqual(box.shipments[order.id][0]["items"], {"1": 1})
        self.assertEqual(order.status, "paid", "the platform still waits for the rest")

    def test_a_split_shipment_goes_to_jd_in_one_call_with_the_last_parcel(self):
        box, channel = self.start_platform("jd", seed=4)
        order, sale = self.platform_order(box, channel)
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "YT0000000011", {"TST-001": 2})
        self.assertFalse(self.push_jobs(before))
        self.assertIn("ships whole orders", sale.message_ids[0].body)
        self.validate(self.delivery(sale), "YT0000000012")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(
            box.writes,
            [
                (
                    "jingdong.pop.order.shipment",
                    {"order_id": order.id, "tracking": "YT0000000011,YT0000000012", "company": "467"},
                )
            ],
        )

    def test_a_refusal_shows_on_the_order_and_a_retry_after_the_fix_ships(self):
        box, channel = self.start_platform("douyin", seed=5)
        order, sale = self.platform_order(box, channel)
        code = self.env.ref("order_hub_writeback.carrier_code_douyin_shunfeng")
        code.code = "sf-old"  # a code the platform does not know
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000005")
        self.run_jobs(self.push_jobs(before))
        push = sale.hub_writeback_ids
        self.assertEqual(push.state, "failed")
        self.assertIn("物流公司编码不存在", push.error)
        self.assertIn("物流公司编码不存在", sale.message_ids[0].body)
        self.assertFalse(box.writes)
        failures = (
            self.env["sale.order"].with_user(self.user_cs).search([("hub_writeback_failed", "=", True)])
        )
        self.assertIn(sale, failures)
        listed = (
            self.env["order.hub.writeback"].with_user(self.user_manager).search([("state", "=", "failed")])
        )
        self.assertIn(push, listed)
        with self.assertRaises(AccessError):
            push.with_user(self.user_cs).action_retry()
        code.code = "shunfeng"
        before = self.env["queue.job"].search([])
        push.with_user(self.user_manager).action_retry()
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(push.state, "done")
        self.assertFalse(sale.hub_writeback_failed)
        self.assertEqual(
            box.writes,
            [
                (
                    "order.logisticsAdd",
                    {"order_id": order.id, "tracking": "SF0000000005", "company": "shunfeng"},
                )
            ],
        )

    def test_an_order_cancelled_on_the_platform_refuses_the_shipment_with_its_reason(self):
        box, channel = self.start_platform("wechat_shop", seed=6)
        order, sale = self.platform_order(box, channel)
        box.update_order(order.id, status="cancelled")
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000006")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(sale.hub_writeback_ids.state, "failed")
        self.assertIn("cancelled", sale.hub_writeback_ids.error)
        self.assertFalse(box.writes)

    def test_a_missing_carrier_code_fails_with_what_to_add(self):
        box, channel = self.start_platform("douyin", seed=7)
        _order, sale = self.platform_order(box, channel)
        self.carrier.hub_kd100_company = "nobody"
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000007")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(sale.hub_writeback_ids.state, "failed")
        self.assertIn("Platform Carrier Codes", sale.hub_writeback_ids.error)
        self.assertFalse(box.requests, "nothing reached the platform")

    def test_cancellation_before_shipment_is_pushed(self):
        for platform in ("shopify", "shopee"):
            with self.subTest(platform=platform):
                box, channel = self.start_platform(platform, seed=8)
                order, sale = self.platform_order(box, channel)
                before = self.env["queue.job"].search([])
                action = sale.with_user(self.user_cs).action_cancel()
                self.assertEqual(action["res_model"], "sale.order.cancel")
                wizard = (
                    self.env["sale.order.cancel"]
                    .with_user(self.user_cs)
                    .with_context(**action["context"])
                    .create({"order_id": sale.id})
                )
                wizard.action_cancel()
                self.assertEqual(sale.state, "cancel")
                self.run_jobs(self.push_jobs(before))
                self.assertEqual(order.status, "cancelled")
                self.assertEqual(len(box.writes), 1)
                push = sale.hub_writeback_ids
                self.assertEqual((push.kind, push.state), ("cancel", "done"))

    def test_cancellation_refused_by_the_platform_shows_its_reason(self):
        box, channel = self.start_platform("shopify", seed=9)
        order, sale = self.platform_order(box, channel)
        box.ship(order.id, "SF0000000009", "SF Express")  # shipped on the platform meanwhile
        box.writes.clear()
        before = self.env["queue.job"].search([])
        sale.with_context(disable_cancel_warning=True).with_user(self.user_cs).action_cancel()
        self.run_jobs(self.push_jobs(before))
        push = sale.hub_writeback_ids
        self.assertEqual(push.state, "failed")
        self.assertIn("Cannot cancel", push.error)
        self.assertFalse(box.writes)

    def test_cancellation_where_the_platform_takes_none_is_refused_with_its_reason(self):
        for platform in ("douyin", "jd", "wechat_shop"):
            with self.subTest(platform=platform):
                box, channel = self.start_platform(platform, seed=10)
                _order, sale = self.platform_order(box, channel)
                with self.assertRaisesRegex(UserError, "buyer"):
                    sale.with_user(self.user_cs).action_cancel()
                self.assertEqual(sale.state, "sale")
                self.assertFalse(sale.hub_writeback_ids)

    def test_rejecting_a_paid_order_held_for_review_pushes_or_refuses_the_cancellation(self):
        """A paid platform order held for review is a sale on the platform: its
        rejection cancels it there (Shopify) or is refused with the platform's
        reason (Douyin), as a cancellation in Odoo is."""
        self.company.hub_health_threshold = 101  # every arriving order waits for a review
        box, channel = self.start_platform("shopify", seed=14)
        order, sale = self.platform_order(box, channel, state="draft")
        self.assertEqual(sale.hub_review_state, "pending")
        before = self.env["queue.job"].search([])
        sale.with_user(self.user_manager).action_hub_review_reject()
        self.assertEqual(sale.state, "cancel")
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(order.status, "cancelled")
        self.assertEqual(len(box.writes), 1)
        self.assertEqual((sale.hub_writeback_ids.kind, sale.hub_writeback_ids.state), ("cancel", "done"))

        box, channel = self.start_platform("douyin", seed=14)
        # Douyin's own code for paid, to ship (the status mappings)
        _order, sale = self.platform_order(box, channel, state="draft", platform_status="2")
        with self.assertRaisesRegex(UserError, "buyer"):
            sale.with_user(self.user_manager).action_hub_review_reject()
        self.assertEqual((sale.state, sale.hub_review_state), ("draft", "pending"))
        self.assertFalse(sale.hub_writeback_ids)

    def test_shipped_on_the_platform_is_not_written_back(self):
        box, channel = self.start_platform("douyin", seed=11)
        order, sale = self.platform_order(box, channel)
        self.delivery(sale).move_ids.picked = True  # picked, not validated yet
        before = self.env["queue.job"].search([])
        payload = canonical_order(
            order.id, skus=("TST-001", "TST-002"), platform="douyin", status="shipped", minutes=5
        )
        self.import_now(payload, channel=channel)
        self.assertEqual(self.delivery(sale), self.env["stock.picking"], "the platform's status validated it")
        self.assertFalse(self.push_jobs(before))
        self.assertFalse(sale.hub_writeback_ids)

    def test_orders_outside_the_hub_are_not_written_back(self):
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                "order_line": [(0, 0, {"product_id": self.products[0].id, "product_uom_qty": 1})],
            }
        )
        sale.action_confirm()
        self.assertFalse(sale.hub_in_scope)
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000012", user=self.env.user)
        self.assertFalse(self.push_jobs(before))
        self.assertFalse(self.env["order.hub.writeback"].search([("sale_order_id", "=", sale.id)]))

    def test_a_push_whose_retries_run_out_shows_as_failed(self):
        from odoo.addons.queue_job.exception import FailedJobError
        from odoo.addons.queue_job.job import Job

        box, channel = self.start_platform("shopee", seed=12)
        _order, sale = self.platform_order(box, channel)
        before = self.env["queue.job"].search([])
        self.validate(self.delivery(sale), "SF0000000013")
        record = self.push_jobs(before)
        record.max_retries = 1
        box.behave(server_errors=10)
        # as queue_job's runner does when the last try raised RetryableJobError
        job = Job.load(self.env, record.uuid)
        job.set_started()
        with self.assertRaises(FailedJobError) as caught, self.env.cr.savepoint():
            job.perform()
        job.set_failed(exc_name="FailedJobError", exc_message=str(caught.exception))
        job.store()
        push = sale.hub_writeback_ids
        self.assertEqual(push.state, "failed")
        self.assertIn("HTTP 503", push.error)
        self.assertTrue(sale.hub_writeback_failed)
        box.behave(server_errors=0)
        before = self.env["queue.job"].search([])
        push.with_user(self.user_manager).action_retry()
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(push.state, "done")
        self.assertEqual(len(box.writes), 2, "arranged and tracking updated, once each")

    def test_a_delivery_validated_through_the_carrier_question_is_written_back(self):
        from odoo.tests import Form

        box, channel = self.start_platform("douyin", seed=13)
        order, sale = self.platform_order(box, channel)
        picking = self.delivery(sale).with_user(self.user_warehouse)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        before = self.env["queue.job"].search([])
        action = picking.button_validate()
        self.assertEqual(action["res_model"], "order.hub.ship.wizard")
        wizard = Form(
            self.env["order.hub.ship.wizard"].with_user(self.user_warehouse).with_context(**action["context"])
        )
        wizard.carrier_id = self.carrier
        wizard.tracking_ref = "SF0000000014"
        wizard.save().action_validate()
        self.run_jobs(self.push_jobs(before))
        self.assertEqual(
            box.writes,
            [
                (
                    "order.logisticsAdd",
                    {"order_id": order.id, "tracking": "SF0000000014", "company": "shunfeng"},
                )
            ],
        )

    def test_a_channel_without_its_settings_fails_the_push_with_the_reason(self):
        # the test channel (Shopify) has no shop domain
        self.import_now(canonical_order("WB-SETTINGS", skus=("TST-001",)))
        sale = self.sale_orders("WB-SETTINGS")
        before = self.env["queue.job"].search([])
        sale.with_context(disable_cancel_warning=True).action_cancel()
        jobs = self.push_jobs(before)
        self.run_jobs(jobs)
        self.assertEqual(jobs.state, "done", "a setting to fix is not a fault of the code")
        self.assertEqual(sale.hub_writeback_ids.state, "failed")
        self.assertIn("shop domain", sale.hub_writeback_ids.error)
