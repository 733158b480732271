"""The GB/T 4754-2017 classes an enterprise chooses from (tenants.industries, tenants/data/gbt4754_2017.csv):
the whole manufacturing section C13–C43 as a tree, the boards' classes featured first, a search by code or
word, and sign-up and settings with a class outside the four boards (plastics 2929, moulds 3525)."""

import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import translation

from core.uscc import uscc_make
from ecommerce.models import Board
from office.selectors.figures import sector_labels
from tenants.industries import (INDUSTRY_GROUPS, INDUSTRY_NAMES, industry_choices, industry_classes,
                                industry_path, industry_search, industry_sector, industry_tree)
from tenants.models import Enterprise

# the classes that could be chosen before the full list (tenants migration 0002): enterprises have them
OLD_CLASSES = {
    "3851": "家用制冷电器具制造", "3852": "家用空气调节器制造", "3853": "家用通风电器具制造", "3854": "家用厨房电器具制造",
    "3855": "家用清洁卫生电器具制造", "3856": "家用美容、保健护理电器具制造", "3857": "家用电力器具专用配件制造",
    "3859": "其他家用电力器具制造", "1711": "棉纺纱加工", "1712": "棉织造加工", "1713": "棉印染精加工",
    "1721": "毛条和毛纱线加工", "1722": "毛织造加工", "1751": "化纤织造加工", "1752": "化纤织物染整精加工",
    "1761": "针织或钩针编织物织造", "1771": "床上用品制造", "1772": "毛巾类制品制造", "1779": "其他家用纺织制成品制造",
    "2811": "化纤浆粕制造", "2812": "人造纤维（纤维素纤维）制造", "2821": "锦纶纤维制造", "2822": "涤纶纤维制造",
    "2823": "腈纶纤维制造", "2824": "维纶纤维制造", "2825": "丙纶纤维制造", "2826": "氨纶纤维制造",
    "2829": "其他合成纤维制造", "3451": "滚动轴承制造", "3452": "滑动轴承制造", "3711": "高铁车组制造",
    "3712": "铁路机车车辆制造", "3713": "窄轨机车车辆制造", "3714": "高铁设备、配件制造", "3715": "铁路机车车辆配件制造",
    "3716": "铁路专用设备及器材、配件制造", "3719": "其他铁路运输设备制造", "3751": "摩托车整车制造",
    "3752": "摩托车零部件及配件制造", "5431": "普通货物道路运输", "5432": "冷藏车道路运输", "5433": "集装箱道路运输",
    "5434": "大型货物道路运输", "5435": "危险货物道路运输", "5436": "邮件包裹道路运输", "5437": "城市配送",
    "5438": "搬家运输", "5439": "其他道路货物运输", "6020": "快递服务",
}

SIGNUP = {
    "name": "慈溪市恒塑塑料制品有限公司", "short_name": "恒塑", "uscc": uscc_make(org_body="20261208"),
    "slug": "hengsu", "industry": "2929", "sales_band": "5m_20m", "address": "慈溪市周巷镇", "town": "周巷镇",
    "contact_phone": "0574-2", "full_name": "陈静", "email": "chen@hengsu.test", "password": "Plastic-Parts-2026!",
}


def _flat(choices) -> list[str]:
    return [code for _group, options in choices for code, _label in options]


# ---- the data ----------------------------------------------------------------------------------------


def test_the_data_has_every_manufacturing_class_of_the_2017_standard():
    classes = industry_classes()
    manufacturing = [c for c in classes.values() if c.code[:2].isdigit() and 13 <= int(c.code[:2]) <= 43]
    levels = Counter(c.level for c in manufacturing)
    assert sorted(c.code for c in manufacturing if c.level == "major") == [str(n) for n in range(13, 44)]
    assert (levels["major"], levels["medium"], levels["small"]) == (31, 179, 609)
    assert all(classes[str(n)].parent == "C" and classes[str(n)].name_en for n in range(13, 44))
    assert (classes["29"].name_zh, classes["29"].name_en) == ("橡胶和塑料制品业", "Manufacture of rubber and plastics products")


