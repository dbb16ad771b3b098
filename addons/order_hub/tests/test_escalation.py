import importlib.util
import time
from pathlib import Path

from freezegun import freeze_time

from odoo.tests import tagged

from .lifecycle_common import LifecycleCommon

SANDBOX = Path(__file__).resolve().parents[3] / "tests" / "sandbox" / "wecom_robot_sandbox.py"


def load_sandbox():
    spec = importlib.util.spec_from_file_location("order_hub_wecom_robot_sandbox", SANDBOX)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WecomRobotSandbox


@tagged("post_install", "-at_install")
class TestEscalation(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purchasing_manager = cls._create_hub_user(
            "warehouse", login="test_hub_purchasing", name="Purchasing"
        )
        cls.preparing = cls._stage("preparing")
        cls.preparing.write(
            {
                "alert_user_ids": [(6, 0, [cls.user_warehouse.id, cls.user_manager.id])],
                "ticket_user_id": cls.purchasing_manager.id,
            }
        )
        # 2026-03-10 09:00 Shanghai: at risk 10:36, breached 11:00, ticket 13:00
        cls.start = cls._utc(2026, 3, 10, 9, 0)

    def _preparing_order(self):
        with freeze_time(self.start):
            # in scope by its source: the tests change its salesperson and team
            order = self._order(hub_source="other")
            order._hub_move_to("preparing")
        return order

    def _escalate_at(self, *local):
        with freeze_time(self._utc(*local)):
            self.env["sale.order"]._cron_hub_escalate()

    def _activities(self, order):
        return order.activity_ids.sorted("id")

    def test_cron_runs_every_five_minutes(self):
        cron = self.env.ref("order_hub.ir_cron_order_hub_escalate")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (5, "minutes"))

    def test_at_risk_shows_on_the_desk_without_activity(self):
        order = self._preparing_order()
        at_risk = self.env.ref("order_hub.crm_tag_sla_at_risk")
        self._escalate_at(2026, 3, 10, 10, 30)
        self.assertEqual(order.hub_escalation_level, "none")
        self.assertNotIn(at_risk, order.tag_ids)
        self._escalate_at(2026, 3, 10, 10, 40)
        self.assertEqual(order.hub_escalation_level, "at_risk")
        self.assertFalse(order.activity_ids, "an order at risk is shown, not a to-do")
        self.assertIn(at_risk, order.tag_ids)
        with freeze_time(self._utc(2026, 3, 10, 10, 40)):
            self.assertEqual(order.hub_sla_status, "at_risk")
            desk = self.env["sale.order"].search(
                [("hub_sla_status", "=", "at_risk")], order="hub_cs_priority desc, hub_sla_deadline"
            )
        self.assertIn(order, desk)

    def test_breach_creates_one_activity_for_the_salesperson(self):
        order = self._preparing_order()
        order.user_id = self.user_cs
        self._escalate_at(2026, 3, 10, 10, 40)
        self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(order.hub_escalation_level, "breached")
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_cs)
        self.assertEqual(activity.activity_type_id, self.env.ref("order_hub.mail_activity_type_sla_breach"))
        self.assertIn("breached", activity.summary)
        self.assertNotIn(self.env.ref("order_hub.crm_tag_sla_at_risk"), order.tag_ids)
        self._escalate_at(2026, 3, 10, 11, 30)
        self._escalate_at(2026, 3, 10, 13, 5)
        self.assertEqual(len(order.activity_ids), 1, "no second activity for the same breach")

    def test_breach_without_salesperson_goes_to_the_team_leader(self):
        team = self.env["crm.team"].create({"name": "Hub Team", "user_id": self.user_manager.id})
        order = self._preparing_order()
        order.write({"user_id": False, "team_id": team.id})
        self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(order.activity_ids.user_id, self.user_manager)

    def test_breach_without_salesperson_or_team_goes_to_the_stage_recipient(self):
        order = self._preparing_order()
        order.write({"user_id": False, "team_id": False})
        self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(len(order.activity_ids), 1)
        self.assertIn(order.activity_ids.user_id, self.user_warehouse | self.user_manager)

    def test_one_open_breach_activity_per_order_across_stages(self):
        order = self._preparing_order()
        order.user_id = self.user_cs
        self._escalate_at(2026, 3, 10, 11, 5)
        with freeze_time(self._utc(2026, 3, 10, 11, 10)):
            order._hub_move_to("exception")
        self._escalate_at(2026, 3, 11, 18, 0)
        self.assertEqual(len(order.activity_ids), 1)

    def _open_breach_activities(self, order):
        breach = self.env.ref("order_hub.mail_activity_type_sla_breach")
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("activity_type_id", "=", breach.id),
            ]
        )

    def _breached_order(self):
        order = self._preparing_order()
        order.user_id = self.user_cs
        self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(len(self._open_breach_activities(order)), 1)
        return order

    def test_moving_on_closes_the_breach_activity(self):
        order = self._breached_order()
        with freeze_time(self._utc(2026, 3, 10, 11, 10)):
            order.with_user(self.user_manager)._hub_move_to("exception")
        self.assertFalse(self._open_breach_activities(order), "no stale breach to-do")
        self.assertFalse(order.activity_ids)
        done = order.message_ids.filtered(lambda m: "moved on to" in (m.body or ""))
        self.assertEqual(len(done), 1, "the activity is marked done with a note")
        self.assertIn(self._stage("exception").name, done.body)

    def test_cancelling_closes_the_breach_activity(self):
        order = self._breached_order()
        with freeze_time(self._utc(2026, 3, 10, 11, 10)):
            order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.hub_stage_id.code, "cancelled")
        self.assertFalse(self._open_breach_activities(order))

    def test_breach_beyond_second_threshold_opens_exactly_one_ticket(self):
        order = self._preparing_order()
        self._escalate_at(2026, 3, 10, 12, 55)
        self.assertFalse(order.hub_ticket_ids)
        self._escalate_at(2026, 3, 10, 13, 0)
        self._escalate_at(2026, 3, 10, 13, 5)
        self._escalate_at(2026, 3, 10, 18, 0)
        ticket = order.hub_ticket_ids
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.type_id.code, "out_of_stock")
        self.assertEqual(ticket.user_id, self.purchasing_manager)
        self.assertEqual(ticket.stage_id, self.preparing)
        self.assertEqual(
            set(ticket.reason_option_ids.mapped("code")),
            {"out_of_stock", "qc_failed", "gift_not_arrived"},
        )
        self.assertEqual(order.hub_escalation_level, "ticket")
        # the assignee picks the actual reason among the options
        ticket.with_user(self.purchasing_manager).type_id = self.env.ref("order_hub.ticket_type_qc_failed")
        self._escalate_at(2026, 3, 10, 19, 0)
        self.assertEqual(len(order.hub_ticket_ids), 1)

    def test_night_does_not_escalate(self):
        with freeze_time(self._utc(2026, 3, 10, 21, 30)):
            order = self._order()
            order._hub_move_to("preparing")
        # 23:30 is 2 h later on the wall clock but only 0.5 working hours
        self._escalate_at(2026, 3, 10, 23, 30)
        self.assertEqual(order.hub_escalation_level, "none")
        # 0.5 h last night + 1.1 h from 07:00: at risk from 08:06
        self._escalate_at(2026, 3, 11, 8, 0)
        self.assertEqual(order.hub_escalation_level, "none")
        self._escalate_at(2026, 3, 11, 8, 10)
        self.assertEqual(order.hub_escalation_level, "at_risk")

    def test_stage_change_restarts_the_escalation(self):
        order = self._preparing_order()
        self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(order.hub_escalation_level, "breached")
        with freeze_time(self._utc(2026, 3, 10, 11, 10)):
            order._hub_on_shipped()
        self.assertEqual(order.hub_escalation_level, "none")

    def test_breach_of_to_confirm_tags_overdue_response(self):
        with freeze_time(self.start):
            order = self._order()
        self._escalate_at(2026, 3, 10, 9, 20)
        self.assertEqual(order.hub_escalation_level, "breached")
        self.assertIn(self.env.ref("order_hub.crm_tag_overdue_response"), order.hub_desk_tag_ids)
        # the desk's tag follows the fact: it is not typed onto the order's own tags
        self.assertNotIn(self.env.ref("order_hub.crm_tag_overdue_response"), order.tag_ids)
        self.assertEqual(order.hub_cs_priority, 4)

    def test_wecom_robot_gets_a_text_message(self):
        sandbox_class = load_sandbox()
        with sandbox_class(keys={"robot-key"}) as robot:
            self.env.company.order_hub_wecom_webhook_url = robot.url("robot-key")
            orders = self._preparing_order() | self._preparing_order()
            self._escalate_at(2026, 3, 10, 11, 5)
        self.assertEqual(len(robot.messages), 1, "alerts of one run are packed together")
        key, payload = robot.messages[0]
        self.assertEqual(key, "robot-key")
        self.assertEqual(payload["msgtype"], "text")
        for order in orders:
            self.assertIn(order.name, payload["text"]["content"])

    def test_wecom_robot_rate_is_respected_across_runs(self):
        sandbox_class = load_sandbox()
        params = self.env["ir.config_parameter"].sudo()
        with sandbox_class(keys={"robot-key"}) as robot:
            self.env.company.order_hub_wecom_webhook_url = robot.url("robot-key")
            company = self.env.company
            sale_order = self.env["sale.order"]
            now = time.time()
            # 19 messages already went out in the last minute
            params.set_param(f"order_hub.wecom_sent.{company.id}", " ".join([str(now - 10)] * 19))
            lines = [f"line {i} " + "x" * 300 for i in range(40)]
            self.assertEqual(sale_order._hub_post_wecom(company, lines), 1)
            self.assertEqual(sale_order._hub_post_wecom(company, lines), 0)
        self.assertEqual(len(robot.messages), 1)
        self.assertIn("... +", robot.messages[0][1]["text"]["content"])
        self.assertEqual(len(params.get_param(f"order_hub.wecom_sent.{company.id}").split()), 20)

    def test_wecom_robot_speaks_the_company_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["order_hub"], ["zh_CN"])
        self.env.company.partner_id.lang = "zh_CN"
        sandbox_class = load_sandbox()
        with sandbox_class(keys={"robot-key"}) as robot:
            self.env.company.order_hub_wecom_webhook_url = robot.url("robot-key")
            self._preparing_order()
            self._escalate_at(2026, 3, 10, 11, 5)
        content = robot.messages[0][1]["text"]["content"]
        self.assertTrue(content.startswith("订单中枢 SLA 告警"), content)
        self.assertIn("备货中", content)

    def test_no_robot_configured_sends_nothing(self):
        self.env.company.order_hub_wecom_webhook_url = False
        self.assertEqual(self.env["sale.order"]._hub_post_wecom(self.env.company, ["x"]), 0)
