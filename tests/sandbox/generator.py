"""Realistic, seedable order streams for the sandboxes.

Orders are kept in a platform-neutral shape (``SandboxOrder``) and rendered in
each platform's own format by the platform modules.  SKUs are the internal
references of the demo products (BRK-2026-01 ... OIL-2026-04), so orders pulled
from a sandbox map onto the demo catalogue.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

# (internal reference, Chinese product name, list price in yuan) of the demo products
PRODUCTS = [
    ("BRK-2026-01", "陶瓷前刹车片（丰田凯美瑞）", 268),
    ("BRK-2026-02", "半金属后刹车片（本田雅阁）", 198),
    ("BRK-2026-03", "前刹车盘 296mm（大众帕萨特）", 420),
    ("BRK-2026-04", "DOT4 刹车油 1L", 68),
    ("BRK-2026-05", "刹车卡钳修理包", 85),
    ("BRK-2026-06", "手刹线（日产轩逸）", 120),
    ("FLT-2026-01", "机油滤清器（丰田/雷克萨斯）", 38),
    ("FLT-2026-02", "空气滤清器（本田思域）", 58),
    ("FLT-2026-03", "活性炭空调滤芯", 49),
    ("FLT-2026-04", "燃油滤清器（大众/奥迪）", 75),
    ("FLT-2026-05", "三滤保养套装", 139),
    ("IGN-2026-01", "铱金火花塞 NGK ILKAR7B11", 88),
    ("IGN-2026-02", "铂金火花塞 博世 FR7DPP", 56),
    ("IGN-2026-03", "点火线圈（别克凯越）", 230),
    ("IGN-2026-04", "高压线套装", 150),
    ("IGN-2026-05", "柴油预热塞", 95),
    ("SUS-2026-01", "前减震器（丰田卡罗拉）", 380),
    ("SUS-2026-02", "后螺旋弹簧（本田CR-V）", 210),
    ("SUS-2026-03", "下摆臂（大众朗逸）", 260),
    ("SUS-2026-04", "平衡杆球头（一对）", 90),
    ("SUS-2026-05", "前轮毂轴承", 175),
    ("ELE-2026-01", "汽车蓄电池 12V 60Ah", 560),
    ("ELE-2026-02", "发电机（现代伊兰特）", 890),
    ("ELE-2026-03", "起动机（日产天籁）", 760),
    ("ELE-2026-04", "LED大灯灯泡 H7（一对）", 199),
    ("ELE-2026-05", "雨刮片套装 24/16寸", 79),
    ("OIL-2026-01", "全合成机油 5W-30 4L", 329),
    ("OIL-2026-02", "机油 0W-20 4L", 299),
    ("OIL-2026-03", "防冻液 -35°C 2L", 59),
    ("OIL-2026-04", "自动变速箱油 ATF 1L", 98),
]
GIFTS = [("FLT-2026-03", "赠品：活性炭空调滤芯", 49), ("ELE-2026-05", "赠品：雨刮片套装", 79)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文华"
GIVEN += "志强国庆海燕晓东子豪浩然雨涵欣怡宇轩梓萱俊杰佳怡"
PLACES = [
    ("浙江省", "杭州市", "西湖区", "文三路", "310012"),
    ("浙江省", "宁波市", "鄞州区", "天童南路", "315100"),
    ("上海市", "上海市", "浦东新区", "张江路", "201203"),
    ("上海市", "上海市", "闵行区", "七莘路", "201101"),
    ("江苏省", "苏州市", "工业园区", "星湖街", "215021"),
    ("江苏省", "南京市", "江宁区", "双龙大道", "211100"),
    ("广东省", "深圳市", "南山区", "科技园中路", "518057"),
    ("广东省", "广州市", "天河区", "天河北路", "510620"),
    ("北京市", "北京市", "朝阳区", "建国路", "100022"),
    ("四川省", "成都市", "武侯区", "天府大道", "610041"),
    ("湖北省", "武汉市", "洪山区", "珞喻路", "430070"),
    ("山东省", "济南市", "历下区", "经十路", "250014"),
]
BUILDINGS = ["华星时代广场", "汽配城", "阳光小区", "万科城", "工业园", "汽车维修中心", "金地花园", "创业大厦"]
REMARKS = [
    "请尽快发货，周末也可以收货",
    "麻烦发顺丰，谢谢",
    "车型是2018款，请确认适配",
    "需要开发票，抬头见发票信息",
    "修理厂代收，白天有人",
    "不要放快递柜",
    "",
    "",
    "",
]
COMPANIES = [
    ("杭州顺达汽车维修有限公司", "91330106MA2B0XYZ1K"),
    ("上海联盛汽配贸易有限公司", "91310115591693856A"),
    ("苏州捷安车业服务有限公司", "91320594MA1N2B3C4D"),
]
PHONE_PREFIXES = [
    "138",
    "139",
    "137",
    "136",
    "135",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "177",
]


@dataclass
class Buyer:
    name: str
    phone: str
    province: str
    city: str
    district: str
    street: str
    detail: str
    zip: str
    buyer_id: str


@dataclass
class SandboxLine:
    code: str  # merchant code = demo product internal reference
    name: str
    qty: int
    price_fen: int  # unit price before discount
    discount_fen: int = 0  # discount of the whole line
    gift: bool = False
    sku_id: str = ""  # the platform's own SKU id
    line_id: str = ""


@dataclass
class SandboxOrder:
    id: str
    created: int  # Unix seconds
    updated: int
    status: str  # neutral: unpaid, paid, shipped, completed, cancelled
    buyer: Buyer
    lines: list
    paid: int | None = None
    freight_fen: int = 0
    remark: str = ""
    seller_remark: str = ""
    invoice: dict | None = None
    tracking: str = ""
    installation: bool = False
    payment: str = "online"  # online, cod or credit (buy now pay later)
    history: list = field(default_factory=list)  # what changed after creation

    @property
    def goods_fen(self):
        return sum(line.price_fen * line.qty for line in self.lines)

    @property
    def discount_fen(self):
        return sum(line.discount_fen for line in self.lines)

    @property
    def total_fen(self):
        return self.goods_fen - self.discount_fen + self.freight_fen


def sku_id_of(code, digits=12):
    """A stable numeric platform SKU id for a merchant code."""
    value = 0
    for char in code:
        value = (value * 131 + ord(char)) % 10**digits
    return str(10 ** (digits - 1) + value % (9 * 10 ** (digits - 1)))


class OrderGenerator:
    def __init__(self, seed=0, id_factory=None):
        self.random = random.Random(seed)
        self.id_factory = id_factory or (lambda rnd, n: str(3000000000 + n))
        self.count = 0

    def buyer(self):
        rnd = self.random
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        province, city, district, street, zipcode = rnd.choice(PLACES)
        building = f"{rnd.choice(BUILDINGS)}{rnd.randint(1, 30)}栋{rnd.randint(101, 2808)}室"
        detail = f"{street}{rnd.randint(1, 999)}号{building}"
        phone = rnd.choice(PHONE_PREFIXES) + "".join(rnd.choice("0123456789") for _ in range(8))
        return Buyer(
            name,
            phone,
            province,
            city,
            district,
            street,
            detail,
            zipcode,
            f"buyer{rnd.randint(10**7, 10**8)}",
        )

    def lines(self):
        rnd = self.random
        lines = []
        for code, name, price in rnd.sample(PRODUCTS, rnd.choice((1, 1, 2, 2, 3, 4))):
            qty = rnd.choice((1, 1, 1, 2, 2, 4))
            discount = rnd.choice((0, 0, 0, 5, 10)) * qty * 100
            lines.append(
                SandboxLine(
                    code, name, qty, price * 100, min(discount, price * 100 * qty), False, sku_id_of(code)
                )
            )
        if rnd.random() < 0.12:
            code, name, price = rnd.choice(GIFTS)
            lines.append(
                SandboxLine(code, name, 1, price * 100, price * 100, True, sku_id_of(code + "-GIFT"))
            )
        for index, line in enumerate(lines, 1):
            line.line_id = f"{index}"
        return lines

    def invoice(self):
        rnd = self.random
        if rnd.random() >= 0.15:
            return None
        if rnd.random() < 0.5:
            return {
                "type": "normal",
                "title": "个人",
                "tax_id": "",
                "email": f"fp{rnd.randint(1000, 9999)}@example.cn",
            }
        company, tax_id = rnd.choice(COMPANIES)
        return {
            "type": rnd.choice(("normal", "special")),
            "title": company,
            "tax_id": tax_id,
            "address": "杭州市西湖区文三路90号",
            "phone": "0571-88886666",
            "bank_name": "中国工商银行杭州文三路支行",
            "bank_account": "1202021209900012345",
            "email": "",
        }

    def order(self, created, now=None):
        """One order created at ``created`` (Unix s); may have changed since (not after ``now``)."""
        rnd = self.random
        now = int(now or time.time())
        self.count += 1
        status = rnd.choices(("unpaid", "paid", "shipped", "completed", "cancelled"), (5, 60, 20, 8, 7))[0]
        order = SandboxOrder(
            id=self.id_factory(rnd, self.count),
            created=created,
            updated=created,
            status="paid" if status == "cancelled" else status,
            buyer=self.buyer(),
            lines=self.lines(),
            freight_fen=rnd.choice((0, 0, 0, 800, 1000, 1200)),
            remark=rnd.choice(REMARKS),
            invoice=self.invoice(),
            installation=rnd.random() < 0.1,
        )
        if order.status != "unpaid":
            order.paid = created + rnd.randint(5, 600)
            order.updated = order.paid
        if order.status in ("shipped", "completed"):
            order.tracking = f"SF{rnd.randint(10**11, 10**12 - 1)}"
        later = min(now, order.updated + rnd.randint(60, 6 * 3600))
        if status == "cancelled" and later > order.updated:
            order.status, order.updated = "cancelled", later
            order.history.append(("cancelled", later))
        elif rnd.random() < 0.08 and later > order.updated:
            order.buyer.detail = order.buyer.detail + "（改地址：送到公司前台）"
            order.updated = later
            order.history.append(("address_changed", later))
        return order

    def stream(self, count, now=None, spread=2 * 86400):
        """``count`` orders created over the last ``spread`` seconds, oldest first."""
        now = int(now or time.time())
        # at least a little old (two minutes, or half the spread when shorter)
        newest = now - min(120, spread // 2)
        stamps = sorted(self.random.randint(now - spread, newest) for _ in range(count))
        return [self.order(stamp, now) for stamp in stamps]
