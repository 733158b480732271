"""The credit badge and registry facts of an enterprise, and the flags for the office."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.govdata.selectors import BadgeLevel, credit_badge_for, credit_badges_for, office_flags, registry_for
from api.govdata.services import file_import
from api.govdata.tests.conftest import USCC_A, USCC_B, USCC_C, USCC_D, csv_bytes

TODAY = date(2025, 6, 1)


@pytest.fixture
def gov_data(db):
    file_import(content=csv_bytes([
        ["uniscid", "entname", "regstate"],
        [USCC_A, "慈溪市美厨电器有限公司", "存续"], [USCC_B, "慈溪市老厂轴承有限公司", "吊销，未注销"],
        [USCC_C, "宁波外资电器有限公司", "在业"], [USCC_D, "慈溪市新厂有限公司", "存续"]]), filename="registry.csv")
    file_import(content=csv_bytes([
        ["uniscid", "eventtype", "listdate", "removedate", "recid", "authority"],
        [USCC_A, "高新技术企业", "2023-12-08", "", "H1", "浙江省科学技术厅"],
        [USCC_C, "失信被执行人", "2024-11-20", "", "D1", "慈溪市人民法院"],
        [USCC_D, "经营异常名录", "2025-01-10", "", "AB1", "慈溪市市场监督管理局"],
        [USCC_D, "失信被执行人", "2023-01-01", "2024-01-01", "D2", "慈溪市人民法院"],  # removed: no longer active
    ]), filename="events.csv")
    file_import(content=csv_bytes([
        ["uniscid", "scheme", "year", "grade", "score", "scale"],
        [USCC_A, "纳税信用等级", "2024", "A", "", ""], [USCC_A, "纳税信用等级", "2023", "B", "", ""],
        [USCC_A, "公共信用评价", "2024", "", "812", "0-1000"], [USCC_D, "纳税信用等级", "2024", "M", "", ""]]),
        filename="ratings.csv")


def test_good_standing(gov_data):
    badge = credit_badge_for(USCC_A, today=TODAY)
    assert (badge.level, badge.tax_grade, badge.tax_year, badge.public_score) == (BadgeLevel.GOOD, "A", 2024, "812")
    assert [e.kind for e in badge.honours] == ["honour"] and badge.active_negative == []
    assert registry_for(USCC_A).name == "慈溪市美厨电器有限公司"


def test_levels(gov_data):
    badges = credit_badges_for([USCC_A, USCC_B, USCC_C, USCC_D, "91330100716105852F"], today=TODAY)
    assert {code: badge.level for code, badge in badges.items()} == {
        USCC_A: BadgeLevel.GOOD, USCC_B: BadgeLevel.ALERT,  # registry status 吊销未注销
        USCC_C: BadgeLevel.ALERT,  # dishonest judgment debtor in force
        USCC_D: BadgeLevel.WATCH,  # abnormal-operation list (the old debtor listing was removed)
        "91330100716105852F": BadgeLevel.UNKNOWN}
    assert [e.kind for e in badges[USCC_D].active_negative] == ["abnormal_operation"]


def test_badges_of_many_cost_three_queries(gov_data):
    with CaptureQueriesContext(connection) as queries:
        credit_badges_for([USCC_A, USCC_B, USCC_C, USCC_D], today=TODAY)
    statements = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]  # django-tenants' own
    assert len(statements) == 3, statements


def test_flags_name_the_platform_enterprises_to_look_at(gov_data, make_enterprise):
    make_enterprise(slug="meichu", uscc=USCC_A)
    make_enterprise(slug="laochang", uscc=USCC_B)
    make_enterprise(slug="waizi", uscc=USCC_C)
    make_enterprise(slug="xinchang", uscc=USCC_D)

    flags = office_flags(today=TODAY)

    assert [(f.enterprise.slug, len(f.badge.reasons)) for f in flags] == [("waizi", 1), ("laochang", 1)] or \
        sorted(f.enterprise.slug for f in flags) == ["laochang", "waizi"]
    assert {f.enterprise.slug for f in flags} == {"laochang", "waizi"}
