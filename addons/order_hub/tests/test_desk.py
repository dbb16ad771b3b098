from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .lifecycle_common import LifecycleCommon

DESK_ACTION = "order_hub.sale_order_action_customer_service"


@tagged("post_install", "-at_install")
class TestDesk(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag_overdue = cls.env.ref("order_hub.crm_tag_overdue_response")
        cls.tag_address = cls.env.ref("order_hub.crm_tag_address_anomaly")
        cls.tag_gift = cls.env.ref("order_hub.crm_tag_gift_not_shipped")
        cls.salesman = cls.env["res.users"].create(
            {
                "name": "Plain Salesman",
                "login": "test_desk_plain_salesman",
                "groups_id": [Command.set([cls.env.ref("sales_team.group_sale_salesman_all_leads").id])],
            }
        )

    def _desk(self, user=None, orders=None):
        """The desk as ``user`` sees it: the action's domain, the list's order."""
        action = self.env.ref(DESK_ACTION)
        Order = self.env["sale.order"].with_user(user or self.user_cs)
        arch = Order.get_views([(action.view_ids.sorted("sequence")[0].view_id.id, "list")])
        order_by = etree.fromstring(arch["views"]["list"]["arch"]).get("default_order")
        domain = safe_eval(action.domain)
        if orders is not None:
            domain.append(("id", "in", orders.ids))
        return Order.search(domain, order=order_by)

    def _late_gift(self, order):
        return self.env["order.hub.gift"].create(
            {
                "order_id": order.id,
                "product_id": self.service.id,
                "promised_date": fields.Date.subtract(fields.Date.context_today(order), days=2),
            }
        )

    def _bad_address(self, order):
        order.partner_shipping_id = self.customer.copy({"hub_address_issue": "Province not found"})

    def _overdue(self, order, hours=1):
        now = fields.Datetime.now()
        order.write(
            {"hub_sla_risk_at": now - timedelta(hours=hours), "hub_sla_deadline": now + timedelta(hours=2)}
        )

    def test_agent_sees_only_actionable_orders_ranked_by_tier(self):
        plain = self._order(hub_source="phone")
        gift = self._order(hub_source="phone")
        self._late_gift(gift)
        address = self._order(hub_source="phone")
        self._bad_address(address)
        overdue_later = self._order(hub_source="phone")
        self._overdue(overdue_later)
        overdue_sooner = self._order(hub_source="phone")
        self._overdue(overdue_sooner)
        overdue_sooner.hub_sla_deadline = fields.Datetime.now() + timedelta(minutes=30)
        done = self._order(hub_source="phone")
        self._bad_address(done)
        done._hub_move_to("done")
        cancelled = self._order(hub_source="phone")
        self._overdue(cancelled)
        cancelled.action_cancel()
        outside = self._order(hub_in_scope=False)
        self._bad_address(outside)
        orders = plain | gift | address | overdue_later | overdue_sooner | done | cancelled | outside
        self.assertEqual(
            list(self._desk(orders=orders)),
            [overdue_sooner, overdue_later, address, gift, plain],
            "overdue first (sooner deadline first), then address, then gift; no closed or outside order",
        )
        self.assertFalse(done.hub_desk_tag_ids, "a done order needs nobody")
        self.assertEqual(overdue_later.hub_desk_tier, 3)
        self.assertEqual(address.hub_desk_tier, 2)
        self.assertEqual(gift.hub_desk_tier, 1)
        self.assertEqual(plain.hub_desk_tier, 0)

    def test_an_order_in_the_warehouses_hands_is_on_the_desk_only_while_it_needs_an_agent(self):
        order = self._order(hub_source="phone")
        self.assertIn(order, self._desk(orders=order), "an order to confirm waits for customer service")
        order._hub_move_to("preparing")
        self.assertFalse(order.hub_desk_needed)
        self.assertFalse(self._desk(orders=order), "preparing on time: the warehouse's work, not the agent's")
        # an open ticket calls for an agent, whatever the stage
        ticket = order._hub_open_ticket("logistics_stalled")
        self.assertIn(order, self._desk(orders=order))
        ticket.action_cancel()
        if order.hub_stage_id.code == "preparing":
            self.assertFalse(self._desk(orders=order), "the ticket closed, nothing calls for an agent")
        # a late clock does too
        order._hub_move_to("preparing")
        self._overdue(order)
        self.assertEqual(self._desk(orders=order), order)
        self.assertEqual(order.hub_desk_tier, 3)
        # a stage where customer service acts, set by a manager, brings its orders
        order.write({"hub_sla_risk_at": False, "hub_sla_deadline": False})
        self.assertFalse(self._desk(orders=order))
        order.hub_stage_id.desk_attention = True
        self.assertEqual(self._desk(orders=order), order)

    def test_tags_disappear_when_their_cause_is_fixed(self):
        order = self._order(hub_source="phone")
        self.assertFalse(order.hub_desk_tag_ids)
        # address: editing the delivery address clears it
        self._bad_address(order)
        self.assertEqual(order.hub_desk_tag_ids, self.tag_address)
        order.partner_shipping_id.write({"street": "99 Huaihai Road"})
        self.assertFalse(order.hub_desk_tag_ids)
        # an open address ticket; cancelled, it goes
        ticket = order._hub_open_ticket("address_problem")
        self.assertEqual(order.hub_desk_tag_ids, self.tag_address)
        ticket.action_cancel()
        self.assertFalse(order.hub_desk_tag_ids)
        # gift: shipping it clears it
        gift = self._late_gift(order)
        self.assertEqual(order.hub_desk_tag_ids, self.tag_gift)
        gift.write({"state": "shipped", "tracking_number": "SF100"})
        self.assertFalse(order.hub_desk_tag_ids)
        # overdue: a new stage restarts the clock
        self._overdue(order)
        self.assertEqual(order.hub_desk_tag_ids, self.tag_overdue)
        self.assertEqual(order.hub_cs_priority, 4)
        order.action_confirm()
        self.assertNotEqual(order.hub_stage_code, "to_confirm")
        self.assertFalse(order.hub_desk_overdue, order.hub_sla_risk_at)
        self.assertNotIn(self.tag_overdue, order.hub_desk_tag_ids)
        self.assertFalse(order.tag_ids & (self.tag_overdue | self.tag_address | self.tag_gift))

    def test_the_clock_puts_an_order_on_top_by_the_escalation_cron(self):
        start = self._utc(2026, 3, 10, 9, 0)  # a Tuesday, working hours
        with freeze_time(start):
            order = self._order(hub_source="phone")
            gift = self._late_gift(order)
            gift.promised_date = fields.Date.to_date("2026-03-11")
            self.env.flush_all()
            self.assertFalse(order.hub_desk_overdue)
            self.assertFalse(order.hub_desk_gift)
            risk_at = order.hub_sla_risk_at
        self.assertTrue(risk_at)
        with freeze_time(risk_at + timedelta(minutes=1)):
            self.env["sale.order"]._cron_hub_escalate()
        self.assertTrue(order.hub_desk_overdue)
        self.assertIn(self.tag_overdue, order.hub_desk_tag_ids)
        with freeze_time(self._utc(2026, 3, 12, 10, 0)):
            self.env["sale.order"]._cron_hub_escalate()
        self.assertTrue(order.hub_desk_gift)
        self.assertIn(self.tag_gift, order.hub_desk_tag_ids)

    def test_filters_mine_my_team_all(self):
        team = self.env["crm.team"].create(
            {"name": "Desk Team", "member_ids": [Command.link(self.user_cs.id)]}
        )
        other = self._create_hub_user("customer_service", login="test_desk_other_cs", name="Other CS")
        mine = self._order(hub_source="phone", user_id=self.user_cs.id, team_id=team.id)
        teammate = self._order(hub_source="phone", user_id=other.id, team_id=team.id)
        elsewhere = self._order(hub_source="phone", user_id=other.id, team_id=False)
        orders = mine | teammate | elsewhere
        Order = self.env["sale.order"].with_user(self.user_cs)
        arch = Order.get_views([(False, "search")])["views"]["search"]["arch"]
        search = etree.fromstring(arch)
        found = {}
        for name in ("hub_desk_mine", "hub_desk_my_team", "hub_desk_all"):
            node = search.xpath(f"//filter[@name='{name}']")
            self.assertTrue(node, name)
            domain = safe_eval(node[0].get("domain"), {"uid": self.user_cs.id})
            found[name] = Order.search([*domain, ("id", "in", orders.ids)])
        self.assertEqual(found["hub_desk_mine"], mine)
        self.assertEqual(found["hub_desk_my_team"], mine | teammate)
        self.assertEqual(found["hub_desk_all"], orders)

    def test_desk_cards_show_serial_channel_customer_stage_tags_tickets(self):
        action = self.env.ref(DESK_ACTION)
        kanban = action.view_ids.filtered(lambda v: v.view_mode == "kanban").view_id
        self.assertEqual(kanban, self.env.ref("order_hub.sale_order_view_kanban_desk"))
        arch = self.env["sale.order"].with_user(self.user_cs).get_views([(kanban.id, "kanban")])
        card = etree.fromstring(arch["views"]["kanban"]["arch"])
        for name in ("name", "partner_id", "hub_stage_id", "hub_desk_tag_ids", "hub_open_ticket_count"):
            self.assertTrue(card.xpath(f"//field[@name='{name}']"), name)
        self.assertTrue(card.xpath("//span[hasclass('o_order_hub_desk_channel')]"))
        self.assertEqual(card.get("highlight_color"), "hub_sla_color")
        self.assertTrue(card.get("default_order").startswith("hub_desk_tier desc, hub_sla_deadline"))

    def test_order_shows_the_customers_orders_tickets_messages_and_phone(self):
        first = self._order(hub_source="phone")
        second = self._order(hub_source="phone")
        stranger = self.customer.copy({"name": "Someone Else"})
        foreign = self._order(hub_source="phone", partner_id=stranger.id)
        ticket = first._hub_open_ticket("address_problem")
        first.message_post(body="Customer called about the brake pads", message_type="comment")
        foreign.message_post(body="Not this customer", message_type="comment")
        second = second.with_user(self.user_cs)
        self.assertEqual(second.hub_customer_order_ids, first)
        self.assertEqual(second.hub_customer_order_count, 1)
        self.assertEqual(second.hub_customer_ticket_ids, ticket)
        bodies = " ".join(second.hub_customer_message_ids.mapped("body"))
        self.assertIn("brake pads", bodies)
        self.assertNotIn("Not this customer", bodies)
        self.assertEqual(second.hub_desk_phone, "+86 138 0000 0000")
        action = second.action_view_hub_customer_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), first)
        form = etree.fromstring(second.get_views([(False, "form")])["views"]["form"]["arch"])
        phone = form.xpath("//field[@name='hub_desk_phone']")
        self.assertEqual(phone[0].get("widget"), "phone", "a tel: link")
        self.assertTrue(form.xpath("//page[@name='hub_customer']"))
        self.assertTrue(form.xpath("//button[@name='action_view_hub_customer_tickets']"))

    def test_access_per_role(self):
        order = self._order(hub_source="phone")
        menu = self.env.ref("order_hub.order_hub_menu_customer_service")
        self.assertEqual(self.env.ref("order_hub.sale_order_menu_customer_service").parent_id, menu)
        self.assertEqual(self.env.ref("order_hub.order_hub_refund_menu").parent_id, menu)
        self.assertEqual(
            self.env.ref("order_hub.order_hub_refund_action").groups_id,
            self.env.ref("order_hub.group_order_hub_customer_service"),
        )
        new_fields = (
            "hub_customer_order_ids",
            "hub_customer_ticket_ids",
            "hub_customer_message_ids",
            "hub_desk_phone",
        )
        for user, sees in (
            (self.user_cs, True),
            (self.user_manager, True),
            (self.user_warehouse, False),
            (self.salesman, False),
        ):
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertEqual(menu.id in visible, sees, user.name)
            fields_get = self.env["sale.order"].with_user(user).fields_get()
            for name in new_fields:
                self.assertEqual(name in fields_get, sees, f"{user.name} {name}")
            if not sees:
                with self.assertRaises(AccessError):
                    order.with_user(user).read(["hub_customer_order_ids"])
        # a plain salesman sees no desk button on the order form
        form = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in ("action_view_hub_customer_orders", "action_hub_desk_refund"):
            self.assertFalse(form.xpath(f"//button[@name='{name}']"), name)
        # nor the desk's filters in Sales
        search = self.env["sale.order"].with_user(self.salesman).get_views([(False, "search")])
        self.assertFalse(
            etree.fromstring(search["views"]["search"]["arch"]).xpath(
                "//filter[starts-with(@name, 'hub_desk')]"
            )
        )
        self.assertFalse(form.xpath("//page[@name='hub_customer']"))
