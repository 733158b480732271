"""Board details users hit: thumbnails in the lists (without a query per listing), the year established
printed as a year, distinct labels for the listing's kind and its category, the category drop-downs as
the tree, board names without English subtitles in zh-Hans, the match badge beside (not over) the date,
and the inquiry pages refreshing their unread counts (htmx polling a small fragment)."""

import html
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile

from ecommerce import selectors, services
from ecommerce.models import Board, Category, ListingImage, Match
from ecommerce.tests.factories import member, owner_of, post

pytestmark = pytest.mark.django_db
D = Decimal
INDENT = "\u3000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def web():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def png(name="part.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 90, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def item_html(page: str, listing_id: int) -> str:
    """The list entry of one listing (the _listing_item.html block)."""
    start = page.index(f'data-listing="{listing_id}"')
    end = page.find('class="list-group-item listing-item"', start)
    return page[start:end if end != -1 else len(page)]


def options(page: str, select_id: str) -> list[tuple[int, str]]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [(int(value), html.unescape(label)) for value, label in
            re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)]


def tree(board_code: str) -> list[tuple[int, str]]:
    """A board's categories as its tree, computed here independently: each parent, then its children."""
    nodes = list(Category.objects.filter(board__code=board_code))
    tops = sorted((c for c in nodes if c.parent_id is None), key=lambda c: (c.sort_order, c.code))
    expected = []
    for top in tops:
        expected.append((top.pk, top.name))
        children = sorted((c for c in nodes if c.parent_id == top.pk), key=lambda c: (c.sort_order, c.code))
        expected += [(c.pk, INDENT + c.name) for c in children]
    return expected


# ---- thumbnails --------------------------------------------------------------------------------


def test_board_and_search_lists_show_each_listings_first_image_as_a_thumbnail(web, make_enterprise):
    # given: a listing with two images, one without
    e = make_enterprise()
    pictured = post(e, title="交流电机 带图")
    plain = post(e, title="交流电机 无图")
    first, _second = services.listing_images_add(listing=pictured, user=owner_of(e), files=[png("a.png"), png("b.png")])
    # when
    board = web.get("/boards/b/appliances/").content.decode()
    search = web.get("/boards/search/", {"q": "交流电机"}).content.decode()
    # then: the first image's thumbnail in both lists, nothing for the listing without images
    for page in (board, search):
        assert f'src="/boards/images/{first.pk}/thumb/"' in item_html(page, pictured.pk)
        assert "listing-thumb" not in item_html(page, plain.pk)
    assert web.get(f"/boards/images/{first.pk}/thumb/")["Content-Type"] == "image/jpeg"


def test_thumbnails_cost_the_same_queries_for_few_or_many_listings(web, make_enterprise):
    # given
    e = make_enterprise()
    for n in range(2):
        services.listing_images_add(listing=post(e, title=f"交流电机 {n}"), user=owner_of(e), files=[png()])
    web.get("/boards/search/", {"q": "交流电机"})  # warm-up

    def queries(path, params=None):
        with CaptureQueriesContext(connection) as captured:
            page = web.get(path, params or {}).content.decode()
        return len([q for q in captured if not q["sql"].startswith("SET search_path")]), page

    few_search, _page = queries("/boards/search/", {"q": "交流电机"})
    few_board, _page = queries("/boards/b/appliances/")
    # when: four more listings with images, by another enterprise
    other = make_enterprise()
    for n in range(4):
        services.listing_images_add(listing=post(other, title=f"交流电机 {n + 2}"), user=owner_of(other),
                                    files=[png(), png("c.png")])
    many_search, search_page = queries("/boards/search/", {"q": "交流电机"})
    many_board, _page = queries("/boards/b/appliances/")
    # then
    assert search_page.count("listing-thumb") == 6
    assert (many_search, many_board) == (few_search, few_board)


def test_a_foreign_or_hidden_listings_images_are_not_prefetched_into_another_list(web, make_enterprise):
    # given: an image of a draft listing (not shown on the boards)
    e = make_enterprise()
    draft = post(e, title="交流电机 草稿", publish=False)
    image = services.listing_images_add(listing=draft, user=owner_of(e), files=[png()])[0]
    # when
    page = web.get("/boards/search/", {"q": "交流电机"}).content.decode()
    # then
    assert f"/boards/images/{image.pk}/" not in page
    assert web.get(f"/boards/images/{image.pk}/thumb/").status_code == 404
    assert ListingImage.objects.filter(pk=image.pk).exists()


# ---- the enterprise card -----------------------------------------------------------------------


def test_the_year_established_reads_as_a_year_without_a_thousands_separator(web, make_enterprise):
    # given
    e = make_enterprise()
    services.enterprise_card_update(enterprise=e, user=owner_of(e), established_year=2006)
    # when
    page = web.get(f"/boards/enterprise/{e.slug}/").content.decode()
    # then
    established = re.search(r'id="card-established">([^<]*)</dd>', page).group(1)
    assert established.startswith("2006 (") and "2,006" not in page


# ---- labels and drop-downs -------------------------------------------------------------------


def test_the_listings_kind_and_its_category_have_different_labels(web, make_enterprise):
    # given
    e = make_enterprise()
    web.force_login(owner_of(e))
    # when
    form = web.get("/boards/new/").content.decode()
    search = web.get("/boards/search/").content.decode()
    mine = web.get("/boards/mine/").content.decode()
    # then: the kind (supply / demand) is not labelled like the category
    assert '<div class="form-label">Supply or demand</div>' in form
    assert re.search(r'<label[^>]*for="id_category"[^>]*>\s*Category', form)
    assert '<label class="form-label small" for="f-kind">Supply or demand</label>' in search
    assert '<label class="form-label small" for="f-category">Category</label>' in search
    assert "Supply or demand" in mine and ">Kind<" not in mine


