from datetime import timedelta

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
