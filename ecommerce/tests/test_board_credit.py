"""The government credit on the boards: an import of registry and credit records sets the enterprise
card's "credit verified" flag and level (and so the search filter), a serious event or an abnormal
registry status takes it away, the pages show the government badge of each poster (one load per page),
and one enterprise's badge never shows another's rating."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.govdata.services import file_import, sync_nightly
from api.govdata.tests.conftest import USCC_A, USCC_B, USCC_C, USCC_D, csv_bytes
from ecommerce import selectors
from ecommerce.services import boards_credit_refresh
from ecommerce.models import EnterpriseCard
from ecommerce.selectors import SearchFilters
from ecommerce.tests.factories import post

pytestmark = pytest.mark.django_db

REGISTRY = ["uniscid", "entname", "regstate"]
EVENTS = ["uniscid", "eventtype", "listdate", "removedate", "recid", "authority"]
RATINGS = ["uniscid", "scheme", "year", "grade", "score", "scale"]


@pytest.fixture
def gov_import(django_capture_on_commit_callbacks):
    """Import a file as the office or the nightly folder does, and run what waits for the commit
    (the test's transaction never commits)."""

    def run(rows, name="data.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            result = file_import(content=csv_bytes(rows), filename=name)
        assert result.status == "succeeded", result.errors
        return result

    return run


@pytest.fixture
def web(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def card(enterprise) -> EnterpriseCard:
    return EnterpriseCard.objects.get(enterprise=enterprise)


def verified_ids(**filters) -> set[int]:
    return {listing.pk for listing in selectors.listing_search(filters=SearchFilters(credit_verified=True,
                                                                                     **filters)).results}


def item_html(page: str, listing_id: int) -> str:
    """The HTML of one listing's entry in a list of listings."""
    return page.split(f'data-listing="{listing_id}"')[1].split('class="list-group-item listing-item"')[0]


def test_a_registry_and_credit_import_verifies_the_card_with_its_level_and_the_filter_finds_it(
        make_enterprise, gov_import):
    # given
    a = make_enterprise(uscc=USCC_A)
    motor = post(a, title="交流电机 220V")
    assert verified_ids() == set()
    # when
    registry = gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"], [USCC_B, "不在平台的公司", "存续"]],
                          "registry.csv")
    gov_import([RATINGS, [USCC_A, "纳税信用等级", "2024", "A", "", ""],
                [USCC_A, "公共信用评价", "2024", "", "812", "0-1000"]], "ratings.csv")
    # then
    a_card = card(a)
    assert (a_card.credit_verified, a_card.credit_level) == (True, "A · 812/1000")
    assert a_card.credit_checked_at >= registry.started_at
    assert not EnterpriseCard.objects.exclude(enterprise=a).exists()  # only platform enterprises have cards
    assert verified_ids() == {motor.pk}
    assert verified_ids(q="电机") == {motor.pk}  # the facet lexeme in the search vector, too


def test_a_serious_event_or_a_revoked_registry_takes_the_flag_away(make_enterprise, gov_import):
    # given: two verified enterprises
    a, b = make_enterprise(uscc=USCC_A), make_enterprise(uscc=USCC_B)
    listing_a, listing_b = post(a, title="交流电机"), post(b, title="深沟球轴承", category_code="brg-rolling-deepgroove")
    gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"], [USCC_B, "慈溪市老厂轴承有限公司", "在业"]])
    gov_import([RATINGS, [USCC_B, "纳税信用等级", "2024", "B", "", ""]])
    assert verified_ids() == {listing_a.pk, listing_b.pk}
    # when: A is put on the abnormal-operation list (negative, not serious)
    gov_import([EVENTS, [USCC_A, "经营异常名录", "2025-01-10", "", "AB1", "慈溪市市场监督管理局"]])
    # then: still verified
    assert card(a).credit_verified is True
    # when: A on the serious illegal and dishonest list; B's licence revoked
    gov_import([EVENTS, [USCC_A, "严重违法失信名单", "2025-02-01", "", "SI1", "浙江省市场监督管理局"]])
    gov_import([REGISTRY, [USCC_B, "慈溪市老厂轴承有限公司", "吊销，未注销"]])
    # then
    assert (card(a).credit_verified, card(a).credit_level) == (False, "")
    assert (card(b).credit_verified, card(b).credit_level) == (False, "B")  # the rating still shows
    assert verified_ids() == set()


def test_a_listing_that_lapses_is_caught_by_the_nightly_refresh(make_enterprise, gov_import, settings, tmp_path):
    # given: A on the dishonest-debtor list until next week
    a = make_enterprise(uscc=USCC_A)
    removal = timezone.localdate() + timedelta(days=7)
    gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"]])
    gov_import([EVENTS, [USCC_A, "失信被执行人", "2024-11-20", removal.isoformat(), "D1", "慈溪市人民法院"]])
    assert card(a).credit_verified is False
    # when: the week has passed (no new record)
    boards_credit_refresh(today=removal)
    # then
    assert card(a).credit_verified is True
    # and the nightly sync brings every card in step at its end (here: a file in the exchange folder)
    settings.GOVDATA_EXCHANGE_DIR = str(tmp_path)
    settings.GOVDATA_API_URL = ""
    (tmp_path / "registry.csv").write_bytes(csv_bytes([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "注销"]]))
    assert sync_nightly().status == "succeeded"
    assert card(a).credit_verified is False


def test_the_command_recomputes_all_or_some_cards(make_enterprise, capsys):
    # given: government data that arrived before the link existed (written without the hook)
    c, d = make_enterprise(uscc=USCC_C), make_enterprise(uscc=USCC_D)
    file_import(content=csv_bytes([REGISTRY, [USCC_C, "宁波外资电器有限公司", "在业"],
                                   [USCC_D, "慈溪市新厂有限公司", "存续"]]), filename="registry.csv")
    assert not EnterpriseCard.objects.filter(credit_verified=True).exists()
    # when: one code
    call_command("boards_credit_refresh", USCC_C)
    # then
    assert card(c).credit_verified is True
    assert not EnterpriseCard.objects.filter(enterprise=d, credit_verified=True).exists()
    # when: every enterprise
    call_command("boards_credit_refresh")
    # then
    assert card(d).credit_verified is True
    assert capsys.readouterr().out.splitlines() == ["1 enterprise card(s) set", "2 enterprise card(s) set"]


def test_a_rejected_or_rolled_back_batch_changes_nothing_on_the_boards(make_enterprise, gov_import,
                                                                         django_capture_on_commit_callbacks):
    # given
    a = make_enterprise(uscc=USCC_A)
    gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"]])
    before = card(a).credit_checked_at
    # when: a batch with a bad row, and a batch whose transaction is rolled back
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rejected = file_import(content=csv_bytes([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "吊销"],
                                                  ["BAD", "某公司", "存续"]]), filename="bad.csv")
        with pytest.raises(RuntimeError), transaction.atomic():
            file_import(content=csv_bytes([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "吊销"]]), filename="r.csv")
            raise RuntimeError("the caller's transaction fails")
    # then
    assert rejected.status == "rejected" and callbacks == []
    assert (card(a).credit_verified, card(a).credit_checked_at) == (True, before)


