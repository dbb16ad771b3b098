"""Normalisers on hand-written platform payloads: fen -> Decimal yuan, time zones,
masked/encrypted receivers kept, lines, gifts, remarks, invoices, statuses; missing or bad
fields raise BadPayload naming the field."""

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import connectors
import pytest
from connectors import douyin, jd, shopee, shopify, wechat_shop

CST = timezone(timedelta(hours=8))
# 2026-11-22 09:30:00 in Beijing
T0 = 1795311000
assert datetime.fromtimestamp(T0, CST) == datetime(2026, 11, 22, 9, 30, tzinfo=CST)

DOUYIN = {
    "order_id": "6912345678901234567",
    "shop_id": 4463798,
    "order_status": 2,
    "create_time": T0,
    "update_time": T0 + 60,
    "pay_time": T0 + 30,
    "buyer_words": "请发顺丰",
    "seller_words": "",
    "order_amount": 54600,
    "pay_amount": 53600,
    "post_amount": 1000,
    "promotion_amount": 2000,
    "post_receiver": "",
    "post_tel": "",
    "post_addr": {"encrypt_detail": "#enc-detail#"},
    "encrypt_post_receiver": "#enc-name#",
    "encrypt_post_tel": "#enc-tel#",
    "mask_post_receiver": "王**",
    "mask_post_tel": "138****5678",
    "mask_post_addr": {
        "province": {"name": "浙江省"},
        "city": {"name": "杭州市"},
        "town": {"name": "西湖区"},
        "street": {"name": "文新街道"},
        "detail": "文三路***",
    },
    "sku_order_list": [
        {
            "order_id": "69123456789012345671",
            "sku_id": "1770000000001",
            "out_sku_id": "BRK-2026-01",
            "code": "BRK-2026-01",
            "product_name": "陶瓷前刹车片",
            "item_num": 2,
            "origin_amount": 26800,
            "sum_amount": 53600,
            "pay_amount": 51600,
        },
        {
            "order_id": "69123456789012345672",
            "sku_id": "1770000000099",
            "out_sku_id": "FLT-2026-03",
            "product_name": "赠品：空调滤芯",
            "item_num": 1,
            "origin_amount": 4900,
            "sum_amount": 4900,
            "pay_amount": 0,
            "given_product_type": "FREE",
        },
    ],
    "logistics_info": [{"tracking_no": "SF1234567890"}],
}

JD = {
    "orderId": "300012345678",
    "venderId": "10086001",
    "orderType": "22",
    "payType": "4-在线支付",
    "orderPayment": "526.00",
    "freightPrice": "10.00",
    "sellerDiscount": "20.00",
    "orderState": "WAIT_SELLER_STOCK_OUT",
    "orderRemark": "车型2018款",
    "venderRemark": "",
    "orderStartTime": "2026-11-22 09:30:00",
    "paymentConfirmTime": "2026-11-22 09:31:00",
    "modified": "2026-11-22 09:35:00",
    "consigneeInfo": {
        "fullname": "李**",
        "mobile": "139****1234",
        "fullAddress": "上海市浦东新区张江路****",
        "province": "上海市",
        "city": "上海市",
        "county": "浦东新区",
        "town": "张江镇",
    },
    "itemInfoList": [
        {
            "skuId": "100001",
            "outerSkuId": "OIL-2026-01",
            "skuName": "全合成机油",
            "jdPrice": "329.00",
            "itemTotal": "1",
        },
        {
            "skuId": "100002",
            "outerSkuId": "SUS-2026-01",
            "skuName": "前减震器",
            "jdPrice": "217.00",
            "itemTotal": "1",
            "serviceName": "到店安装",
        },
        {
            "skuId": "100003",
            "outerSkuId": "ELE-2026-05",
            "skuName": "赠品雨刮",
            "jdPrice": "0.00",
            "itemTotal": "1",
        },
    ],
    "couponDetailList": [{"skuId": "100002", "couponType": "20-单品促销优惠", "couponPrice": "20.00"}],
    "invoiceInfo": "发票类型:增值税专用发票;发票抬头:杭州顺达汽车维修有限公司;发票内容:明细",
    "invoiceCode": "91310110666007217T",
    "vatInfo": {
        "vatNo": "91310110666007217T",
        "addressRegIstered": "杭州市西湖区文三路90号",
        "phoneRegIstered": "0571-88886666",
        "depositBank": "工商银行文三路支行",
        "bankAccount": "1202021209900012345",
        "userName": "杭州顺达汽车维修有限公司",
    },
    "waybill": "SF1|JD2,JD3",
}

