"""Imported addresses as records: the province a res.country.state, what
cannot be matched kept as text and flagged; earlier imports fixed by the
migration to 18.0.1.1.0."""

import importlib.util
from pathlib import Path

from odoo.tests import tagged

from .common import ChannelsCommon, canonical_order

HANGZHOU = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 100 号"}
MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "18.0.1.1.0" / "post-migrate.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("order_hub_channels_migrate_18_0_1_1_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestAddress(ChannelsCommon):
    @property
    def zhejiang(self):
        return self.env.ref("base.state_cn_ZJ")

    def test_hangzhou_order_gets_its_province_and_passes_the_coverage_gate_of_zhejiang(self):
        self.company.order_hub_covered_state_ids = self.zhejiang
        records = self.import_now(canonical_order("6001", receiver=HANGZHOU))
        self.assertEqual(records.state, "done", records.error)
        sale = self.sale_orders("6001")
        address = sale.partner_shipping_id
        self.assertEqual(address.state_id, self.zhejiang)
        self.assertEqual(address.country_id, self.env.ref("base.cn"))
        self.assertEqual(
            (address.city, address.street2, address.street), ("杭州市", "西湖区", "文三路 100 号")
        )
        self.assertEqual(sale.partner_id.state_id, self.zhejiang)
        self.assertFalse(sale.hub_address_to_check)
        self.assertFalse(sale._hub_gate_province_not_covered())
        self.assertEqual(sale.state, "sale")

    def test_hangzhou_order_is_blocked_when_only_jiangsu_is_covered(self):
        self.company.order_hub_covered_state_ids = self.env.ref("base.state_cn_JS")
        records = self.import_now(canonical_order("6002", receiver=HANGZHOU))
        sale = self.sale_orders("6002")
        self.assertTrue(sale._hub_gate_province_not_covered())
        self.assertEqual(sale.state, "draft", "the coverage gate keeps it as a quotation")
        self.assertIn(self.env.ref("order_hub.exception_rule_province_not_covered"), sale.exception_ids)
        self.assertIn("exception rules block its confirmation", records.error)

    def test_short_forms_and_pinyin_find_the_same_province(self):
        for index, province in enumerate(("浙江", "Zhejiang", "ZJ", "浙江省 ")):
            with self.subTest(province=province):
                ref = f"610{index}"
                self.import_now(canonical_order(ref, receiver={**HANGZHOU, "province": province}))
                self.assertEqual(self.sale_orders(ref).partner_shipping_id.state_id, self.zhejiang)
        inner = canonical_order("6110", receiver={**HANGZHOU, "province": "内蒙古", "city": "呼和浩特市"})
        self.import_now(inner)
        self.assertEqual(
            self.sale_orders("6110").partner_shipping_id.state_id, self.env.ref("base.state_cn_NM")
        )

    def test_unmatched_province_keeps_its_text_and_raises_the_address_flag(self):
        self.import_now(canonical_order("6003", receiver={**HANGZHOU, "province": "火星省"}))
        sale = self.sale_orders("6003")
        address = sale.partner_shipping_id
        self.assertFalse(address.state_id, "never a guess")
        self.assertEqual(address.street2, "火星省 西湖区")
        self.assertTrue(sale.hub_address_to_check)
        self.assertIn("火星省", sale.hub_address_issue)
        self.assertEqual(
            self.env["sale.order"].search([("hub_address_to_check", "=", True), ("id", "=", sale.id)]), sale
        )
        # customer service corrects the address: the flag clears
        address.write({"state_id": self.zhejiang.id, "street2": "西湖区"})
        self.assertFalse(sale.hub_address_to_check)
        self.assertFalse(sale.hub_address_issue)

    def test_order_without_province_is_flagged(self):
        self.import_now(canonical_order("6004", receiver={**HANGZHOU, "province": ""}))
        self.assertTrue(self.sale_orders("6004").hub_address_to_check)

    def test_same_address_again_reuses_the_delivery_address(self):
        self.import_now(canonical_order("6005", receiver=HANGZHOU))
        self.import_now(canonical_order("6006", receiver=HANGZHOU))
        first, second = self.sale_orders("6005"), self.sale_orders("6006")
        self.assertEqual(first.partner_id, second.partner_id)
        self.assertEqual(first.partner_shipping_id, second.partner_shipping_id)

    def test_migration_gives_earlier_imports_their_province(self):
        self.import_now(canonical_order("6007", receiver=HANGZHOU))
        self.import_now(canonical_order("6008", receiver={**HANGZHOU, "phone": "13900139000"}))
        sale, other = self.sale_orders("6007"), self.sale_orders("6008")
        # the address as the code before 18.0.1.1.0 wrote it: province, district and street in street2
        old = {"state_id": False, "street2": "浙江省 西湖区 文新街道", "street": "文三路 100 号"}
        sale.partner_shipping_id.write(old)
        other.partner_shipping_id.write({**old, "street2": "火星省 西湖区"})
        load_migration().migrate(self.env.cr, "18.0.1.0.0")
        address = sale.partner_shipping_id
        self.assertEqual(address.state_id, self.zhejiang)
        self.assertEqual((address.street2, address.street), ("西湖区", "文新街道 文三路 100 号"))
        self.assertFalse(sale.hub_address_to_check)
        self.assertFalse(other.partner_shipping_id.state_id)
        self.assertEqual(other.partner_shipping_id.street2, "火星省 西湖区")
        self.assertTrue(other.hub_address_to_check)
        self.assertIn("火星省", other.hub_address_issue)

    def test_payment_method_of_a_channel_order_reaches_the_health_rule(self):
        self.import_now(canonical_order("6009", receiver=HANGZHOU, payment_method="cod"))
        self.import_now(canonical_order("6010", receiver=HANGZHOU, payment_method="prepaid"))
        cod, prepaid = self.sale_orders("6009"), self.sale_orders("6010")
        self.assertEqual((cod.hub_payment_method, prepaid.hub_payment_method), ("cod", "prepaid"))
        rule = self.env.ref("order_hub.order_hub_health_rule_risky_payment")
        self.assertIn(rule.name, cod.hub_health_explanation)
        self.assertNotIn(rule.name, prepaid.hub_health_explanation)
