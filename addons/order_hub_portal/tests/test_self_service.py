from datetime import timedelta

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.order_hub.tests.common import OrderHubCommon

from .common import make_hub_order


@tagged("post_install", "-at_install")
class TestSelfServiceRate(OrderHubCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "Rate product", "type": "consu"})
        cls.order = make_hub_order(cls.env, product, "Rate Buyer", "13800001111", "D209903-0001")
        cls.order2 = make_hub_order(cls.env, product, "Rate Buyer 2", "13800002222", "D209903-0002")

    def test_rate_is_answers_over_answers_plus_request_tickets(self):
        attempts = self.env["order.hub.portal.attempt"]
        settings = self.env["order.hub.settings"].with_user(self.user_manager).create({})
        base_answered = settings.portal_answered_count
        base_tickets = settings.portal_ticket_count
        # the same order looked up three times today counts once; failures never
        attempts._record("10.0.0.1", "D209903-0001", self.order)
        attempts._record("10.0.0.2", "D209903-0001", self.order)
        attempts._record("10.0.0.2", "D209903-0002", self.order2)
        attempts._record("10.0.0.3", "D209903-0009")
        with freeze_time(fields.Datetime.now() - timedelta(days=40)):
            attempts._record("10.0.0.1", "D209903-0001", self.order)  # outside the 30 days
        self.order._hub_open_ticket("address_problem")  # a customer request (phone)
        self.order._hub_open_ticket("system_timeout")  # not a customer request
        settings = self.env["order.hub.settings"].with_user(self.user_manager).create({})
        answered = base_answered + 2
        tickets = base_tickets + 1
        self.assertEqual(settings.portal_answered_count, answered)
        self.assertEqual(settings.portal_ticket_count, tickets)
        self.assertAlmostEqual(settings.portal_self_service_rate, answered / (answered + tickets))

    def test_limits_are_saved_by_managers_only(self):
        settings = self.env["order.hub.settings"].with_user(self.user_manager).create({})
        settings.portal_max_per_serial = 7
        settings.action_save()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("order_hub_portal.max_per_serial"), "7")
        with self.assertRaises(AccessError):
            self.env["order.hub.settings"].with_user(self.user_cs).create({}).action_save()


@tagged("post_install", "-at_install")
class TestDashboardSelfService(OrderHubCommon):
    """The manager dashboard's self-service rate, measured by the tracking page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "Dashboard rate product", "type": "consu"})
        cls.order = make_hub_order(cls.env, product, "Rate Buyer 3", "13800003333", "D209904-0001")
        cls.order2 = make_hub_order(cls.env, product, "Rate Buyer 4", "13800004444", "D209904-0002")
        cls.order3 = make_hub_order(cls.env, product, "Rate Buyer 5", "13800005555", "D209904-0003")

    def _kpi(self, user, period="30d"):
        env = self.env(user=user, context={"allowed_company_ids": [self.env.company.id]})
        data = env["order.hub.dashboard"].get_dashboard_data(period)
        return data, {kpi["key"]: kpi for kpi in data["kpis"]}["self_service"]

    def test_dashboard_rate_equals_the_direct_count(self):
        attempts = self.env["order.hub.portal.attempt"]
        # 04:00 UTC is the same day in UTC and in China
        day = (fields.Datetime.now() - timedelta(days=3)).replace(hour=4, minute=0, second=0)
        with freeze_time(day):
            attempts._record("10.0.1.1", "D209904-0001", self.order)
            attempts._record("10.0.1.2", "D209904-0001", self.order)  # same order, same day: once
            attempts._record("10.0.1.2", "D209904-0002", self.order2)
            attempts._record("10.0.1.3", "D209904-0009")  # a failure: never
        with freeze_time(day + timedelta(days=1)):
            attempts._record("10.0.1.1", "D209904-0001", self.order)  # another day: again
        with freeze_time(fields.Datetime.now() - timedelta(days=40)):
            attempts._record("10.0.1.1", "D209904-0003", self.order3)  # before the period
        self.order3._hub_open_ticket("address_problem")  # a customer request by phone
        self.order2._hub_open_ticket("system_timeout")  # not a customer request

        data, kpi = self._kpi(self.user_manager)
        since = fields.Datetime.from_string(data["date_from"])
        company = self.env.company
        answered = attempts.search(
            [("success", "=", True), ("attempted_at", ">=", since), ("order_id.company_id", "=", company.id)]
        )
        tz = pytz.timezone(self.env.context.get("tz") or "UTC")
        answered_count = len(
            {(a.order_id.id, pytz.utc.localize(a.attempted_at).astimezone(tz).date()) for a in answered}
        )
        tickets = self.env["order.hub.ticket"].search(
            [
                ("create_date", ">=", since),
                ("company_id", "=", company.id),
                ("type_id.hub_customer_request", "=", True),
            ]
        )
        self.assertTrue(kpi["measured"])
        self.assertGreaterEqual(answered_count, 3)
        self.assertIn(self.order3, tickets.order_id)
        self.assertEqual(kpi["numerator"], answered_count)
        self.assertEqual(kpi["denominator"], answered_count + len(tickets))
        self.assertEqual(kpi["percent"], round(100.0 * answered_count / (answered_count + len(tickets)), 1))
        # its link opens the orders behind it: answered on the page, or with a customer request
        behind = self.env["sale.order"].with_user(self.user_manager).search(kpi["domain"])
        self.assertEqual(behind, answered.order_id | tickets.order_id)
        self.assertIn(self.order3, behind)
        self.assertNotIn(self.order3, answered.order_id, "looked up before the period only")
        # the same figure as on the settings screen for the same 30 days
        settings = self.env["order.hub.settings"].with_user(self.user_manager).create({})
        self.assertEqual(settings.portal_answered_count, kpi["numerator"])
        self.assertEqual(settings.portal_ticket_count, kpi["denominator"] - kpi["numerator"])

    def test_only_managers_read_the_look_ups_behind_it(self):
        self._kpi(self.user_manager)
        for user in (self.user_cs, self.user_warehouse):
            with self.assertRaises(AccessError):
                self._kpi(user)
            orders = self.env["sale.order"].with_user(user)
            self.assertNotIn("hub_portal_attempt_ids", orders.fields_get())
            with self.assertRaises(AccessError):
                orders.browse(self.order.id).read(["hub_portal_attempt_ids"])
