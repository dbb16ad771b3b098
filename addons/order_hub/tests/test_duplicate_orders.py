from datetime import datetime

from odoo.tests import tagged

from .rules_common import OrderRulesCommon


@tagged("post_install", "-at_install")
class TestDuplicateOrders(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_product = cls.env["product.product"].create({"name": "Wiper blades", "type": "consu"})
        # the same buyer, as two channels deliver her: different contacts, phone formats
        cls.buyer_douyin = cls._buyer("+86 138-0013-8000")
        cls.buyer_jd = cls._buyer("13800138000")

    @classmethod
    def _buyer(cls, mobile):
        return cls.env["res.partner"].create(
            {
                "name": "张三",
                "street": "余杭区文一西路 998 号",
                "city": "杭州市",
                "country_id": cls.env.ref("base.cn").id,
                "mobile": mobile,
            }
        )

    def _channel_order(self, buyer, source, when, products=None):
        return self._order(buyer, products=products, hub_source=source, date_order=when)

    def test_cross_channel_order_within_24_hours_is_flagged_and_held(self):
        first = self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 20, 3, 0))
        self.assertEqual(first.hub_phone_normalised, "13800138000")
        first._hub_process_arrival()
        self.assertFalse(first.hub_is_suspected_duplicate)
        second = self._channel_order(
            self.buyer_jd,
            "jd",
            datetime(2026, 11, 20, 21, 0),
            products=[(self.product, 1), (self.other_product, 1)],
        )
        second._hub_process_arrival()
        self.assertTrue(second.hub_is_suspected_duplicate)
        self.assertEqual(second.hub_duplicate_of_id, first)
        self.assertEqual(second.hub_review_state, "pending")
        self.assertEqual(second.state, "draft")
        self.assertIn(f"Suspected duplicate of {first.name}", second.hub_review_reason)

    def test_same_channel_repeat_purchase_a_week_later_is_not_flagged(self):
        self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 13, 3, 0))._hub_process_arrival()
        repeat = self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 20, 3, 0))
        repeat._hub_process_arrival()
        self.assertFalse(repeat.hub_is_suspected_duplicate)
        self.assertEqual(repeat.hub_review_state, "none")

    def test_same_channel_within_24_hours_is_not_a_cross_channel_duplicate(self):
        self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 20, 3, 0))
        again = self._channel_order(self.buyer_jd, "douyin", datetime(2026, 11, 20, 5, 0))
        again._hub_flag_duplicate()
        self.assertFalse(again.hub_is_suspected_duplicate)

    def test_other_channel_after_24_hours_or_other_products_is_not_flagged(self):
        self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 20, 3, 0))
        later = self._channel_order(self.buyer_jd, "jd", datetime(2026, 11, 21, 4, 0))
        other_goods = self._channel_order(
            self.buyer_jd, "wechat_shop", datetime(2026, 11, 20, 6, 0), products=[(self.other_product, 1)]
        )
        (later | other_goods)._hub_flag_duplicate()
        self.assertFalse(later.hub_is_suspected_duplicate)
        self.assertFalse(other_goods.hub_is_suspected_duplicate)

    def test_reviewer_can_clear_the_flag_and_confirm(self):
        first = self._channel_order(self.buyer_douyin, "douyin", datetime(2026, 11, 20, 3, 0))
        second = self._channel_order(self.buyer_jd, "shopee", datetime(2026, 11, 20, 4, 0))
        second._hub_process_arrival()
        self.assertEqual(second.hub_duplicate_of_id, first)
        second.with_user(self.user_cs).action_hub_clear_duplicate()
        second.with_user(self.user_cs).action_hub_review_approve()
        self.assertEqual(second.state, "sale")
        self.assertFalse(second.hub_is_suspected_duplicate)
