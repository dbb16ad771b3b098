from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import WritebackCommon

PUBLISH = "_job_publish_stock"


@tagged("post_install", "-at_install")
class TestStockSync(WritebackCommon):
    """The stock each channel sells (free stock of its warehouses × ratio −
    buffer, rounded down, never negative) reaches the platform's sandbox over
    real HTTP, signed, in jobs: after stock changes (debounced: one job per
    channel) and on the schedule, within the platform's rate limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].create(
            {"name": "Sync test", "code": "SYT", "company_id": cls.company.id}
        )
        cls.parts = cls.env["product.product"].create(
            [
                {"name": f"Sync part {n}", "default_code": f"SYN-{n}", "is_storable": True, "type": "consu"}
                for n in range(1, 4)
            ]
        )
        for product, qty in zip(cls.parts, (10, 3, 7), strict=True):
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, qty)

    def channel_for(self, platform, seed=1, **values):
        from sandbox import start_sandbox

        box = start_sandbox(platform, seed=seed)
        self.addCleanup(box.stop)
        channel = self.sandbox_channel(
            box, f"st-{platform}-{seed}", warehouse_id=self.warehouse.id, hub_stock_sync=True, **values
        )
        self.channels |= channel
        return box, channel

    def map(self, channel, products, prefix="7"):
        codes = {}
        for index, product in enumerate(products, start=1):
            code = f"{prefix}{index:04d}" if channel.platform != "wechat_shop" else f"P{index}:S{index}"
            self.env["order.hub.product.map"].create(
                {
                    "platform": channel.platform,
                    "channel_id": channel.id,
                    "code": code,
                    "product_id": product.id,
                }
            )
            codes[product] = code
        return codes

    def setUp(self):
        super().setUp()
        # other channels of the database publishing their stock are left alone
        self.channels = self.env["order.hub.channel"]

    def publish_jobs(self, before):
        return self.new_jobs(before).filtered(
            lambda j: j.method_name == PUBLISH and j.records <= self.channels
        )

    def scheduled_publish(self):
        """The scheduled action, then the jobs it enqueued."""
        before = self.env["queue.job"].search([])
        self.env.ref("order_hub_writeback.ir_cron_hub_stock_sync").method_direct_trigger()
        jobs = self.publish_jobs(before)
        self.run_jobs(jobs)
        return jobs

    def commit_hooks(self):
        """What a commit runs before it commits (the stock changes are marked then)."""
        self.env.cr.precommit.run()

    # ------------------------------------------------------------------
    def test_published_stock_is_ratio_times_free_minus_buffer(self):
        cases = [
            # ratio, buffer, expected for free 10, 3, 7
            (1.0, 0, [10, 3, 7]),
            (0.5, 2, [3, 0, 1]),  # 5-2, 1.5-2 < 0 -> 0, 3.5-2 -> 1
            (0.7, 0, [7, 2, 4]),  # rounded down, exact decimals
            (1.0, 20, [0, 0, 0]),  # never negative
        ]
        for seed, (ratio, buffer, expected) in enumerate(cases, start=1):
            with self.subTest(ratio=ratio, buffer=buffer):
                box, channel = self.channel_for(
                    "douyin", seed=seed, hub_stock_ratio=ratio, hub_stock_buffer=buffer
                )
                codes = self.map(channel, self.parts)
                jobs = self.scheduled_publish().filtered(lambda j, c=channel: j.records == c)
                self.assertEqual(len(jobs), 1)
                self.assertEqual(jobs.channel, "root.order_hub.stock_sync")
                self.assertEqual(
                    box.stock, {codes[p]: qty for p, qty in zip(self.parts, expected, strict=True)}
                )
                states = channel.hub_stock_state_ids
                self.assertEqual(states.mapped("published_qty"), expected)
                self.assertFalse(any(states.mapped("dirty")))
                self.assertNotIn(box.credentials["app_secret"], str(jobs.read(["args", "kwargs", "result"])))

    def test_oversold_stock_publishes_zero(self):
        box, channel = self.channel_for("jd")
        codes = self.map(channel, self.parts[:1])
        # a confirmed delivery promising more than is on hand (deferred reservation)
        customers = self.env.ref("stock.stock_location_customers")
        move = self.env["stock.move"].create(
            {
                "name": "oversold",
                "product_id": self.parts[0].id,
                "product_uom": self.parts[0].uom_id.id,
                "product_uom_qty": 14,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
            }
        )
        move._action_confirm()
        self.assertEqual(self.parts[0]._hub_free_qty(self.warehouse)[self.parts[0].id], -4)
        self.scheduled_publish()
        self.assertEqual(box.stock, {codes[self.parts[0]]: 0})

    def test_each_platform_gets_its_signed_call(self):
        for platform in ("douyin", "jd", "shopify", "shopee", "wechat_shop"):
            with self.subTest(platform=platform):
                box, channel = self.channel_for(platform, seed=7)
                codes = self.map(channel, self.parts)
                self.scheduled_publish()
                self.assertEqual(
                    box.stock, {codes[p]: q for p, q in zip(self.parts, (10, 3, 7), strict=True)}
                )
                self.assertEqual(len(box.stock_calls), 1 if platform == "shopify" else 3)

    def test_batched_under_the_rate_limit(self):
        products = self.env["product.product"].create(
            [{"name": f"Bulk {n}", "is_storable": True, "type": "consu"} for n in range(40)]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, 5)
        box, channel = self.channel_for("douyin", seed=9, rate_limit=20)
        box.behave(stock_max_rps=20, stock_burst=2)
        self.map(channel, products)
        self.scheduled_publish()
        self.assertEqual(len(box.stock), 40)
        self.assertEqual(box.stock_refused, 0, "the client kept under the platform's limit")
        times = [r.time for r in box.api_requests("/sku/syncStock")]
        self.assertEqual(len(times), 40)
        self.assertGreaterEqual(times[-1] - times[0], (40 - 2) / 20 * 0.9)
        # Shopify takes them in one call
        shop_box, shop = self.channel_for("shopify", seed=9)
        self.map(shop, products)
        self.scheduled_publish()
        self.assertEqual(len(shop_box.stock), 40)
        self.assertEqual(len(shop_box.stock_calls), 1)

    def test_a_refusing_platform_keeps_the_rest_waiting_for_a_later_job(self):
        box, channel = self.channel_for("wechat_shop")
        self.map(channel, self.parts)
        box.behave(stock_max_rps=0.01, stock_burst=1)  # one call, then the minute quota
        before = self.env["queue.job"].search([])
        jobs = self.scheduled_publish()
        self.assertEqual(len(box.stock), 1, jobs.mapped("result"))
        waiting = channel.hub_stock_state_ids.filtered("dirty")
        self.assertEqual(len(waiting), 2)
        later = self.publish_jobs(before) - jobs
        self.assertEqual(len(later), 1, "a later job takes the rest")
        self.assertGreater(later.eta, fields.Datetime.now() + timedelta(seconds=30))
        box.behave(stock_max_rps=0)
        self.run_jobs(later)
        self.assertEqual(len(box.stock), 3)

    def test_flash_sale_stock_reaches_only_its_channel(self):
        flash_box, flash_channel = self.channel_for("douyin", seed=11)
        other_box, other_channel = self.channel_for("jd", seed=11)
        flash = self.env["stock.warehouse"].create(
            {
                "name": "Flash 11.11",
                "code": "FL11",
                "company_id": self.company.id,
                "hub_is_flash_sale": True,
                "hub_flash_start": fields.Datetime.now() - timedelta(hours=1),
                "hub_flash_end": fields.Datetime.now() + timedelta(hours=1),
                "hub_flash_channel_codes": "douyin",
            }
        )
        self.env["stock.quant"]._update_available_quantity(self.parts[0], flash.lot_stock_id, 50)
        flash_codes = self.map(flash_channel, self.parts[:1])
        other_codes = self.map(other_channel, self.parts[:1])
        self.scheduled_publish()
        self.assertEqual(flash_box.stock, {flash_codes[self.parts[0]]: 60})
        self.assertEqual(other_box.stock, {other_codes[self.parts[0]]: 10})
        self.assertIn("FL11 50", flash_channel.hub_stock_state_ids.preview_reason)

    def test_a_stock_change_leads_to_one_debounced_publish(self):
        box, channel = self.channel_for("douyin", seed=12)
        codes = self.map(channel, self.parts)
        self.scheduled_publish()
        calls = len(box.stock_calls)
        before = self.env["queue.job"].search([])
        # three changes committed one after the other, before the job runs
        for qty in (1, 2, 3):
            self.env["stock.quant"]._update_available_quantity(
                self.parts[1], self.warehouse.lot_stock_id, qty
            )
            self.commit_hooks()
        jobs = self.publish_jobs(before)
        self.assertEqual(len(jobs), 1, "one job per channel while one waits")
        self.assertGreater(jobs.eta, fields.Datetime.now())
        self.assertEqual(len(box.stock_calls), calls, "nothing sent before the job")
        self.run_jobs(jobs)
        self.assertEqual(box.stock_calls[calls:], [("sku.syncStock", {codes[self.parts[1]]: 9})])
        # the job ran again, nothing changed: nothing is sent
        self.scheduled_publish()
        self.assertEqual(len(box.stock_calls), calls + 1)

    def test_dry_run_shows_figures_and_reasons_and_sends_nothing(self):
        box, channel = self.channel_for("douyin", seed=13, hub_stock_ratio=0.5, hub_stock_buffer=2)
        self.map(channel, self.parts)
        action = channel.with_user(self.user_manager).action_hub_stock_preview()
        states = self.env["order.hub.stock.state"].search(action["domain"])
        self.assertEqual(len(states), 3)
        first = states.filtered(lambda s: s.product_id == self.parts[0])
        self.assertEqual(first.preview_qty, 3)
        self.assertIn("SYT 10", first.preview_reason)
        self.assertIn("× 0.5 − 2 → 3", first.preview_reason)
        self.assertTrue(first.will_send)
        self.assertFalse(box.stock_calls)
        with self.assertRaises(AccessError):
            channel.with_user(self.user_cs).action_hub_stock_preview()

    def test_a_paused_product_publishes_zero_everywhere(self):
        box, channel = self.channel_for("douyin", seed=14)
        codes = self.map(channel, self.parts)
        self.scheduled_publish()
        with self.assertRaises(AccessError):
            self.parts[0].with_user(self.user_warehouse).write({"hub_stock_paused": True})
        before = self.env["queue.job"].search([])
        self.parts[0].with_user(self.user_manager).hub_stock_paused = True
        self.commit_hooks()
        self.run_jobs(self.publish_jobs(before))
        self.assertEqual(box.stock[codes[self.parts[0]]], 0)
        self.assertEqual(box.stock[codes[self.parts[1]]], 3)

    def test_a_change_during_a_publication_stays_marked(self):
        """The job deletes only the marks it read: a product marked again while
        the job talked to the platform is published by the next job."""
        box, channel = self.channel_for("jd", seed=15)
        self.map(channel, self.parts)
        Dirty = self.env["order.hub.stock.dirty"]
        Dirty._hub_mark(channel)
        taken = Dirty._hub_take(channel, 10)
        self.assertEqual(len(taken), 3)
        Dirty._hub_mark(channel, [self.parts[0].id])  # committed meanwhile
        Dirty._hub_done([(row_id, seq) for row_id, seq, _product in taken])
        left = Dirty.search([("channel_id", "=", channel.id)])
        self.assertEqual(left.product_id, self.parts[0])
        states = self.env["order.hub.stock.state"]._hub_ensure(channel)
        self.assertEqual(states.filtered("dirty").product_id, self.parts[0])
        self.assertEqual(
            states.search([("dirty", "=", True), ("channel_id", "=", channel.id)]), states.filtered("dirty")
        )

    def test_a_channel_without_its_settings_shows_the_reason_on_each_row(self):
        box, channel = self.channel_for("shopify", seed=16)
        self.map(channel, self.parts)
        channel.write({"api_base_url": False, "shop_id": False})
        self.scheduled_publish()
        states = channel.hub_stock_state_ids
        self.assertEqual(len(states), 3)
        self.assertTrue(all("shop domain" in (state.error or "") for state in states), states.mapped("error"))
        self.assertFalse(states.filtered("dirty"), "no job loops on it: the schedule tries again")
        self.assertFalse(box.stock_calls)