WECHAT = {
    "order_id": "3712345678901234567",
    "status": 20,
    "create_time": T0,
    "update_time": T0 + 5,
    "openid": "oWx123",
    "order_detail": {
        "product_infos": [
            {
                "product_id": "10000123",
                "sku_id": "2001",
                "sku_code": "IGN-2026-01",
                "sku_cnt": 4,
                "sale_price": 8800,
                "real_price": 33200,
                "title": "铱金火花塞",
            }
        ],
        "price_info": {"product_price": 35200, "order_price": 33200, "freight": 0, "discounted_price": 2000},
        "pay_info": {"pay_time": T0 + 20},
        "delivery_info": {
            "address_info": {
                "user_name": "张*",
                "tel_number": "137****0000",
                "province_name": "广东省",
                "city_name": "深圳市",
                "county_name": "南山区",
                "detail_info": "科技园****",
                "postal_code": "518057",
            },
            "deliver_method": 0,
        },
        "ext_info": {"customer_notes": "不要放快递柜"},
    },
}

SHOPIFY = {
    "id": 5123456789012,
    "name": "#1001",
    "created_at": "2026-11-22T09:30:00+08:00",
    "updated_at": "2026-11-22T01:40:00Z",
    "processed_at": "2026-11-22T09:30:05+08:00",
    "cancelled_at": None,
    "financial_status": "paid",
    "fulfillment_status": None,
    "note": "周末送货",
    "currency": "CNY",
    "total_price": "188.00",
    "total_discounts": "10.00",
    "shipping_address": {"name": "赵六", "phone": "18600001111", "province": "北京市", "city": "北京市"},
    "line_items": [
        {"id": 1, "variant_id": 42, "sku": "IGN-2026-01", "title": "火花塞", "quantity": 2, "price": "88.00"},
        {"id": 2, "variant_id": 43, "sku": "FLT-2026-03", "title": "赠品", "quantity": 1, "price": "0.00"},
    ],
    "shipping_lines": [{"price": "22.00"}],
}

SHOPEE = {
    "order_sn": "261122ABCD1234",
    "currency": "CNY",
    "total_amount": 148.5,
    "order_status": "READY_TO_SHIP",
    "create_time": T0,
    "update_time": T0 + 100,
    "pay_time": T0 + 10,
    "message_to_seller": "谢谢",
    "recipient_address": {
        "name": "陈****",
        "phone": "******12",
        "full_address": "天府大道****",
        "city": "成都市",
    },
    "item_list": [
        {
            "item_id": 1001,
            "item_sku": "FLT-2026-01",
            "model_id": 2002,
            "model_sku": "FLT-2026-01",
            "item_name": "机油滤清器",
            "model_quantity_purchased": 3,
            "model_original_price": 38,
            "model_discounted_price": 33.5,
        }
    ],
}


def test_douyin():
    order = douyin.normalise(copy.deepcopy(DOUYIN))
    assert order.external_id == "6912345678901234567" and order.shop_id == "4463798"
    assert order.total_amount == Decimal("536.00") and order.shipping_amount == Decimal("10.00")
    assert order.created_at == datetime(2026, 11, 22, 9, 30, tzinfo=CST)
    assert order.created_at.utcoffset() == timedelta(hours=8)
    assert order.status == connectors.STATUS_PAID and order.platform_status == "2"
    assert order.receiver.name == "王**" and order.receiver.phone == "138****5678" and order.receiver.masked
    assert order.receiver.encrypted == {"name": "#enc-name#", "phone": "#enc-tel#", "detail": "#enc-detail#"}
    assert (order.receiver.province, order.receiver.district, order.receiver.detail) == (
        "浙江省",
        "西湖区",
        "文三路***",
    )
    pads, gift = order.lines
    assert (pads.platform_sku, pads.merchant_code, pads.quantity) == ("1770000000001", "BRK-2026-01", 2)
    assert pads.unit_price == Decimal("268.00") and pads.discount == Decimal("20.00") and not pads.is_gift
    assert gift.is_gift and gift.discount == Decimal("49.00")
    assert order.buyer_remark == "请发顺丰" and order.tracking_numbers == ("SF1234567890",)


