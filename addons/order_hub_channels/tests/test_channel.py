from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import ChannelsCommon


@tagged("post_install", "-at_install")
class TestChannel(ChannelsCommon):
    def test_each_channel_has_its_own_scheduled_pull(self):
        cron = self.channel.cron_id
        self.assertTrue(cron.active)
        self.assertEqual(cron.interval_number, 5)
        self.assertEqual(cron.interval_type, "minutes")
        self.assertIn(f"browse({self.channel.id})._cron_pull()", cron.code)
        self.channel.poll_interval = 15
        self.assertEqual(cron.interval_number, 15)
        self.channel.active = False
        self.assertFalse(cron.active)

    def test_default_base_url_is_the_official_endpoint(self):
        channel = self.env["order.hub.channel"].create(
            {"name": "Douyin", "code": "dy-official", "platform": "douyin"}
        )
        self.assertEqual(channel.api_base_url, "https://openapi-fxg.jinritemai.com")

    def test_pull_window_starts_before_the_watermark(self):
        mark = datetime(2026, 11, 20, 8, 0)
        self.channel.write({"watermark": mark, "overlap_minutes": 30})
        start, _end = self.channel._pull_window(now=datetime(2026, 11, 20, 9, 0))
        self.assertEqual(start, mark - timedelta(minutes=30))

    def test_hub_serial_format(self):
        order = self.env["sale.order"].create({"partner_id": self.user_cs.partner_id.id})
        today = datetime.now()
        self.assertRegex(order.hub_serial, rf"^D{today:%Y%m}-\d{{4}}$")
