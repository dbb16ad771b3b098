from odoo.tests import new_test_user, tagged

from .common import CSRF_ANY, RIGHT_PHONE, PortalCommon


@tagged("post_install", "-at_install")
class TestTrackingPage(PortalCommon):
    def test_right_pair_shows_the_order_in_plain_words(self):
        response = self._lookup("D209901-0001", "5678")
        self.assertEqual(response.status_code, 200)
        self.assertIn("D209901-0001", response.text)
        self.assertIn("Wiper blade TRACK", response.text)
        phrase = self.order._hub_portal_phrase(self.order.hub_stage_code)
        self.assertIn(phrase, response.text)
        # never the other customer's order, never the full phone or address
        self.assertNotIn("D209901-0002", response.text)
        self.assertNotIn(RIGHT_PHONE, response.text)
        self.assertNotIn("文三路", response.text)
        attempt = self.env["order.hub.portal.attempt"].search([("serial_key", "=", "D209901-0001")])
        self.assertEqual(len(attempt), 1)
        self.assertTrue(attempt.success)
        self.assertEqual(attempt.order_id, self.order)

    def test_chinese_page_speaks_plain_chinese(self):
        self.order._hub_move_to("preparing")
        response = self._lookup(" d209901-0001 ", "5678", lang="zh_CN")
        self.assertEqual(response.status_code, 200)
        self.assertIn("仓库打包中", response.text)
        self.assertIn("查询", self.url_open("/order/track?lang=zh_CN").text)

    def test_wrong_phone_answers_exactly_like_an_unknown_serial(self):
        self._lookup("D209900-0000", "0000")  # warm the caches (templates, parameters)
        answers = []
        for serial, phone in (("D209901-0001", "0000"), ("D209999-9999", "5678"), ("D209901-0001", "")):
            data = {"csrf_token": self._csrf(), "serial": serial, "phone": phone, "lang": "en_US"}
            # the HTTP test server works on this test's cursor: count the queries of the look-up
            queries = self.cr.sql_log_count
            response = self.url_open("/order/track", data=data)
            queries = self.cr.sql_log_count - queries
            answers.append((response.status_code, CSRF_ANY.sub("TOKEN", response.text), queries))
        wrong_phone, unknown, no_phone = answers
        self.assertEqual(wrong_phone[0], 200)
        self.assertEqual(wrong_phone[:2], unknown[:2], "same status and body")
        self.assertEqual(wrong_phone[:2], no_phone[:2])
        self.assertNotIn("Wiper blade TRACK", wrong_phone[1])
        self.assertNotIn("o_hub_track_card", wrong_phone[1])
        # the same database work on both paths (wall-clock time on a shared CI
        # machine would only measure its load): nothing a script could time
        self.assertEqual(wrong_phone[2], unknown[2], "same number of queries")
        attempts = self.env["order.hub.portal.attempt"].search(
            [("order_id", "in", (self.order | self.other).ids)]
        )
        self.assertFalse(attempts, "no order was answered")

    def test_blocked_after_the_attempt_limit_per_serial(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("order_hub_portal.max_per_serial", "3")
        params.set_param("order_hub_portal.max_per_ip", "100")
        for _attempt in range(3):
            self.assertEqual(self._lookup("D209901-0001", "1111").status_code, 200)
        blocked = self._lookup("D209901-0001", "5678")
        self.assertEqual(blocked.status_code, 429)
        self.assertNotIn("Wiper blade TRACK", blocked.text)
        # the same answer for a serial that does not exist (nothing to learn from the block)
        for _attempt in range(3):
            self._lookup("D209999-0000", "1111")
        self.assertEqual(self._lookup("D209999-0000", "5678").status_code, 429)
        # another serial is not blocked by this one's failures
        self.assertEqual(self._lookup("D209901-0002", "9999").status_code, 200)
        self.assertIn("o_hub_track_card", self._lookup("D209901-0002", "9999").text)

    def test_blocked_after_the_attempt_limit_per_ip(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("order_hub_portal.max_per_serial", "100")
        params.set_param("order_hub_portal.max_per_ip", "3")
        for number in range(3):
            self._lookup(f"D209902-000{number}", "1111")
        blocked = self._lookup("D209901-0001", "5678")
        self.assertEqual(blocked.status_code, 429)
        self.assertNotIn("o_hub_track_card", blocked.text)

    def test_address_change_request_goes_to_the_desk_once(self):
        self._lookup("D209901-0001", "5678")
        response = self._request(self.order, "address", "浙江省杭州市西湖区 <b>新地址</b> 1 号")
        self.assertEqual(response.status_code, 200)
        ticket = self.order.hub_ticket_ids.filtered(lambda t: t.type_id.code == "portal_address_change")
        self.assertEqual(len(ticket), 1)
        self.assertTrue(ticket.hub_from_portal)
        self.assertIn("<b>新地址</b>", ticket.reason, "kept verbatim")
        self.assertIn(ticket.name, response.text)
        self.assertNotIn("<b>新地址</b>", response.text, "never rendered as HTML")
        # the address itself is not changed: the desk does it after a call
        self.assertNotIn("新地址", self.order.partner_shipping_id.street or "")
        self._request(self.order, "address", "again")
        self.assertEqual(
            len(self.order.hub_ticket_ids.filtered(lambda t: t.type_id.code == "portal_address_change")), 1
        )
        # an empty address is refused with a sentence
        self.order.hub_ticket_ids.sudo().write({"state": "cancelled"})
        refused = self._request(self.order, "address", "  ")
        self.assertIn("Please write the new address", refused.text)

    def test_gift_and_urgent_requests_only_when_they_apply(self):
        self._lookup("D209901-0001", "5678")
        self._request(self.order, "gift")
        self._request(self.order, "urgent")
        self.assertFalse(self.order.hub_ticket_ids, "no owed gift, not a VIP: nothing to ask")
        self.env["order.hub.gift"].create(
            {
                "order_id": self.order.id,
                "product_id": self.product.id,
                "quantity": 1,
                "promised_date": "2099-01-01",
            }
        )
        self.order.partner_id.hub_customer_tier = "vip"
        self._request(self.order, "gift")
        self._request(self.order, "urgent")
        codes = set(self.order.hub_ticket_ids.mapped("type_id.code"))
        self.assertEqual(codes, {"portal_gift_reship", "portal_urgent_upgrade"})

    def test_request_for_an_order_not_looked_up_is_refused(self):
        self._lookup("D209901-0001", "5678")
        response = self._request(self.other, "address", "somewhere")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.other.hub_ticket_ids)
        self.assertNotIn("D209901-0002", response.text)


@tagged("post_install", "-at_install")
class TestMyTracking(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = new_test_user(cls.env, login="hub_portal_customer", groups="base.group_portal")
        cls.customer.partner_id.write({"phone": "13700001234", "city": "杭州市"})
        cls.mine = cls._hub_order("", "", "D209901-0003", partner=cls.customer.partner_id)

    def test_portal_user_sees_only_their_own_orders(self):
        self.authenticate("hub_portal_customer", "hub_portal_customer")
        response = self.url_open("/my/tracking")
        self.assertEqual(response.status_code, 200)
        self.assertIn("D209901-0003", response.text)
        self.assertNotIn("D209901-0001", response.text)
        self.assertNotIn("D209901-0002", response.text)
        home = self.url_open("/my")
        self.assertIn("/my/tracking", home.text)
        # the order page (with the core's public tracking number) carries the same card
        page = self.url_open(f"/my/orders/{self.mine.id}")
        self.assertIn("o_hub_track_card", page.text)
        # another customer's order: refused, by page and by request
        self.assertNotIn("D209901-0002", self.url_open(f"/my/orders/{self.other.id}").text)
        self.assertEqual(self._request(self.other, "address", "x").status_code, 403)
        self.assertFalse(self.other.hub_ticket_ids)
        # their own: accepted without a look-up
        self.assertEqual(self._request(self.mine, "address", "浙江省杭州市").status_code, 200)
        self.assertTrue(self.mine.hub_ticket_ids.hub_from_portal)

    def test_public_cannot_open_the_logged_in_list(self):
        response = self.url_open("/my/tracking", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