def test_the_category_drop_downs_list_the_tree_parents_then_their_children_indented(web, make_enterprise):
    # given
    e = make_enterprise()
    web.force_login(owner_of(e))
    # when
    form = web.get("/boards/new/").content.decode()
    search = web.get("/boards/search/", {"board": "appliances"}).content.decode()
    # then: the search filter of a board, and the form's group of that board, read as the tree
    expected = tree("appliances")
    assert options(search, "f-category") == expected
    group = re.search(r'<optgroup label="{}">(.*?)</optgroup>'.format(Board.objects.get(code="appliances").name),
                      form, re.S).group(1)
    assert [(int(v), html.unescape(label)) for v, label in
            re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', group)] == expected
    motor = Category.objects.get(code="appl-parts-motor")
    parts = expected.index((motor.parent_id, motor.parent.name))
    assert (motor.pk, INDENT + "电机") in expected[parts + 1:parts + 1 + motor.parent.children.count()]
    # every board's categories when no board is chosen, each board's in its own tree order
    everything = selectors.category_choices()
    assert len(everything) == Category.objects.count()
    assert [c for c in everything if c[0] in {pk for pk, _label in expected}] == expected


# ---- board names -------------------------------------------------------------------------------


def test_board_names_have_no_english_subtitle_in_zh_hans(make_enterprise):
    # given
    board = Board.objects.get(code="appliances")
    chinese, english = Client(HTTP_ACCEPT_LANGUAGE="zh-Hans"), Client(HTTP_ACCEPT_LANGUAGE="en")
    # when / then: the boards' home and a board's page
    for path in ("/boards/", "/boards/b/appliances/"):
        zh_page = chinese.get(path).content.decode()
        assert board.name in zh_page and board.name_en not in zh_page and "board-name-en" not in zh_page
        en_page = english.get(path).content.decode()
        assert board.name_en in en_page and "board-name-en" in en_page


# ---- the match badge ---------------------------------------------------------------------------


def test_the_match_score_sits_below_the_date_instead_of_over_it(web, make_enterprise):
    # given
    buyer, seller = make_enterprise(), make_enterprise()
    demand = post(buyer, kind="demand", title="求购油烟机用交流电机")
    supply = post(seller, title="供应油烟机交流电机")
    Match.objects.create(demand=demand, supply=supply, score=D("0.8731"))
    # when
    page = web.get(f"/boards/l/{demand.pk}/").content.decode()
    # then: in the entry's own right-hand column, after the date, in the flow (not positioned over it)
    matches = page[page.index('id="matches"'):]
    entry = item_html(matches, supply.pk)
    assert entry.index("listing-date") < entry.index("match-score")
    assert "match 87%" in entry and "position-absolute" not in matches[:matches.index("</section>")]


# ---- inquiries: unread counts without a reload --------------------------------------------------


def test_inquiry_pages_poll_a_small_fragment_for_their_unread_counts(web, make_enterprise, make_user):
    # given: a buyer asks the seller twice
    seller, buyer = make_enterprise(), make_enterprise()
    listing = post(seller, title="交流电机")
    thread = services.inquiry_send(listing=listing, enterprise=buyer, user=owner_of(buyer), body="报价？")
    web.force_login(owner_of(seller))
    # when: the inbox and a conversation
    inbox = web.get("/boards/inquiries/").content.decode()
    conversation = web.get(f"/boards/inquiries/{thread.pk}/").content.decode()
    # then: both poll every 20 s (the inbox with its conversations)
    assert 'hx-get="/boards/inquiries/unread/?threads=1" hx-trigger="every 20s" hx-swap="none"' in inbox
    assert 'hx-get="/boards/inquiries/unread/" hx-trigger="every 20s" hx-swap="none"' in conversation
    # when the buyer writes again while the seller's inbox is open
    services.inquiry_send(listing=listing, enterprise=buyer, user=owner_of(buyer), body="能否寄样？")
    fragment = web.get("/boards/inquiries/unread/?threads=1").content.decode()
    counters = web.get("/boards/inquiries/unread/").content.decode()
    # then: the counters and the conversation list swap in out of band; reading the fragment marks nothing
    assert '<span id="unread-inquiries-slot" hx-swap-oob="true"> <span class="badge text-bg-danger" ' \
           'id="unread-inquiries">1</span></span>' in fragment
    assert 'id="threads" hx-swap-oob="true"' in fragment and "1 unread" in fragment
    assert 'id="unread-inquiries">1<' in counters and 'id="threads"' not in counters
    assert "<html" not in fragment and "<nav" not in fragment
    assert selectors.inquiry_unread_total(user=owner_of(seller)) == 1
    # after reading the conversation, the counter empties
    web.get(f"/boards/inquiries/{thread.pk}/")
    assert 'id="unread-inquiries"' not in web.get("/boards/inquiries/unread/?threads=1").content.decode()


def test_the_unread_fragment_shows_only_the_users_own_enterprises(make_enterprise, make_user):
    # given: a thread between A (seller) and B (buyer); C's member polls
    seller, buyer, other = make_enterprise(), make_enterprise(), make_enterprise()
    thread = services.inquiry_send(listing=post(seller, title="交流电机"), enterprise=buyer, user=owner_of(buyer),
                                   body="报价？")
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(member(make_user, other))
    # when
    fragment = outsider.get("/boards/inquiries/unread/?threads=1").content.decode()
    # then: no counter and not B's or A's conversation
    assert 'id="unread-inquiries"' not in fragment and f'data-thread="{thread.pk}"' not in fragment
    assert "No inquiries yet." in fragment
    # logged out: htmx is told to stop polling
    assert Client().get("/boards/inquiries/unread/").status_code == 286