def test_jd():
    order = jd.normalise(copy.deepcopy(JD))
    assert order.total_amount == Decimal("526.00") and order.created_at.tzinfo is not None
    assert order.created_at == datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)
    assert order.paid_at == datetime(2026, 11, 22, 9, 31, tzinfo=CST)
    assert order.receiver.masked and order.receiver.phone == "139****1234"
    oil, shock, wiper = order.lines
    assert shock.discount == Decimal("20.00") and oil.discount == 0 and wiper.is_gift and not oil.is_gift
    assert oil.unit_price == Decimal("329.00") and oil.merchant_code == "OIL-2026-01"
    assert order.extra["installation_service"] is True
    assert order.invoice.invoice_type == "special" and order.invoice.tax_id == "91310110666007217T"
    assert order.invoice.bank_account == "1202021209900012345"
    assert order.tracking_numbers == ("SF1", "JD2", "JD3")
    assert order.buyer_remark == "车型2018款"


def test_jd_unpaid_cod_and_no_invoice():
    raw = copy.deepcopy(JD) | {"paymentConfirmTime": "0001-01-01 00:00:00", "invoiceInfo": "不需要开具发票"}
    raw.pop("vatInfo")
    raw["itemInfoList"][1].pop("serviceName")
    order = jd.normalise(raw)
    assert order.paid_at is None and order.invoice is None and order.extra["installation_service"] is False
    normal = jd.normalise(raw | {"invoiceInfo": "发票类型:电子普通发票;发票抬头:个人;发票内容:明细"})
    assert normal.invoice.invoice_type == "normal" and normal.invoice.title == "个人"


def test_wechat_shop():
    order = wechat_shop.normalise(copy.deepcopy(WECHAT))
    assert order.total_amount == Decimal("332.00") and order.discount_amount == Decimal("20.00")
    (line,) = order.lines
    assert line.unit_price == Decimal("88.00") and line.quantity == 4 and line.discount == Decimal("20.00")
    assert order.receiver.masked and order.receiver.name == "张*" and order.receiver.zip == "518057"
    assert order.buyer_remark == "不要放快递柜" and order.buyer_id == "oWx123"
    assert order.paid_at == datetime.fromtimestamp(T0 + 20, CST)


def test_shopify():
    order = shopify.normalise(copy.deepcopy(SHOPIFY))
    assert order.external_id == "5123456789012" and order.status == connectors.STATUS_PAID
    assert order.updated_at == datetime(2026, 11, 22, 1, 40, tzinfo=timezone.utc)
    assert order.shipping_amount == Decimal("22.00") and order.total_amount == Decimal("188.00")
    assert [line.is_gift for line in order.lines] == [False, True]
    assert order.buyer_remark == "周末送货" and not order.receiver.masked
    assert shopify.normalise(SHOPIFY | {"cancelled_at": "2026-11-22T10:00:00+08:00"}).status == "cancelled"
    assert shopify.normalise(SHOPIFY | {"fulfillment_status": "partial"}).status == "partially_shipped"
    assert shopify.normalise(SHOPIFY | {"financial_status": "pending"}).status == "unpaid"


def test_shopee():
    order = shopee.normalise(copy.deepcopy(SHOPEE))
    assert order.total_amount == Decimal("148.50")
    (line,) = order.lines
    assert (
        line.unit_price == Decimal("38.00")
        and line.discount == Decimal("13.50")
        and line.platform_sku == "2002"
    )
    assert order.receiver.masked and order.receiver.phone == "******12"
    assert order.created_at == datetime.fromtimestamp(T0, timezone.utc)


@pytest.mark.parametrize(
    ("module", "raw", "status", "expected"),
    [
        (douyin, DOUYIN, 1, "unpaid"),
        (douyin, DOUYIN, 3, "shipped"),
        (douyin, DOUYIN, 4, "cancelled"),
        (douyin, DOUYIN, 5, "completed"),
        (douyin, DOUYIN, 101, "partially_shipped"),
        (wechat_shop, WECHAT, 10, "unpaid"),
        (wechat_shop, WECHAT, 30, "shipped"),
        (wechat_shop, WECHAT, 250, "cancelled"),
        (wechat_shop, WECHAT, 100, "completed"),
        (shopee, SHOPEE, "CANCELLED", "cancelled"),
        (shopee, SHOPEE, "UNPAID", "unpaid"),
        (shopee, SHOPEE, "SHIPPED", "shipped"),
        (jd, JD, "TRADE_CANCELED", "cancelled"),
        (jd, JD, "FINISHED_L", "completed"),
        (jd, JD, "WAIT_GOODS_RECEIVE_CONFIRM", "shipped"),
        (jd, JD, "SOMETHING_NEW", "other"),
    ],
)
def test_status_mapping(module, raw, status, expected):
    key = {"douyin": "order_status", "wechat_shop": "status", "shopee": "order_status", "jd": "orderState"}
    platform = module.__name__.rsplit(".", 1)[1]
    order = module.normalise(copy.deepcopy(raw) | {key[platform]: status})
    assert order.status == expected and order.platform_status == str(status)


