"""Chinese province and city names as text (order_hub/models/cn_address.py, no Odoo)."""

import pytest
from addon_source import load

cn_address = load("order_hub", "models/cn_address.py")


@pytest.mark.parametrize(
    "text, code",
    [
        ("浙江省", "ZJ"),
        ("浙江", "ZJ"),
        (" 浙江省 ", "ZJ"),
        ("北京市", "BJ"),
        ("北京", "BJ"),
        ("内蒙古自治区", "NM"),
        ("内蒙古", "NM"),
        ("广西壮族自治区", "GX"),
        ("广西壮族", "GX"),
        ("广西", "GX"),
        ("宁夏回族自治区", "NX"),
        ("新疆维吾尔自治区", "XJ"),
        ("新疆", "XJ"),
        ("西藏自治区", "XZ"),
        ("香港特别行政区", "HK"),
        ("澳门", "MO"),
        ("Zhejiang", "ZJ"),
        ("zhejiang sheng", "ZJ"),
        ("Zhejiang Province", "ZJ"),
        ("Inner Mongolia", "NM"),
        ("Nei Mongol", "NM"),
        ("Guangxi Zhuang Autonomous Region", "GX"),
        ("Shanxi", "SX"),
        ("Shaanxi", "SN"),
        ("Hong Kong SAR", "HK"),
        ("Beijing Shi", "BJ"),
        ("ZJ", "ZJ"),
        ("CN-NM", "NM"),
        ("cn-zj", "ZJ"),
    ],
)
def test_province_code(text, code):
    assert cn_address.province_code(text) == code


@pytest.mark.parametrize(
    "text", ["", None, "杭州市", "浙江杭州", "浙", "Springfield", "XX", "省", "Province"]
)
def test_no_guess(text):
    assert cn_address.province_code(text) == ""


def test_every_province_has_a_record_code_and_its_names_match():
    assert len(cn_address.PROVINCES) == 34
    for code, full, short, latin in cn_address.PROVINCES:
        assert cn_address.province_code(full) == code
        assert cn_address.province_code(short) == code
        for name in latin:
            assert cn_address.province_code(name) == code


@pytest.mark.parametrize(
    "text, result",
    [
        ("浙江省 西湖区 文三路", ("ZJ", "西湖区 文三路")),
        ("Inner Mongolia 回民区", ("NM", "回民区")),
        ("广西壮族自治区", ("GX", "")),
        ("火星 某区", ("", "火星 某区")),
        ("", ("", "")),
    ],
)
def test_split_province(text, result):
    assert cn_address.split_province(text) == result


def test_city_names():
    assert cn_address.city_names("ZJ", "杭州市", "西湖区")[0] == "杭州市西湖区"
    assert cn_address.city_names("ZJ", "杭州", "西湖区")[:2] == ["杭州西湖区", "杭州市西湖区"]
    assert cn_address.city_names("BJ", "北京市", "朝阳区")[0] == "朝阳区"
    assert cn_address.city_names("SH", "市辖区", "浦东新区")[0] == "浦东新区"
    assert cn_address.city_names("GD", "东莞市", "") == ["东莞市"]
    assert cn_address.city_names("ZJ", "", "") == []
