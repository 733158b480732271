"""GB/T 4754-2017 industry classes served by the platform (国民经济行业分类).

The Cixi programme covers household appliances (385x), textiles (17xx), chemical fibres (28xx),
bearings (3451/3452), railway transport equipment (371x) and motorcycles (375x).
"""

from django.utils.translation import gettext_lazy as _

INDUSTRY_GROUPS = [
    (_("Household electrical appliances"), [
        ("3851", "家用制冷电器具制造"),
        ("3852", "家用空气调节器制造"),
        ("3853", "家用通风电器具制造"),
        ("3854", "家用厨房电器具制造"),
        ("3855", "家用清洁卫生电器具制造"),
        ("3856", "家用美容、保健护理电器具制造"),
        ("3857", "家用电力器具专用配件制造"),
        ("3859", "其他家用电力器具制造"),
    ]),
    (_("Textiles"), [
        ("1711", "棉纺纱加工"),
        ("1712", "棉织造加工"),
        ("1713", "棉印染精加工"),
        ("1721", "毛条和毛纱线加工"),
        ("1722", "毛织造加工"),
        ("1751", "化纤织造加工"),
        ("1752", "化纤织物染整精加工"),
        ("1761", "针织或钩针编织物织造"),
        ("1771", "床上用品制造"),
        ("1772", "毛巾类制品制造"),
        ("1779", "其他家用纺织制成品制造"),
    ]),
    (_("Chemical fibres"), [
        ("2811", "化纤浆粕制造"),
        ("2812", "人造纤维（纤维素纤维）制造"),
        ("2821", "锦纶纤维制造"),
        ("2822", "涤纶纤维制造"),
        ("2823", "腈纶纤维制造"),
        ("2824", "维纶纤维制造"),
        ("2825", "丙纶纤维制造"),
        ("2826", "氨纶纤维制造"),
        ("2829", "其他合成纤维制造"),
    ]),
    (_("Bearings"), [
        ("3451", "滚动轴承制造"),
        ("3452", "滑动轴承制造"),
    ]),
    (_("Railway transport equipment"), [
        ("3711", "高铁车组制造"),
        ("3712", "铁路机车车辆制造"),
        ("3713", "窄轨机车车辆制造"),
        ("3714", "高铁设备、配件制造"),
        ("3715", "铁路机车车辆配件制造"),
        ("3716", "铁路专用设备及器材、配件制造"),
        ("3719", "其他铁路运输设备制造"),
    ]),
    (_("Motorcycles"), [
        ("3751", "摩托车整车制造"),
        ("3752", "摩托车零部件及配件制造"),
    ]),
    # the carriers of the freight board (物流运力): road freight and express companies
    (_("Road freight and express"), [
        ("5431", "普通货物道路运输"),
        ("5432", "冷藏车道路运输"),
        ("5433", "集装箱道路运输"),
        ("5434", "大型货物道路运输"),
        ("5435", "危险货物道路运输"),
        ("5436", "邮件包裹道路运输"),
        ("5437", "城市配送"),
        ("5438", "搬家运输"),
        ("5439", "其他道路货物运输"),
        ("6020", "快递服务"),
    ]),
]

INDUSTRY_CHOICES = [
    (group, [(code, f"{code} {name}") for code, name in classes]) for group, classes in INDUSTRY_GROUPS
]
INDUSTRY_NAMES = {code: name for _group, classes in INDUSTRY_GROUPS for code, name in classes}


def industry_sector(code: str) -> str:
    """The programme sector of a class code: appliances, textiles, fibres, bearings, rail, motorcycles, logistics."""
    for prefix, sector in (("385", "appliances"), ("17", "textiles"), ("28", "fibres"), ("345", "bearings"),
                           ("371", "rail"), ("375", "motorcycles"), ("543", "logistics"), ("602", "logistics")):
        if code.startswith(prefix):
            return sector
    return "other"
