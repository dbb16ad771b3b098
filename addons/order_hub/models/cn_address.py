"""Chinese addresses given as text, matched to provinces and cities (no ``odoo`` import).

Platforms send the receiver's province as text in many spellings: 浙江省,
浙江, 内蒙古, 广西壮族自治区, 香港特别行政区, Zhejiang, Inner Mongolia, or a code
(ZJ, CN-ZJ).  ``province_code`` turns any of them into the province's code,
the suffix of Odoo's ``base.state_cn_<code>`` records, and returns "" rather
than a guess when the text names no province.  ``city_names`` lists the names
under which Odoo's ``l10n_cn_city`` data stores a city and district
(杭州市西湖区, or 朝阳区 in the four municipalities).  The ORM layer looks the
records up.
"""

import re

# One province a line: code (ISO 3166-2:CN, the suffix of base.state_cn_<code>),
# full name, short name, then its pinyin and English names separated by "|".
PROVINCE_TABLE = """
BJ 北京市 北京 Beijing|Peking
TJ 天津市 天津 Tianjin
HE 河北省 河北 Hebei
SX 山西省 山西 Shanxi
NM 内蒙古自治区 内蒙古 Inner Mongolia|Nei Mongol|Neimenggu|Nei Menggu
LN 辽宁省 辽宁 Liaoning
JL 吉林省 吉林 Jilin
HL 黑龙江省 黑龙江 Heilongjiang
SH 上海市 上海 Shanghai
JS 江苏省 江苏 Jiangsu
ZJ 浙江省 浙江 Zhejiang|Chekiang
AH 安徽省 安徽 Anhui
FJ 福建省 福建 Fujian
JX 江西省 江西 Jiangxi
SD 山东省 山东 Shandong
HA 河南省 河南 Henan
HB 湖北省 湖北 Hubei
HN 湖南省 湖南 Hunan
GD 广东省 广东 Guangdong|Canton
GX 广西壮族自治区 广西 Guangxi|Guangxi Zhuang
HI 海南省 海南 Hainan
CQ 重庆市 重庆 Chongqing
SC 四川省 四川 Sichuan
GZ 贵州省 贵州 Guizhou
YN 云南省 云南 Yunnan
XZ 西藏自治区 西藏 Xizang|Tibet
SN 陕西省 陕西 Shaanxi
GS 甘肃省 甘肃 Gansu
QH 青海省 青海 Qinghai
NX 宁夏回族自治区 宁夏 Ningxia|Ningxia Hui
XJ 新疆维吾尔自治区 新疆 Xinjiang|Xinjiang Uygur|Xinjiang Uyghur
TW 台湾省 台湾 Taiwan
HK 香港特别行政区 香港 Hong Kong|Xianggang
MO 澳门特别行政区 澳门 Macau|Macao|Aomen
"""
# (code, full name, short name, (pinyin and English names))
PROVINCES = tuple(
    (code, full, short, tuple(latin.split("|")))
    for code, full, short, latin in (line.split(" ", 3) for line in PROVINCE_TABLE.strip().splitlines())
)
MUNICIPALITIES = ("BJ", "TJ", "SH", "CQ")
# longest first: 自治区 before 区 would matter if 区 were listed
CHINESE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
ETHNIC_SUFFIXES = ("壮族", "回族", "维吾尔")
LATIN_SUFFIXES = (
    "specialadministrativeregion",
    "autonomousregion",
    "municipality",
    "province",
    "zizhiqu",
    "sheng",
    "city",
    "shi",
    "sar",
)
LATIN_NOISE = re.compile(r"[\s\-'’.,_]+")
CODE = re.compile(r"^(?:CN-)?([A-Z]{2})$")

_BY_KEY = {}
for _code, _full, _short, _latin in PROVINCES:
    _BY_KEY[_full] = _BY_KEY[_short] = _code
    for _name in _latin:
        _BY_KEY[LATIN_NOISE.sub("", _name).lower()] = _code
CODES = {code for code, *_rest in PROVINCES}
FULL_NAMES = {code: full for code, full, *_rest in PROVINCES}


def _chinese_key(text):
    key = re.sub(r"\s+", "", text)
    for suffix in CHINESE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    for suffix in ETHNIC_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


def _latin_key(text):
    key = LATIN_NOISE.sub("", text).lower()
    for suffix in LATIN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) and key not in _BY_KEY:
            key = key[: -len(suffix)]
            break
    return key


def province_code(text):
    """The code (``ZJ``) of the province named by ``text``, or "" when it names none."""
    text = (text or "").strip()
    if not text:
        return ""
    code = CODE.match(text.upper())
    if code and code.group(1) in CODES:
        return code.group(1)
    if text in _BY_KEY:
        return _BY_KEY[text]
    return _BY_KEY.get(_chinese_key(text)) or _BY_KEY.get(_latin_key(text), "")


def split_province(text):
    """``(code, rest)`` of a text that starts with a province followed by a
    space (the address line earlier imports wrote), or ``("", text)``."""
    words = (text or "").split()
    for size in (3, 2, 1):  # "Inner Mongolia ..." spans two words
        if len(words) > size - 1:
            code = province_code(" ".join(words[:size]))
            if code:
                return code, " ".join(words[size:])
    return "", text or ""


def city_names(code, city, district):
    """Names, best first, under which ``l10n_cn_city`` may store the city and
    district of an address in the province ``code`` (杭州市西湖区; 朝阳区 in a
    municipality; the city alone for cities without districts, e.g. 东莞市)."""
    city = re.sub(r"\s+", "", city or "")
    district = re.sub(r"\s+", "", district or "")
    names = []
    if code in MUNICIPALITIES or city in ("市辖区", "县"):
        names.append(district)
    cities = [city]
    if city and not city.endswith(("市", "自治州", "盟", "地区")):
        cities.append(city + "市")
    for name in cities:
        if name and district:
            names.append(name + district)
    names.extend(cities)
    return [name for name in dict.fromkeys(names) if name]
