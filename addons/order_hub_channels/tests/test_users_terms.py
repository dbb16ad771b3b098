from lxml import etree

from odoo.tests import tagged

from .common import ChannelsCommon, canonical_order


@tagged("post_install", "-at_install")
class TestUsersTerms(ChannelsCommon):
    """Imported orders belong to the channel's people and read in the
    users' terms (platform status with its meaning, serial, platform id)."""

    def test_imported_order_never_belongs_to_the_importing_user(self):
        self.import_now(canonical_order("U-1"))
        sale = self.sale_orders("U-1")
        self.assertNotEqual(sale.user_id, self.env.user, "not the job's user (OdooBot)")
        self.assertFalse(sale.user_id)

    def test_imported_order_gets_the_channel_responsible(self):
        self.channel.user_id = self.user_cs
        self.import_now(canonical_order("U-2"))
        self.assertEqual(self.sale_orders("U-2").user_id, self.user_cs)

    def test_imported_order_falls_back_to_the_team_leader(self):
        team = self.env["crm.team"].create({"name": "Online", "user_id": self.user_manager.id})
        self.channel.team_id = team
        self.import_now(canonical_order("U-3"))
        sale = self.sale_orders("U-3")
        self.assertEqual(sale.user_id, self.user_manager)
        self.assertEqual(sale.team_id, team)

    def test_platform_status_shows_its_meaning(self):
        wechat = self.env["order.hub.channel"].create(
            {"name": "Test WeChat", "code": "test-wechat", "platform": "wechat_shop"}
        )
        self.import_now(canonical_order("U-4", platform="wechat_shop", platform_status="20"), channel=wechat)
        sale = self.sale_orders("U-4", channel=wechat)
        self.assertEqual(sale.platform_status, "20")
        self.assertEqual(sale.with_context(lang="en_US").platform_status_label, "20 · To ship")
        if self.env["res.lang"]._lang_get("zh_CN").active:
            self.assertEqual(sale.with_context(lang="zh_CN").platform_status_label, "20 · 待发货")
        sale.platform_status = "unknown-code"
        self.assertEqual(sale.platform_status_label, "unknown-code")

    def test_workbench_lists_name_channel_serial_and_platform_id(self):
        for xmlid in ("sale_order_view_list_customer_service", "sale_order_view_list_manager"):
            view = self.env.ref(f"order_hub.{xmlid}")
            arch = self.env["sale.order"].with_user(self.user_manager).get_views([(view.id, "list")])
            names = etree.fromstring(arch["views"]["list"]["arch"]).xpath("//field/@name")
            for field in ("hub_serial", "channel_id", "channel_order_ref", "platform_status_label"):
                self.assertIn(field, names, f"{xmlid}: {field}")
