from datetime import datetime, timedelta

from freezegun import freeze_time

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

    def test_hub_serial_restarts_every_month(self):
        partner = self.user_cs.partner_id.id
        sale = self.env["sale.order"].with_context(tz="Asia/Shanghai")
        with freeze_time("2031-03-31 12:00:00"):  # 20:00 in China
            march = sale.create([{"partner_id": partner} for _i in range(3)])
        self.assertEqual(march.mapped("hub_serial"), ["D203103-0001", "D203103-0002", "D203103-0003"])
        with freeze_time("2031-03-31 16:30:00"):  # 00:30 on 1 April in China: a new month
            april = sale.create({"partner_id": partner})
        self.assertEqual(april.hub_serial, "D203104-0001")
        with freeze_time("2031-04-15 08:00:00"):
            self.assertEqual(sale.create({"partner_id": partner}).hub_serial, "D203104-0002")
        # past 9,999 orders in a month the number grows to five digits
        sequence = self.env.ref("order_hub_channels.seq_order_hub_serial")
        april_range = sequence.date_range_ids.filtered(lambda r: r.date_from.month == 4)
        self.assertEqual(
            (april_range.date_from.isoformat(), april_range.date_to.isoformat()), ("2031-04-01", "2031-04-30")
        )
        april_range.number_next_actual = 9999
        with freeze_time("2031-04-20 08:00:00"):
            late = sale.create([{"partner_id": partner}, {"partner_id": partner}])
        self.assertEqual(late.mapped("hub_serial"), ["D203104-9999", "D203104-10000"])