def test_search_listing_and_enterprise_pages_show_each_posters_badge(web, client, make_enterprise, gov_import):
    # given: A in good standing, B with a serious event in force
    a, b = make_enterprise(uscc=USCC_A, name="慈溪市美厨电器有限公司"), make_enterprise(uscc=USCC_B)
    listing_a = post(a, title="交流电机 220V")
    listing_b = post(b, title="深沟球轴承", category_code="brg-rolling-deepgroove")
    gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"], [USCC_B, "慈溪市老厂轴承有限公司", "存续"]])
    gov_import([RATINGS, [USCC_A, "纳税信用等级", "2024", "A", "", ""],
                [USCC_A, "公共信用评价", "2024", "", "812", "0-1000"], [USCC_B, "纳税信用等级", "2024", "D", "", ""]])
    gov_import([EVENTS, [USCC_B, "严重违法失信名单", "2025-02-01", "", "SI1", "浙江省市场监督管理局"]])
    # when
    found = web.get("/boards/search/").content.decode()
    partial = web.get("/boards/search/", {"q": "电机"}, HTTP_HX_REQUEST="true").content.decode()
    detail = web.get(f"/boards/l/{listing_a.pk}/").content.decode()
    profile = web.get(f"/boards/enterprise/{a.slug}/").content.decode()
    index = web.get("/boards/").content.decode()
    # then: each entry carries its own poster's badge, in English
    in_a, in_b = item_html(found, listing_a.pk), item_html(found, listing_b.pk)
    assert 'data-level="good"' in in_a and "Credit: good standing" in in_a
    assert "Tax credit A (2024) · Public credit 812/1000" in in_a and "Credit verified · A · 812/1000" in in_a
    assert 'data-level="alert"' in in_b and "Credit alert" in in_b and "Tax credit D (2024)" in in_b
    assert "serious illegal and dishonest list (严重违法失信名单)" in in_b and 'data-credit="unverified"' in in_b
    assert "Tax credit D" not in in_a and "dishonest" not in in_a and "Tax credit A" not in in_b
    assert "Tax credit A (2024)" in item_html(partial, listing_a.pk) and "Tax credit D" not in partial
    assert "Tax credit A (2024)" in item_html(index, listing_a.pk) and "Credit alert" in item_html(index, listing_b.pk)
    # the listing's page and the enterprise's page: the badge and (on the enterprise page) the registry facts
    card_html = detail.split('id="enterprise-card"')[1].split('id="contact"')[0]
    assert "Credit: good standing" in card_html and "Tax credit A (2024)" in card_html
    assert "Tax credit D" not in detail and "Credit alert" not in detail
    assert 'id="gov-credit"' in profile and "Tax credit A (2024)" in profile and "Tax credit D" not in profile
    facts = profile.split('id="registry-facts"')[1]
    assert "Registry facts (government data)" in facts and "Registered name" in facts and USCC_A in facts
    # and in the default language (zh-Hans)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    zh = client.get("/boards/search/").content.decode()
    assert "纳税信用 A 级（2024）" in item_html(zh, listing_a.pk) and "信用警示" in item_html(zh, listing_b.pk)


