from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.order_hub.models.sale_order_rules import SaleOrder as RulesSaleOrder

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestOneArrival(ChannelsCommon, HttpCase):
    """Every new order passes the same arrival step (order_hub's
    ``_hub_process_arrival``), whatever its source: pull, push, RPC, form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox_products()
        # every order scores below this: the review rule holds any order that arrives
        cls.company.hub_health_threshold = 101

    def assertHeld(self, sales):
        self.assertTrue(sales)
        self.assertEqual(set(sales.mapped("state")), {"draft"})
        self.assertEqual(set(sales.mapped("hub_review_state")), {"pending"})
        self.assertEqual(set(sales.mapped("hub_stage_code")), {"exception"})

    def run_import_jobs(self, before):
        imports = self.new_jobs(before).filtered(lambda j: j.method_name == "_job_import")
        self.run_jobs_once(imports)
        return self.run_channel_actions(before)

    def test_pulled_order(self):
        _box, channel = self.start_sandbox_channel("shopify", 2, "arrive-pull", 31)
        before = self.env["queue.job"].search([])
        channel._cron_pull()
        self.run_jobs_once(self.new_jobs(before))  # the pull job
        self.run_import_jobs(before)
        self.assertHeld(self.env["sale.order"].search([("channel_id", "=", channel.id)]))

    def test_pushed_order(self):
        from sandbox import send_webhook

        box, channel = self.start_sandbox_channel("shopify", 1, "arrive-push", 32)
        before = self.env["queue.job"].search([])
        url = f"{self.base_url()}/order_hub/webhook/{channel.code}"
        response = send_webhook(box, next(iter(box.orders)), url)
        self.assertEqual(response.status_code, 200, response.text)
        self.run_import_jobs(before)
        self.assertHeld(self.env["sale.order"].search([("channel_id", "=", channel.id)]))

    def test_order_sent_by_rpc(self):
        expiry = datetime.now() + timedelta(days=1)
        key = self.env["res.users.apikeys"].with_user(self.user_integration)._generate("rpc", "test", expiry)
        before = self.env["queue.job"].search([])
        results = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.user_integration.id,
            key,
            "order.hub.channel",
            "import_orders",
            ["test-shopify", [canonical_order("ARR-1")]],
        )
        self.assertEqual(results[0]["result"], "created", results)
        self.run_channel_actions(before)
        self.assertHeld(self.sale_orders("ARR-1"))

    def test_order_typed_in_the_form(self):
        # a phone order saved from the form (Form runs the form's onchanges and create)
        from odoo.tests import Form

        form = Form(self.env["sale.order"])
        form.partner_id = self.env["res.partner"].create({"name": "Caller", "phone": "13900001111"})
        form.hub_source = "phone"
        with form.order_line.new() as line:
            line.product_id = self.products[0]
        self.assertHeld(form.save())

    def test_spreadsheet_rows_arrive_like_typed_orders(self):
        partner = self.env["res.partner"].create({"name": "Sheet buyer"})
        result = self.env["sale.order"].load(
            ["partner_id/.id", "hub_source", "order_line/product_id/.id", "order_line/product_uom_qty"],
            [[str(partner.id), "phone", str(self.products[0].id), "1"]],
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertHeld(self.env["sale.order"].browse(result["ids"]))


@tagged("post_install", "-at_install")
class TestFastLane(ChannelsCommon):
    """Surge mode and automatic confirmation act on orders that really arrive."""

    def setUp(self):
        super().setUp()
        # away from the arrivals of the demo data, which count in the surge rate
        frozen = freeze_time("2030-01-07 03:00:00")
        frozen.start()
        self.addCleanup(frozen.stop)
        # and from a surge the database may be in (a benchmark run on it)
        self.company.write(
            {"hub_surge_active": False, "hub_surge_quiet_since": False, "hub_auto_confirm": False}
        )

    def _typed(self):
        partner = self.env["res.partner"].create({"name": "Caller", "street": "余杭区文一西路 998 号"})
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "hub_source": "phone",
                "order_line": [Command.create({"product_id": self.products[0].id, "product_uom_qty": 1})],
            }
        )

    def test_automatic_confirmation_confirms_a_typed_order_when_saved(self):
        self.assertEqual(self._typed().state, "draft", "without the fast lane it waits")
        self.company.hub_auto_confirm = True
        order = self._typed()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.hub_stage_code, "preparing")

    def test_surge_mode_confirms_a_typed_order_when_saved(self):
        self.company.write({"hub_surge_threshold": 2, "hub_surge_window": 10})
        self._typed()
        self._typed()
        third = self._typed()  # the arrival of the third switches surge mode on
        self.assertTrue(self.company.hub_surge_active)
        self.assertEqual(third.state, "sale")

    def test_imported_order_passes_the_arrival_step_in_its_job(self):
        calls = []
        original = RulesSaleOrder._hub_process_arrival

        def spy(orders, confirm=None):
            calls.append((orders.ids, confirm.ids if confirm is not None else None))
            return original(orders, confirm=confirm)

        before = self.env["queue.job"].search([])
        records = self.store(canonical_order("FL-1"), canonical_order("FL-2", status="unpaid"))
        with patch.object(RulesSaleOrder, "_hub_process_arrival", spy):
            records._import_batch()
            self.assertFalse(calls, "nothing arrives before the import committed")
            self.run_channel_actions(before)
        paid, unpaid = self.sale_orders("FL-1"), self.sale_orders("FL-2")
        self.assertIn(([paid.id], [paid.id]), calls, "the platform's paid status asks for the confirmation")
        self.assertIn(([unpaid.id], []), calls, "an unpaid order arrives, and is not confirmed")
        self.assertEqual(paid.state, "sale")
        self.assertEqual(unpaid.state, "draft")

    def test_unpaid_imported_order_is_not_confirmed_even_in_surge_mode(self):
        self.company.hub_auto_confirm = True
        self.import_now(canonical_order("FL-3", status="unpaid"))
        self.assertEqual(self.sale_orders("FL-3").state, "draft")