def test_every_small_class_has_its_medium_major_class_and_section_above_it():
    classes = industry_classes()
    for c in classes.values():
        if c.level == "small":
            medium = classes[c.parent]
            major = classes[medium.parent]
            assert (medium.level, medium.code, major.level, major.code) == ("medium", c.code[:3], "major", c.code[:2])
            assert classes[major.parent].level == "section"
            assert re.fullmatch(r"\d{4}", c.code) and c.name_zh.strip() == c.name_zh and c.name_zh
    assert [n.code for n in industry_path("2929")] == ["29", "292", "2929"]
    assert industry_path("9999") == []


@pytest.mark.parametrize(("code", "name"), [
    ("3856", "家用美容、保健护理电器具制造"), ("3921", "通信系统设备制造"), ("2927", "日用塑料制品制造"),
    ("2928", "人造草坪制造"), ("2929", "塑料零件及其他塑料制品制造"), ("4040", "光学仪器制造"), ("3587", "眼镜制造"),
    ("3491", "工业机器人制造"), ("3874", "智能照明器具制造"), ("3525", "模具制造"), ("1830", "服饰制造"),
    ("3482", "紧固件制造"), ("3963", "智能无人飞行器制造"),
])
def test_classes_carry_their_2017_names(code, name):
    assert INDUSTRY_NAMES[code] == name
    assert industry_classes()[code].name_zh == name


def test_the_tree_nests_medium_and_small_classes_under_the_31_major_classes():
    tree = industry_tree()
    assert [node["class"].code for node in tree] == [str(n) for n in range(13, 44)]
    rubber_plastics = next(node for node in tree if node["class"].code == "29")
    plastics = next(node for node in rubber_plastics["children"] if node["class"].code == "292")
    assert [node["class"].code for node in plastics["children"]] == [f"292{d}" for d in range(1, 10)]
    assert all(not node["children"] for node in plastics["children"])


# ---- the choices -------------------------------------------------------------------------------------


def test_the_classes_enterprises_already_have_stay_valid_with_their_names():
    codes = set(_flat(industry_choices()))
    assert set(OLD_CLASSES) <= codes
    assert {code: INDUSTRY_NAMES[code] for code in OLD_CLASSES} == OLD_CLASSES
    field = Enterprise._meta.get_field("industry")
    assert set(OLD_CLASSES) <= {code for code, _label in field.flatchoices}


def test_every_small_class_is_offered_once_and_the_boards_classes_first():
    with translation.override("en"):
        choices = industry_choices()
    flat = _flat(choices)
    assert len(flat) == len(set(flat)) == 609 + 10  # manufacturing and the freight board's 543x/6020
    groups = [str(group) for group, _options in choices]
    assert groups[:7] == ["Featured: Household electrical appliances", "Featured: Textiles",
                          "Featured: Chemical fibres", "Featured: Bearings", "Featured: Railway transport equipment",
                          "Featured: Motorcycles", "Featured: Road freight and express"]
    featured = set(_flat(choices[:7]))
    assert {"3854", "1723", "2822", "3451", "3715", "3752", "5431", "6020"} <= featured
    assert "2929" not in featured and "3525" not in featured
    plastics = dict(choices)["29 Manufacture of rubber and plastics products"]
    assert ("2929", "2929 Plastic parts and other plastics products") in plastics
    assert ("2927", "2927 日用塑料制品制造") in plastics  # no English name: the Chinese one


def test_the_office_sectors_and_the_boards_prefixes_still_map_the_classes():
    assert [industry_sector(code) for code in ("3854", "1712", "2822", "3451", "3715", "3752", "5437", "6020")] == [
        "appliances", "textiles", "fibres", "bearings", "rail", "motorcycles", "logistics", "logistics"]
    assert industry_sector("2929") == "other"
    labels = sector_labels()
    assert {"appliances", "textiles", "fibres", "bearings", "rail", "motorcycles", "logistics", "other"} == set(labels)
    assert [len(classes) for _group, classes in INDUSTRY_GROUPS] == [8, 26, 11, 4, 7, 2, 10]


# ---- the search --------------------------------------------------------------------------------------