WX_PRICE, WX_LINES = "order_detail.price_info", "order_detail.product_infos"


def without(raw, path):
    raw = copy.deepcopy(raw)
    target = raw
    *parents, last = path
    for key in parents:
        target = target[key]
    del target[last]
    return raw


@pytest.mark.parametrize(
    ("module", "raw", "path", "field"),
    [
        (douyin, DOUYIN, ("order_id",), "order_id"),
        (douyin, DOUYIN, ("pay_amount",), "pay_amount"),
        (douyin, DOUYIN, ("sku_order_list", 0, "item_num"), "sku_order_list[0].item_num"),
        (douyin, DOUYIN, ("sku_order_list", 1, "sku_id"), "sku_order_list[1].sku_id"),
        (jd, JD, ("consigneeInfo",), "consigneeInfo"),
        (jd, JD, ("itemInfoList", 0, "jdPrice"), "itemInfoList[0].jdPrice"),
        (jd, JD, ("modified",), "modified"),
        (
            wechat_shop,
            WECHAT,
            ("order_detail", "price_info", "order_price"),
            "order_detail.price_info.order_price",
        ),
        (
            wechat_shop,
            WECHAT,
            ("order_detail", "product_infos", 0, "sku_cnt"),
            "order_detail.product_infos[0].sku_cnt",
        ),
        (shopify, SHOPIFY, ("line_items", 1, "quantity"), "line_items[1].quantity"),
        (shopify, SHOPIFY, ("total_price",), "total_price"),
        (shopee, SHOPEE, ("item_list", 0, "model_original_price"), "item_list[0].model_original_price"),
        (shopee, SHOPEE, ("create_time",), "create_time"),
    ],
)
def test_missing_fields_raise_bad_payload_naming_the_field(module, raw, path, field):
    with pytest.raises(connectors.BadPayload) as error:
        module.normalise(without(raw, path))
    assert error.value.field == field
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("module", "raw", "changes", "field"),
    [
        (douyin, DOUYIN, {"pay_amount": "12.5"}, "pay_amount"),
        (douyin, DOUYIN, {"create_time": "yesterday"}, "create_time"),
        (jd, JD, {"orderStartTime": "22/11/2026"}, "orderStartTime"),
        (jd, JD, {"orderPayment": "abc"}, "orderPayment"),
        (shopify, SHOPIFY, {"created_at": "2026-11-22T09:30:00"}, "created_at"),
        (shopify, SHOPIFY, {"line_items": {"not": "a list"}}, "line_items"),
        (wechat_shop, WECHAT, {"order_detail": "oops"}, "order_detail"),
        (shopee, SHOPEE, {"total_amount": "NaN"}, "total_amount"),
    ],
)
def test_bad_values_raise_bad_payload(module, raw, changes, field):
    with pytest.raises(connectors.BadPayload) as error:
        module.normalise(copy.deepcopy(raw) | changes)
    assert error.value.field == field


def test_not_an_object():
    for module in (douyin, jd, wechat_shop, shopify, shopee):
        with pytest.raises(connectors.BadPayload):
            module.normalise(["not", "an", "order"])


def test_module_level_helpers_without_a_client():
    assert connectors.external_id("shopee", SHOPEE) == "261122ABCD1234"
    assert connectors.normalise("jd", JD).platform == "jd"


