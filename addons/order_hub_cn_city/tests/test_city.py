"""Imported Chinese addresses get their city record (l10n_cn_city)."""

from odoo.tests import tagged

from odoo.addons.order_hub_channels.tests.common import ChannelsCommon, canonical_order

HANGZHOU = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 100 号"}


@tagged("post_install", "-at_install")
class TestCity(ChannelsCommon):
    def test_imported_hangzhou_order_gets_its_state_and_city_records(self):
        records = self.import_now(canonical_order("7001", receiver=HANGZHOU))
        self.assertEqual(records.state, "done", records.error)
        sale = self.sale_orders("7001")
        address = sale.partner_shipping_id
        self.assertEqual(address.state_id, self.env.ref("base.state_cn_ZJ"))
        self.assertEqual(address.city_id, self.env.ref("l10n_cn_city.china_city_310000_1761"))
        self.assertEqual(address.city_id.name, "杭州市西湖区")
        self.assertEqual(address.city_id.state_id, address.state_id)
        self.assertFalse(sale.hub_address_to_check)

    def test_municipality_district_is_the_city(self):
        beijing = {"province": "北京", "city": "北京市", "district": "朝阳区", "detail": "建国路 8 号"}
        self.import_now(canonical_order("7002", receiver=beijing))
        address = self.sale_orders("7002").partner_shipping_id
        self.assertEqual(address.state_id, self.env.ref("base.state_cn_BJ"))
        self.assertEqual(address.city_id.name, "朝阳区")

    def test_city_of_another_province_is_an_address_to_check(self):
        self.import_now(canonical_order("7003", receiver={**HANGZHOU, "province": "江苏省"}))
        sale = self.sale_orders("7003")
        self.assertFalse(sale.partner_shipping_id.city_id, "never a guess")
        self.assertTrue(sale.hub_address_to_check)
        self.assertIn("浙江省", sale.hub_address_issue)

    def test_unknown_district_keeps_its_text_without_a_flag(self):
        # the city data predates some district reforms (临平区, 2021)
        self.import_now(canonical_order("7004", receiver={**HANGZHOU, "district": "临平区"}))
        sale = self.sale_orders("7004")
        self.assertFalse(sale.partner_shipping_id.city_id)
        self.assertEqual(sale.partner_shipping_id.street2, "临平区")
        self.assertFalse(sale.hub_address_to_check)