def test_the_search_finds_classes_by_word_and_by_code():
    plastics = [m.industry.code for m in industry_search("塑料")]
    assert plastics[:2] == ["1953", "2140"] and "2929" in plastics
    own = plastics.index("3523")  # 塑料加工专用设备制造: its own name says plastics
    # then those matched only through the class above them (橡胶和塑料制品业, 玻璃纤维增强塑料制品制造)
    assert plastics[own + 1:] == ["2911", "2912", "2913", "2914", "2915", "2916", "2919", "2928", "3061"]
    assert [m.industry.code for m in industry_search("3854")] == ["3854"]
    assert [m.industry.code for m in industry_search("C385")] == [f"385{d}" for d in (1, 2, 3, 4, 5, 6, 7, 9)]
    assert [m.industry.code for m in industry_search("塑料 零件")] == ["2929", "2913"]  # 橡胶零件 under 橡胶和塑料
    assert [m.industry.code for m in industry_search("模具")] == ["3525"]
    assert industry_search("") == [] and industry_search("   ") == []
    mould = industry_search("模具")[0]
    assert [p.code for p in mould.path] == ["35", "352"] and not mould.featured


def test_the_search_page_lists_the_matches_with_their_major_class(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/industries/search/", {"industry_q": "塑料"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-industry-pick="2929"' in html and "2929 塑料零件及其他塑料制品制造" in html
    assert "29 橡胶和塑料制品业 › 292 塑料制品业" in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/industries/search/", {"q": "3854"}).content.decode()
    assert "3854 Household kitchen appliances" in english and "Featured" in english
    assert english.count("data-industry-pick=") == 1
    none = Client(HTTP_ACCEPT_LANGUAGE="en").get("/industries/search/", {"q": "no such class"}).content.decode()
    assert "No industry class matches." in none
    assert Client().get("/industries/search/").content.decode().strip() == ""


def test_the_search_answers_members_on_their_enterprise_host_and_no_one_else(enterprise_pair):
    a, b, alice, bob = enterprise_pair("ind-a", "ind-b")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    own = client.get("/industries/search/", {"q": "模具"}, HTTP_HOST="ind-a.localhost")
    assert own.status_code == 200 and 'data-industry-pick="3525"' in own.content.decode()
    foreign = client.get("/industries/search/", {"q": "模具"}, HTTP_HOST="ind-b.localhost")
    assert foreign.status_code != 200 and "3525" not in foreign.content.decode()
    anonymous = Client().get("/industries/search/", {"q": "模具"}, HTTP_HOST="ind-a.localhost")
    assert anonymous.status_code == 302


# ---- sign-up and settings ----------------------------------------------------------------------------


def test_the_sign_up_page_offers_every_class_grouped_with_a_search_box(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/signup/").content.decode()
    assert "data-industry-search" in html and 'hx-get="/industries/search/"' in html
    assert "js/industry-picker.js" in html
    assert '<optgroup label="Featured: Household electrical appliances">' in html
    assert '<optgroup label="29 Manufacture of rubber and plastics products">' in html
    assert len(re.findall(r'<option value="\d{4}"', html)) == 619
    assert html.index('value="3854"') < html.index('value="1311"')


def test_a_plastics_maker_signs_up_and_sees_every_board(client, db):
    response = client.post("/signup/", SIGNUP)
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get(slug="hengsu")
    assert enterprise.industry == "2929"
    assert enterprise.get_industry_display() == "2929 塑料零件及其他塑料制品制造"
    boards = Client(HTTP_ACCEPT_LANGUAGE="en")
    boards.force_login(enterprise.memberships.get().user)
    page = boards.get("/boards/").content.decode()
    names = list(Board.objects.values_list("name", flat=True))
    assert len(names) >= 5 and all(name in page for name in names)


@pytest.mark.parametrize("code", ["292", "29", "C2929", "0000", "9999"])
def test_sign_up_refuses_a_code_that_is_not_a_small_class(client, db, code):
    response = client.post("/signup/", dict(SIGNUP, industry=code), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'id="id_industry_error"' in response.content.decode()
    assert not Enterprise.objects.filter(slug="hengsu").exists()


def test_settings_change_the_industry_to_a_class_outside_the_boards(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner, slug="ind-mould", industry="1712")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    page = client.get("/settings/", HTTP_HOST="ind-mould.localhost").content.decode()
    assert "data-industry-search" in page and '<option value="1712" selected>' in page
    data = {"name": enterprise.name, "short_name": "", "uscc": enterprise.uscc, "industry": "3525",
            "sales_band": "5m_20m", "address": "", "town": "", "contact_name": "", "contact_phone": "",
            "contact_email": "", "modules": ["erp"]}
    assert client.post("/settings/", data, HTTP_HOST="ind-mould.localhost").status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.industry == "3525"
