"""The board pages through the test client on the public host."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from ecommerce import services
from ecommerce.models import Listing, Notification
from ecommerce.tests.factories import category, member, owner_of, post
from tenants.models import Role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def web(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_board_home_pages_list_featured_and_newest(web, make_enterprise, make_user):
    # given
    e = make_enterprise()
    hood = post(e, title="侧吸式吸油烟机", category_code="appl-kitchen-hood")
    wanted = post(e, kind="demand", title="求购电机")
    bearing = post(e, title="深沟球轴承", category_code="brg-rolling-deepgroove")
    services.listing_feature(listing=hood, user=make_user(platform_role="office"), featured=True)
    # when
    index = web.get("/boards/").content.decode()
    board = web.get("/boards/b/appliances/").content.decode()
    # then
    assert 'data-board="bearings"' in index and "侧吸式吸油烟机" in index
    featured = board.split('id="featured"')[1].split('id="newest-supply"')[0]
    assert "侧吸式吸油烟机" in featured and "求购电机" not in featured
    assert f'data-listing="{wanted.pk}"' in board.split('id="newest-demand"')[1]
    assert f'data-listing="{bearing.pk}"' not in board
    assert "3854" in board and "吸油烟机" in board  # the category tree with its GB/T 4754 classes
    assert web.get("/boards/b/nothing/").status_code == 404


def test_search_page_filters_and_htmx_results(web, make_enterprise):
    # given
    e = make_enterprise(town="观海卫镇")
    post(e, title="油烟机用电机", price_min=D("120"))
    post(e, title="洗衣机电机", price_min=D("80"))
    # when
    full = web.get("/boards/search/", {"q": "抽油烟机 电机"}).content.decode()
    partial = web.get("/boards/search/", {"q": "电机", "price_max": "100", "town": "观海卫镇"},
                      HTTP_HX_REQUEST="true").content.decode()
    # then
    assert "油烟机用电机" in full and "洗衣机电机" not in full and "1 listing found" in full
    assert partial.startswith('\n<div id="results">') or partial.lstrip().startswith('<div id="results">')
    assert "洗衣机电机" in partial and "油烟机用电机" not in partial and "<html" not in partial
    assert web.get("/boards/search/", {"price_min": "abc", "page": "x"}).status_code == 200


def test_post_a_listing_through_the_form(web, make_enterprise):
    # given
    e = make_enterprise()
    web.force_login(owner_of(e))
    hood = category("appl-kitchen-hood")
    # when: a mistake, then a good post
    bad = web.post("/boards/new/", {"enterprise": e.pk, "kind": "supply", "category": hood.pk, "title": "吸油烟机",
                                   "price_min": "800", "price_max": "700", "delivery_terms": "ex_works",
                                   "validity_days": "30"})
    good = web.post("/boards/new/", {
        "enterprise": e.pk, "kind": "supply", "category": hood.pk, "title": "侧吸式吸油烟机 CXW-200",
        "description": "大吸力", "attributes": "风量: 18 m³/min\n噪音：56 dB", "quantity": "200", "unit": "台",
        "moq": "10", "price_min": "680", "price_max": "760", "delivery_terms": "ex_works",
        "delivery_place": "慈溪", "validity_days": "60", "contact_name": "王丽", "show_stock": "on"})
    # then
    assert bad.status_code == 200 and "The upper price must not be below the lower price." in bad.content.decode()
    listing = Listing.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/boards/l/{listing.pk}/"
    assert listing.attributes == [["风量", "18 m³/min"], ["噪音", "56 dB"]]
    assert (listing.board.code, listing.status, listing.moq) == ("appliances", "published", D("10"))
    assert abs((listing.expires_at - timezone.now()) - timedelta(days=60)) < timedelta(minutes=1)
    page = web.get(good["Location"]).content.decode()
    assert "¥680.00 – ¥760.00 / 台" in page and "Unverified" in page and "18 m³/min" in page


def test_edit_keeps_validity_unless_asked_and_member_pages_render(web, make_enterprise):
    # given
    e = make_enterprise()
    listing = post(e, title="电机", quantity=D("5"), unit="个")
    expires = listing.expires_at
    web.force_login(owner_of(e))
    form = web.get(f"/boards/l/{listing.pk}/edit/")
    # when
    response = web.post(f"/boards/l/{listing.pk}/edit/", {
        "category": listing.category_id, "title": "交流电机 220V", "delivery_terms": "delivered",
        "validity_days": "", "attributes": "", "show_stock": "on"})
    # then
    assert form.status_code == 200 and 'value="电机"' in form.content.decode()
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.delivery_terms, listing.expires_at) == ("交流电机 220V", "delivered", expires)
    for url in ("/boards/mine/", "/boards/rfqs/", "/boards/inquiries/", "/boards/notifications/",
                f"/boards/enterprise/{e.slug}/", f"/boards/enterprise/{e.slug}/card/"):
        assert web.get(url).status_code == 200, url
    assert "交流电机 220V" in web.get("/boards/mine/", {"q": "交流"}).content.decode()
    assert web.get("/boards/mine/", {"export": "xlsx"})["Content-Type"].startswith("application/vnd.openxml")


def test_member_pages_need_a_login(web):
    for url in ("/boards/new/", "/boards/mine/", "/boards/inquiries/", "/boards/notifications/", "/boards/office/"):
        response = web.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), url


def test_enterprise_card_shows_years_and_credit_badge(web, make_enterprise):
    # given
    e = make_enterprise(town="周巷镇")
    web.force_login(owner_of(e))
    # when
    web.post(f"/boards/enterprise/{e.slug}/card/", {"established_year": str(timezone.now().year - 12),
                                                     "main_products": "深沟球轴承"})
    listing = post(e, title="轴承")
    before = web.get(f"/boards/l/{listing.pk}/").content.decode()
    services.enterprise_card_credit_set(enterprise=e, verified=True, level="A")
    after = web.get(f"/boards/l/{listing.pk}/").content.decode()
    # then
    assert "12 years" in before and "周巷镇" in before and 'data-credit="unverified"' in before
    assert 'data-credit="verified"' in after and "Credit verified · A" in after


def test_quotations_are_compared_side_by_side_and_accepted(web, make_enterprise):
    # given
    buyer, s1, s2 = make_enterprise(), make_enterprise(name="慈溪市一号电机厂"), make_enterprise(name="慈溪市二号电机厂")
    rfq = post(buyer, kind="demand", title="求购电机", is_rfq=True, quantity=D("100"), unit="个")
    valid = (timezone.localdate() + timedelta(days=10)).isoformat()
    for supplier, price in ((s1, "120"), (s2, "115")):
        web.force_login(owner_of(supplier))
        response = web.post(f"/boards/l/{rfq.pk}/quote/", {"enterprise": supplier.pk, "unit_price": price,
                                                           "quantity": "100", "lead_time_days": "20",
                                                           "valid_until": valid})
        assert response.status_code == 302
    # a supplier sees only its own quotation
    web.force_login(owner_of(s1))
    own_view = web.get(f"/boards/l/{rfq.pk}/").content.decode()
    assert "¥120.00" in own_view and "¥115.00" not in own_view
    # when the buyer compares and accepts
    web.force_login(owner_of(buyer))
    page = web.get(f"/boards/l/{rfq.pk}/").content.decode()
    table = page.split('id="quotation-compare"')[1].split("</table>")[0]
    assert table.index("¥115.00") < table.index("¥120.00") and 'table-success fw-semibold">¥115.00' in table
    cheaper = rfq.quotations.get(unit_price=D("115"))
    web.post(f"/boards/quotations/{cheaper.pk}/accept/")
    # then
    cheaper.refresh_from_db()
    rfq.refresh_from_db()
    assert cheaper.status == "accepted" and rfq.closed_reason == "accepted"
    assert Notification.objects.filter(kind="accepted", user=owner_of(s2)).exists()


def test_office_moderation_list(web, make_enterprise, make_user):
    # given
    e = make_enterprise()
    listing = post(e, title="可疑信息")
    office = make_user(platform_role="office")
    services.listing_hide(listing=listing, user=office, reason="联系方式不实")
    post(e, title="正常信息")
    web.force_login(office)
    # when
    hidden = web.get("/boards/office/", {"shown": "false"}).content.decode()
    # then
    assert "可疑信息" in hidden and "联系方式不实" in hidden and "正常信息" not in hidden


def test_a_supplier_withdraws_from_the_listing_page_and_from_its_quotations(web, make_enterprise, make_user):
    # given: two suppliers quoted on an RFQ
    buyer, s1, s2 = make_enterprise(), make_enterprise(name="慈溪市一号电机厂"), make_enterprise(name="慈溪市二号电机厂")
    rfq = post(buyer, kind="demand", title="求购电机", is_rfq=True, quantity=D("100"), unit="个")
    valid = timezone.localdate() + timedelta(days=10)
    q1, q2 = (services.quotation_submit(listing=rfq, enterprise=s, user=owner_of(s), unit_price=D(price),
                                        quantity=D("100"), lead_time_days=20, valid_until=valid)
              for s, price in ((s1, "120"), (s2, "115")))
    web.force_login(owner_of(s1))
    before = web.get(f"/boards/l/{rfq.pk}/").content.decode()
    mine = before.split('id="my-quotation"')[1].split("</div>")[0]
    assert f'action="/boards/quotations/{q1.pk}/withdraw/"' in mine and "Withdraw quotation" in mine
    assert "csrfmiddlewaretoken" in mine and "Withdraw this quotation? The buyer will be told." in mine
    assert "Revise your quotation" in before
    # when: from the listing's page (a GET does nothing)
    assert web.get(f"/boards/quotations/{q1.pk}/withdraw/").status_code == 405
    response = web.post(f"/boards/quotations/{q1.pk}/withdraw/", {"reason": "交期排不开"})
    # then
    assert response.status_code == 302 and response["Location"] == f"/boards/l/{rfq.pk}/#rfq"
    q1.refresh_from_db()
    assert q1.status == "withdrawn"
    after = web.get(f"/boards/l/{rfq.pk}/").content.decode()
    assert "is withdrawn." in after and 'data-status="withdrawn"' in after and "Withdrawn" in after
    assert "withdraw-quotation" not in after and "Send a quotation" in after and "Revise your quotation" not in after
    notice = Notification.objects.filter(user=rfq.created_by, kind="quotation").order_by("-id").first()
    assert "交期排不开" in notice.body
    # the buyer's comparison no longer shows it
    web.force_login(owner_of(buyer))
    table = web.get(f"/boards/l/{rfq.pk}/").content.decode().split('id="quotation-compare"')[1].split("</table>")[0]
    assert f'data-quotation="{q2.pk}"' in table and f'data-quotation="{q1.pk}"' not in table and "¥120.00" not in table
    # when: the other supplier withdraws from its list of quotations; a viewer sees no button
    viewer = member(make_user, s2, role=Role.VIEWER)
    web.force_login(viewer)
    assert "withdraw-quotation" not in web.get("/boards/rfqs/").content.decode()
    refused = web.post(f"/boards/quotations/{q2.pk}/withdraw/")
    assert refused.status_code == 403 and 'data-code="role_too_low"' in refused.content.decode()
    web.force_login(owner_of(s2))
    listed = web.get("/boards/rfqs/").content.decode().split('id="my-quotations"')[1]
    assert f'data-quotation="{q2.pk}"' in listed and "Withdraw quotation" in listed
    response = web.post(f"/boards/quotations/{q2.pk}/withdraw/", {"back": "rfqs"})
    # then
    assert response.status_code == 302 and response["Location"] == "/boards/rfqs/"
    listed = web.get("/boards/rfqs/").content.decode().split('id="my-quotations"')[1]
    assert 'data-status="withdrawn"' in listed and "withdraw-quotation" not in listed
    # a second time: the reason, not an error page
    again = web.post(f"/boards/quotations/{q2.pk}/withdraw/", follow=True).content.decode()
    assert "This quotation is already withdrawn." in again


def _quotation_on_an_rfq(make_enterprise):
    """A buyer's RFQ, a supplier's quotation on it, and a third enterprise: (buyer, supplier, stranger, quotation)."""
    buyer, supplier, stranger = make_enterprise(), make_enterprise(), make_enterprise()
    rfq = post(buyer, kind="demand", title="求购电机", is_rfq=True)
    q = services.quotation_submit(listing=rfq, enterprise=supplier, user=owner_of(supplier), unit_price=D("10"),
                                  quantity=D("5"), lead_time_days=3, valid_until=timezone.localdate())
    return buyer, supplier, stranger, q


def test_another_enterprises_quotation_cannot_be_withdrawn_nor_found(web, make_enterprise):
    # given
    buyer, supplier, stranger, q = _quotation_on_an_rfq(make_enterprise)
    # when / then: the buyer and a stranger get "not found", as for a quotation that does not exist
    for user in (owner_of(buyer), owner_of(stranger)):
        web.force_login(user)
        assert web.post(f"/boards/quotations/{q.pk}/withdraw/").status_code == 404
    assert web.post(f"/boards/quotations/{q.pk + 1000}/withdraw/").status_code == 404
    web.logout()
    assert web.post(f"/boards/quotations/{q.pk}/withdraw/")["Location"].startswith("/login/?next=")
    q.refresh_from_db()
    assert q.status == "submitted"


def test_another_enterprises_quotation_cannot_be_accepted_nor_found(web, make_enterprise, make_user):
    # given
    buyer, supplier, stranger, q = _quotation_on_an_rfq(make_enterprise)
    # when / then: the supplier and a stranger get "not found", as for a quotation that does not exist
    for user in (owner_of(supplier), owner_of(stranger)):
        web.force_login(user)
        assert web.post(f"/boards/quotations/{q.pk}/accept/").status_code == 404
    assert web.post(f"/boards/quotations/{q.pk + 1000}/accept/").status_code == 404
    # a viewer of the buyer is told why not
    web.force_login(member(make_user, buyer, role=Role.VIEWER))
    refused = web.post(f"/boards/quotations/{q.pk}/accept/")
    assert refused.status_code == 403 and 'data-code="role_too_low"' in refused.content.decode()
    q.refresh_from_db()
    assert q.status == "submitted"
