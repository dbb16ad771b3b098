import ast

from odoo.tests import tagged

from odoo.addons.base_exception.exceptions import BaseExceptionError

from .rules_common import OrderRulesCommon

VALID_USCC = "91310110666007217T"
BAD_CHECK_USCC = "91350211M00013FA1N"


@tagged("post_install", "-at_install")
class TestInvoiceType(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["res.bank"].create({"name": "中国工商银行杭州分行"})
        cls.bank_account = cls.env["res.partner.bank"].create(
            {"partner_id": cls.customer.id, "acc_number": "1202020209900012345", "bank_id": cls.bank.id}
        )
        cls.rule = cls.env.ref("order_hub.exception_rule_special_invoice_incomplete")

    def _special_order(self, **values):
        order = self._order()
        order.write(
            {
                "hub_invoice_type": "special",
                "hub_invoice_title": "杭州恒驰汽配有限公司",
                "hub_invoice_tax_id": VALID_USCC,
                "hub_invoice_address": "杭州市余杭区文一西路 998 号",
                "hub_invoice_phone": "0571-88123456",
                "hub_invoice_bank_id": self.bank_account.id,
                **values,
            }
        )
        return order

    def _assert_blocked(self, order, expected_missing):
        try:
            order.action_confirm()
        except BaseExceptionError:
            pass
        else:
            self.fail("the confirmation should have been blocked")
        self.assertEqual(order.state, "draft")
        self.assertIn(self.rule, order.exception_ids)
        self.assertEqual(order._hub_special_invoice_missing(), expected_missing)
        self.assertIn(
            "Fill in before confirming: {}.".format(", ".join(expected_missing)), order.exceptions_summary
        )

    def test_complete_special_invoice_with_valid_uscc_confirms(self):
        order = self._special_order()
        self.assertFalse(order.hub_invoice_missing)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertNotIn(self.rule, order.exception_ids)

    def test_uscc_with_a_wrong_check_character_blocks(self):
        order = self._special_order(hub_invoice_tax_id=BAD_CHECK_USCC)
        self._assert_blocked(order, [f"a valid tax id (the check character of {BAD_CHECK_USCC} is wrong)"])

    def test_missing_bank_data_blocks_and_lists_exactly_the_bank_fields(self):
        order = self._special_order(hub_invoice_bank_id=False)
        self._assert_blocked(order, ["bank name", "bank account"])
        self.assertNotIn("tax id", order.exceptions_summary)

    def test_bank_account_without_bank_name_lists_the_bank_name_only(self):
        account = self.env["res.partner.bank"].create(
            {"partner_id": self.customer.id, "acc_number": "6222 0000 1111"}
        )
        order = self._special_order(hub_invoice_bank_id=account.id)
        self._assert_blocked(order, ["bank name"])

    def test_everything_missing_is_listed(self):
        order = self._special_order(
            hub_invoice_title=False,
            hub_invoice_tax_id=False,
            hub_invoice_address=False,
            hub_invoice_phone=False,
            hub_invoice_bank_id=False,
        )
        self._assert_blocked(
            order,
            ["company name", "tax id", "registered address", "registered phone", "bank name", "bank account"],
        )

    def test_fixing_the_data_unblocks_the_order(self):
        order = self._special_order(hub_invoice_tax_id=BAD_CHECK_USCC)
        self._assert_blocked(order, [f"a valid tax id (the check character of {BAD_CHECK_USCC} is wrong)"])
        order.hub_invoice_tax_id = "91310115591693856A"
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.exception_ids)

    def test_legacy_taxpayer_ids_pass_a_format_check(self):
        for legacy in ("330106143212345", "33010619800101123", "33010619800101123401"):
            with self.subTest(tax_id=legacy):
                order = self._special_order(hub_invoice_tax_id=legacy)
                self.assertFalse(order._hub_special_invoice_missing())
        for bad in ("3301061432123", "330106-ABC-1234567", "ABCDEF143212345"):
            with self.subTest(tax_id=bad):
                order = self._special_order(hub_invoice_tax_id=bad)
                self.assertEqual(len(order._hub_special_invoice_missing()), 1)
                self.assertIn("neither an 18-character", order._hub_special_invoice_missing()[0])

    def test_normal_and_no_invoice_need_no_buyer_data(self):
        for invoice_type in ("none", "normal"):
            with self.subTest(invoice_type=invoice_type):
                order = self._order()
                order.write({"hub_invoice_type": invoice_type, "hub_invoice_tax_id": False})
                order.action_confirm()
                self.assertEqual(order.state, "sale")

    def test_defaults_come_from_the_customer(self):
        self.customer.write({"hub_invoice_type": "special", "vat": VALID_USCC, "email": "cw@hengchi.example"})
        order = self._order()
        self.assertEqual(order.hub_invoice_type, "special")
        self.assertEqual(order.hub_invoice_title, "杭州恒驰汽配有限公司")
        self.assertEqual(order.hub_invoice_tax_id, VALID_USCC)
        self.assertEqual(order.hub_invoice_address, "杭州市 余杭区文一西路 998 号")
        self.assertEqual(order.hub_invoice_phone, "0571-88123456")
        self.assertEqual(order.hub_invoice_email, "cw@hengchi.example")
        self.assertEqual(order.hub_invoice_bank_id, self.bank_account)
        self.customer.hub_invoice_type = "none"
        self.assertEqual(self._order().hub_invoice_type, "none")

    def test_invoice_data_reaches_the_customer_invoice(self):
        order = self._special_order(hub_invoice_email="cw@hengchi.example")
        order.action_confirm()
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice,
            [
                {
                    "hub_invoice_type": "special",
                    "hub_invoice_title": "杭州恒驰汽配有限公司",
                    "hub_invoice_tax_id": VALID_USCC,
                    "hub_invoice_address": "杭州市余杭区文一西路 998 号",
                    "hub_invoice_phone": "0571-88123456",
                    "hub_invoice_email": "cw@hengchi.example",
                    "hub_invoice_bank_name": "中国工商银行杭州分行",
                    "hub_invoice_bank_account": "1202020209900012345",
                }
            ],
        )

    def test_channel_invoice_request_fills_the_order(self):
        order = self._order()
        order._hub_apply_invoice_request(
            {
                "invoice_type": "special",
                "title": "苏州恒锐机电有限公司",
                "tax_id": "91310115 591693856a",
                "address": "苏州市工业园区星湖街 328 号",
                "phone": "0512-62881234",
                "bank_name": "招商银行苏州分行",
                "bank_account": "5129 0345 6710 001",
                "email": "",
            }
        )
        self.assertEqual(order.hub_invoice_type, "special")
        self.assertEqual(order.hub_invoice_title, "苏州恒锐机电有限公司")
        self.assertEqual(order.hub_invoice_tax_id, "91310115591693856A")
        self.assertEqual(order.hub_invoice_address, "苏州市工业园区星湖街 328 号")
        self.assertEqual(order.hub_invoice_phone, "0512-62881234")
        self.assertEqual(order.hub_invoice_bank_id.partner_id, self.customer)
        self.assertEqual(order.hub_invoice_bank_id.bank_id.name, "招商银行苏州分行")
        self.assertEqual(order.hub_invoice_bank_id.acc_number, "5129 0345 6710 001")
        self.assertFalse(order._hub_special_invoice_missing())
        # the same request again reuses the bank account; empty values erase nothing
        order._hub_apply_invoice_request(
            {"invoice_type": "special", "bank_account": "512903456710001", "title": ""}
        )
        self.assertEqual(
            self.env["res.partner.bank"].search_count([("partner_id", "=", self.customer.id)]), 2
        )
        self.assertEqual(order.hub_invoice_title, "苏州恒锐机电有限公司")

    def test_channel_request_without_bank_still_blocks_with_the_right_message(self):
        order = self._order()
        order._hub_apply_invoice_request(
            {
                "invoice_type": "special",
                "title": "苏州恒锐机电有限公司",
                "tax_id": VALID_USCC,
                "address": "苏州市",
                "phone": "1",
            }
        )
        order.hub_invoice_bank_id = False
        self._assert_blocked(order, ["bank name", "bank account"])

    def test_manager_list_shows_confirmed_orders_waiting_for_a_special_invoice(self):
        waiting = self._special_order()
        waiting.action_confirm()
        normal = self._order()
        normal.hub_invoice_type = "normal"
        normal.action_confirm()
        invoiced = self._special_order()
        invoiced.action_confirm()
        invoiced._create_invoices()
        action = self.env.ref("order_hub.sale_order_action_special_invoice")
        listed = self.env["sale.order"].with_user(self.user_manager).search(ast.literal_eval(action.domain))
        self.assertIn(waiting, listed)
        self.assertNotIn(normal, listed)
        self.assertNotIn(invoiced, listed)

    def test_changes_of_invoice_data_are_audited(self):
        order = self._special_order(hub_invoice_tax_id=BAD_CHECK_USCC)
        order.write({"hub_invoice_tax_id": VALID_USCC, "hub_invoice_type": "normal"})
        lines = self.env["order.hub.audit.log"].search([("order_id", "=", order.id)])
        tax_line = lines.filtered(lambda line: line.field_name == "hub_invoice_tax_id")
        self.assertEqual(tax_line.mapped("new_value")[:1], [VALID_USCC])
        self.assertEqual(tax_line.mapped("old_value")[:1], [BAD_CHECK_USCC])
        type_line = lines.filtered(lambda line: line.field_name == "hub_invoice_type")[:1]
        self.assertEqual(
            (type_line.old_value, type_line.new_value), ("Special VAT Invoice", "Normal VAT Invoice")
        )
        self.assertEqual(type_line.field_description, "Invoice Type")
