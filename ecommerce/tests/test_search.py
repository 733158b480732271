"""Chinese search on plain PostgreSQL: jieba segmentation into a 'simple' tsvector, filters, ranking, paging."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecommerce import search, selectors, services
from ecommerce.models import Listing
from ecommerce.selectors import SearchFilters
from ecommerce.tests.factories import category, post

pytestmark = pytest.mark.django_db
D = Decimal


def titles(page):
    return [listing.title for listing in page.results]


def test_query_is_an_and_of_terms_each_an_or_of_its_variants():
    # when / then
    assert search.build_tsquery("抽油烟机 电机") == "('抽油烟机' | '油烟机') & '电机'"
    assert search.build_tsquery("化纤面料") == "('化纤面料' | ('化纤' & '面料'))"
    assert search.build_tsquery("深沟球轴承 6204-2RS") == "'深沟' & '球轴承' & '6204' & '2rs'"
    assert search.build_tsquery("油烟机用电机") == "'油烟机' & '电机'"  # 用: a single character among words
    assert search.build_tsquery("的 ,,, ") == ""


def test_document_words_are_search_mode_words_of_title_specifications_and_description():
    # when
    title, attrs, body = search.document_texts(title="油烟机用电机", description="侧吸式吸油烟机专用，220V。",
                                               attributes=[["型号", "YYJ-180"]])
    # then
    assert title == "油烟 烟机 油烟机 用 电机"
    assert attrs == "yyj 180"
    assert body == "侧 吸式 油烟 烟机 油烟机 吸油烟机 专用 220v"


def test_range_hood_motor_is_found_by_its_words_in_another_order_and_form(make_enterprise):
    # given
    e = make_enterprise()
    wanted = post(e, title="油烟机用电机", description="铜线绕组，低噪音。")
    post(e, title="抽油烟机不锈钢油网", category_code="appl-parts-metal")
    post(e, title="洗衣机电机", description="滚筒洗衣机用")
    # when
    page = selectors.listing_search(filters=SearchFilters(q="抽油烟机 电机"))
    # then
    assert titles(page) == ["油烟机用电机"]
    assert page.results[0].pk == wanted.pk and page.total == 1 and not page.capped


def test_specification_values_are_searched(make_enterprise):
    # given
    e = make_enterprise()
    post(e, title="深沟球轴承", category_code="brg-rolling-deepgroove", attributes=[["型号", "6204-2RS"]])
    post(e, title="深沟球轴承", category_code="brg-rolling-deepgroove", attributes=[["型号", "6205"]])
    # when
    page = selectors.listing_search(filters=SearchFilters(q="6204"))
    # then
    assert [listing.attributes for listing in page.results] == [[["型号", "6204-2RS"]]]


def test_title_match_ranks_above_description_match_and_newer_above_older(make_enterprise):
    # given
    e = make_enterprise()
    in_description = post(e, title="家电配件", description="各类交流电机配件")
    in_title_old = post(e, title="交流电机 180W")
    in_title_new = post(e, title="交流电机 200W")
    Listing.objects.filter(pk=in_title_old.pk).update(published_at=timezone.now() - timedelta(days=60))
    services.listing_search_index(listing=in_title_old)  # its day of publication is part of the index
    # when
    page = selectors.listing_search(filters=SearchFilters(q="交流电机"))
    # then
    assert [r.pk for r in page.results] == [in_title_new.pk, in_title_old.pk, in_description.pk]


def test_filters_board_category_kind_price_town_and_verified_credit(make_enterprise):
    # given
    a = make_enterprise(town="观海卫镇")
    b = make_enterprise(town="周巷镇")
    services.enterprise_card_credit_set(enterprise=b, verified=True, level="A")
    motor = post(a, title="电机 A", price_min=D("100"), price_max=D("120"))
    post(a, title="电机 需求", kind="demand", price_min=D("90"))
    bearing = post(b, title="电机轴承 6202", category_code="brg-rolling-deepgroove", price_min=D("1.5"))
    cheap = post(b, title="电机 B", price_min=D("50"))

    def ids(**kw):
        return {r.pk for r in selectors.listing_search(filters=SearchFilters(q="电机", **kw)).results}

    # when / then
    assert ids(board=category("brg-rolling-deepgroove").board) == {bearing.pk}
    assert ids(category=category("brg-rolling")) == {bearing.pk}  # a parent includes its children
    assert ids(kind="supply") == {motor.pk, bearing.pk, cheap.pk}
    assert ids(price_min=D("60"), price_max=D("110")) == {motor.pk, ids(kind="demand").pop()}
    assert ids(town="周巷镇") == {bearing.pk, cheap.pk}
    assert ids(credit_verified=True) == {bearing.pk, cheap.pk}
    assert ids(town="观海卫镇", credit_verified=True) == set()
    # when A's credit is verified later, and B moves to another town (its settings, then the beat task)
    services.enterprise_card_credit_set(enterprise=a, verified=True)
    b.town = "宗汉街道"
    b.save()
    services.listings_expire_due()
    # then
    assert ids(town="观海卫镇", credit_verified=True) == {motor.pk, ids(kind="demand").pop()}
    assert ids(town="周巷镇") == set() and ids(town="宗汉街道") == {bearing.pk, cheap.pk}


def test_hidden_expired_closed_and_draft_listings_are_not_found(make_enterprise, make_user):
    # given
    e = make_enterprise()
    office = make_user(platform_role="office")
    shown = post(e, title="电机 正常")
    hidden = post(e, title="电机 违规")
    services.listing_hide(listing=hidden, user=office, reason="虚假信息")
    expired = post(e, title="电机 过期")
    Listing.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    closed = post(e, title="电机 关闭")
    services.listing_close(listing=closed, user=closed.created_by)
    post(e, title="电机 草稿", publish=False)
    # when
    page = selectors.listing_search(filters=SearchFilters(q="电机"))
    # then
    assert [r.pk for r in page.results] == [shown.pk]


def test_edit_updates_the_search_vector(make_enterprise):
    # given
    e = make_enterprise()
    listing = post(e, title="洗衣机电机")
    # when
    services.listing_update(listing=listing, user=listing.created_by, title="空调压缩机",
                            attributes=[["品牌", "海立"]])
    # then
    assert selectors.listing_search(filters=SearchFilters(q="洗衣机")).total == 0
    assert selectors.listing_search(filters=SearchFilters(q="压缩机 海立")).total == 1


def test_pages_of_twenty_newest_first_without_words(make_enterprise, settings):
    # given
    settings.BOARDS_POSTING_LIMIT = 100
    e = make_enterprise()
    made = [post(e, title=f"电机 {n}") for n in range(45)]
    # when
    first = selectors.listing_search(filters=SearchFilters(), page=1)
    third = selectors.listing_search(filters=SearchFilters(q="电机", sort="newest"), page=3)
    # then
    assert first.total == 45 and first.num_pages == 3 and first.has_next
    assert [r.pk for r in first.results] == [m.pk for m in reversed(made)][:20]
    assert [r.pk for r in third.results] == [m.pk for m in reversed(made)][40:]
    assert not third.has_next


def test_search_window_caps_the_count(make_enterprise, settings):
    # given
    settings.BOARDS_POSTING_LIMIT = 100
    settings.BOARDS_SEARCH_WINDOW = 10
    e = make_enterprise()
    for n in range(12):
        post(e, title=f"电机 {n}")
    # when
    page = selectors.listing_search(filters=SearchFilters(q="电机"))
    # then
    assert page.capped and page.total == 10 and len(page.results) == 10


def test_time_steps_give_the_answer_of_one_query_over_the_whole_table(make_enterprise, settings):
    # given: 40 listings published over 400 days (in every time step), a rare word in a few of them
    settings.BOARDS_POSTING_LIMIT = 100
    settings.BOARDS_SEARCH_WINDOW = 6
    e = make_enterprise()
    ages = [0, 0.3, 1.2, 2, 3, 5, 6, 8, 10, 12, 15, 20, 26, 33, 40, 47, 55, 62, 70, 80, 95, 110, 125, 140, 160, 180,
            200, 220, 240, 260, 280, 300, 320, 340, 360, 380, 390, 395, 398, 400]
    made = {}
    for n, age in enumerate(ages):
        listing = post(e, title=f"电机 {n}" + (" 罩极" if n % 9 == 4 else ""),
                       category_code="appl-parts-motor" if n % 2 else "appl-parts-control")
        Listing.objects.filter(pk=listing.pk).update(published_at=timezone.now() - timedelta(days=age))
        services.listing_search_index(listing=listing)
        made[listing.pk] = listing
    by_age = [pk for pk, _age in sorted(zip(made, ages), key=lambda pair: pair[1])]

    def ids(q, **filters):
        page = selectors.listing_search(filters=SearchFilters(q=q, sort="newest", **filters))
        return [r.pk for r in page.results], page.total, page.capped

    def expected(word, keep=lambda listing: True):
        pks = [pk for pk in by_age if word in made[pk].title and keep(made[pk])]
        return pks[:6], min(len(pks), 6), len(pks) > 6

    # when / then
    assert ids("电机") == expected("电机")
    assert ids("罩极") == expected("罩极")  # 4 matches, 3 to 300 days old: every step is read
    motors = category("appl-parts-motor")
    assert ids("罩极", category=motors) == expected("罩极", lambda lst: lst.category_id == motors.pk)
    assert ids("罩极", board=category("brg-rolling").board) == ([], 0, False)
    assert ids("电机", kind="demand") == ([], 0, False)


def test_facet_lexemes_are_in_the_vector_but_never_ranked(make_enterprise):
    # given
    e = make_enterprise()
    listing = post(e, title="电机", category_code="appl-parts-motor")
    # when
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM ecommerce_listing WHERE id = %s", [listing.pk])
        vector = cursor.fetchone()[0]
    # then
    today = timezone.localdate()
    year, week, _day = today.isocalendar()
    assert vector == (f"'~b{listing.board_id}' '~c{listing.category_id}' '~d{today:%Y%m%d}' '~ksupply' "
                      f"'~m{today:%Y%m}' '~w{year}w{week:02d}' '电机':1A")