@pytest.mark.parametrize(
    ("module", "raw"),
    [(douyin, DOUYIN), (jd, JD), (wechat_shop, WECHAT), (shopify, SHOPIFY), (shopee, SHOPEE)],
)
def test_client_class_uses_its_platform_normaliser_and_order_id(module, raw):
    platform = module.__name__.rsplit(".", 1)[1]
    client_class = connectors.CLIENTS[platform]
    client = client_class(connectors.ClientConfig(platform, base_url="http://127.0.0.1:9"))
    expected = module.normalise(copy.deepcopy(raw))
    # the normaliser stored on the class is called with the payload, not with the client
    assert client.normalise(copy.deepcopy(raw)) == expected
    assert client_class.normalise(copy.deepcopy(raw)) == expected
    assert client.normaliser(copy.deepcopy(raw)) == expected
    assert connectors.normalise(platform, copy.deepcopy(raw)) == expected
    assert client.external_id(raw) == connectors.external_id(platform, raw) == expected.external_id
    with pytest.raises(connectors.BadPayload) as error:
        client.external_id({"other": 1})
    assert error.value.field == client_class.order_id_key


def test_canonical_order_is_json_friendly():
    data = douyin.normalise(DOUYIN).to_dict()
    assert data["total_amount"] == "536.00" and data["created_at"] == "2026-11-22T09:30:00+08:00"


def _with(raw, path, value):
    """A copy of ``raw`` with ``value`` at the dotted ``path`` (None removes the key)."""
    raw = copy.deepcopy(raw)
    *parents, last = path.split(".")
    target = raw
    for key in parents:
        target = target[key]
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value
    return raw


@pytest.mark.parametrize(
    "module, raw, path, value, expected",
    [
        (douyin, DOUYIN, "pay_type", 0, "cod"),
        (douyin, DOUYIN, "pay_type", 1, "prepaid"),
        (douyin, DOUYIN, "pay_type", 2, "prepaid"),
        (douyin, DOUYIN, "pay_type", 12, "credit"),
        (douyin, DOUYIN, "pay_type", 8, "credit"),
        (douyin, DOUYIN, "pay_type", 99, ""),
        (douyin, DOUYIN, "pay_type", None, ""),
        (jd, JD, "payType", "1-货到付款", "cod"),
        (jd, JD, "payType", "4-在线支付", "prepaid"),
        (jd, JD, "payType", "5-公司转账", "transfer"),
        (jd, JD, "payType", "3-自提", "cod"),
        (jd, JD, "payType", None, ""),
        (wechat_shop, WECHAT, "order_detail.pay_info.payment_method", 1, "prepaid"),
        (wechat_shop, WECHAT, "order_detail.pay_info.payment_method", 2, "credit"),
        (wechat_shop, WECHAT, "order_detail.pay_info.payment_method", None, ""),
        (shopify, SHOPIFY, "payment_gateway_names", ["Cash on Delivery (COD)"], "cod"),
        (shopify, SHOPIFY, "payment_gateway_names", ["Bank Deposit"], "transfer"),
        (shopify, SHOPIFY, "payment_gateway_names", ["Klarna"], "credit"),
        (shopify, SHOPIFY, "payment_gateway_names", ["shopify_payments"], "prepaid"),
        (shopify, SHOPIFY, "payment_gateway_names", None, "prepaid"),  # paid: online
        (shopee, SHOPEE, "cod", True, "cod"),
        (shopee, SHOPEE, "payment_method", "Cash on Delivery", "cod"),
        (shopee, SHOPEE, "payment_method", "SPayLater", "credit"),
        (shopee, SHOPEE, "payment_method", "Bank Transfer", "transfer"),
        (shopee, SHOPEE, "payment_method", "ShopeePay", "prepaid"),
    ],
)
def test_payment_method(module, raw, path, value, expected):
    assert module.normalise(_with(raw, path, value)).payment_method == expected


def test_unpaid_shopify_order_without_gateway_has_no_payment_method():
    raw = _with(_with(SHOPIFY, "financial_status", "pending"), "payment_gateway_names", None)
    assert shopify.normalise(raw).payment_method == ""


def test_unknown_payment_method_is_bad_data():
    order = jd.normalise(JD)
    with pytest.raises(connectors.BadPayload):
        type(order)(**{**order.__dict__, "payment_method": "barter"})


def test_one_registry_of_platforms_with_their_webhook_answers():
    assert set(connectors.PLATFORMS) == {"douyin", "jd", "wechat_shop", "shopify", "shopee"}
    assert connectors.CLIENTS["douyin"].webhook_ack == ("application/json", '{"code": 0, "msg": "success"}')
    assert connectors.CLIENTS["wechat_shop"].webhook_ack == ("text/plain", "success")
    assert connectors.CLIENTS["shopify"].webhook_ack == ("text/plain", "")
    with pytest.raises(connectors.BadPayload):
        type(jd.normalise(JD))(**{**jd.normalise(JD).__dict__, "platform": "taobao"})