def test_the_search_page_loads_the_badges_with_a_fixed_number_of_queries(web, make_enterprise, gov_import):
    # given: two posters with one listing each
    posters = [make_enterprise(uscc=USCC_A), make_enterprise(uscc=USCC_B)]
    for e in posters:
        post(e, title="交流电机")
    gov_import([RATINGS, [USCC_A, "纳税信用等级", "2024", "A", "", ""], [USCC_B, "纳税信用等级", "2024", "B", "", ""],
                [USCC_C, "纳税信用等级", "2024", "M", "", ""], [USCC_D, "纳税信用等级", "2024", "C", "", ""]])
    web.get("/boards/search/", {"q": "电机"})  # warm-up (content types, translations)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = web.get("/boards/search/", {"q": "电机"}).content.decode()
        return len([q for q in captured if not q["sql"].startswith("SET search_path")]), page

    few, few_page = queries()
    # when: two more posters with three listings each
    for e in (make_enterprise(uscc=USCC_C), make_enterprise(uscc=USCC_D)):
        for n in range(3):
            post(e, title=f"交流电机 {n}")
    many, many_page = queries()
    # then
    assert len(re.findall(r'data-listing="\d+"', few_page)) == 2
    assert len(re.findall(r'data-listing="\d+"', many_page)) == 8
    assert many_page.count("govdata-badge") == 8 and "Tax credit M (2024)" in many_page
    assert many == few


def test_an_enterprise_that_joins_after_its_government_data_is_verified_when_it_first_posts(make_enterprise,
                                                                                             gov_import):
    # given: the registry and ratings arrived before the enterprise joined
    gov_import([REGISTRY, [USCC_A, "慈溪市美厨电器有限公司", "存续"]], "registry.csv")
    gov_import([RATINGS, [USCC_A, "纳税信用等级", "2024", "A", "", ""]], "ratings.csv")
    a = make_enterprise(uscc=USCC_A)
    assert not EnterpriseCard.objects.filter(enterprise=a).exists()
    # when
    motor = post(a, title="交流电机 220V")
    # then
    assert (card(a).credit_verified, card(a).credit_level) == (True, "A")
    assert verified_ids(q="电机") == {motor.pk}


def test_the_refresh_of_many_enterprises_costs_the_same_few_statements(make_enterprise, gov_import):
    # given ten enterprises on the platform, four of them in the registry, and their cards set once
    enterprises = [make_enterprise() for _ in range(10)]
    gov_import([REGISTRY, *[[e.uscc, e.name, "存续"] for e in enterprises[:4]]], "registry.csv")
    boards_credit_refresh()

    def statements(usccs):
        with CaptureQueriesContext(connection) as captured:
            boards_credit_refresh(usccs=usccs)
        return len(captured.captured_queries)

    # when / then: two enterprises or ten, nothing changing: the same statements
    assert statements([e.uscc for e in enterprises[:2]]) == statements([e.uscc for e in enterprises])
    assert sorted(EnterpriseCard.objects.filter(credit_verified=True).values_list("enterprise_id", flat=True)) == \
        sorted(e.pk for e in enterprises[:4])
