"""Who may do what: members edit their own enterprise's listings only, roles, the office, contact details,
drafts, HTML escaping."""

import pytest
from django.conf import settings

from ecommerce import services
from ecommerce.models import Listing
from ecommerce.services import BoardsPermissionDenied
from ecommerce.tests.factories import member, owner_of, post
from tenants.models import Role

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_member_of_a_cannot_edit_bs_listing_and_is_told_why(client, make_enterprise, make_user):
    # given
    a = make_enterprise(name="慈溪市甲电器有限公司")
    b = make_enterprise(name="慈溪市乙轴承有限公司")
    clerk_a = member(make_user, a)
    listing_b = post(b, title="乙的轴承")
    # when: through the service
    with pytest.raises(BoardsPermissionDenied) as exc:
        services.listing_update(listing=listing_b, user=clerk_a, title="改掉")
    # then
    assert exc.value.code == "not_member"
    assert "慈溪市乙轴承有限公司" in exc.value.message
    for action in (services.listing_close, services.listing_renew):
        with pytest.raises(BoardsPermissionDenied):
            action(listing=listing_b, user=clerk_a)
    # when: through the pages
    as_user(client, clerk_a)
    page = client.get(f"/boards/l/{listing_b.pk}/edit/")
    posted = client.post(f"/boards/l/{listing_b.pk}/edit/", {"title": "改掉"})
    closed = client.post(f"/boards/l/{listing_b.pk}/close/")
    # then
    for response in (page, posted, closed):
        assert response.status_code == 403
        assert "Only members of 慈溪市乙轴承有限公司 can do this; you are not a member." in response.content.decode()
        assert 'data-code="not_member"' in response.content.decode()
    listing_b.refresh_from_db()
    assert (listing_b.title, listing_b.status) == ("乙的轴承", "published")
    # and the detail page offers A no edit button
    assert 'id="edit-listing"' not in client.get(f"/boards/l/{listing_b.pk}/").content.decode()


def test_a_viewer_cannot_post_and_a_clerk_can(client, make_enterprise, make_user):
    # given
    e = make_enterprise()
    viewer = member(make_user, e, role=Role.VIEWER)
    # when / then
    with pytest.raises(BoardsPermissionDenied) as exc:
        post(e, user=viewer)
    assert exc.value.code == "role_too_low"
    response = as_user(client, viewer).get("/boards/new/")
    assert response.status_code == 403 and 'data-code="role_too_low"' in response.content.decode()
    clerk = member(make_user, e, role=Role.CLERK)
    assert post(e, user=clerk).created_by == clerk


def test_only_the_office_moderates(make_enterprise, make_user, client):
    # given
    e = make_enterprise()
    listing = post(e)
    # when / then
    with pytest.raises(BoardsPermissionDenied) as exc:
        services.listing_hide(listing=listing, user=owner_of(e), reason="x")
    assert exc.value.code == "not_office"
    response = as_user(client, owner_of(e)).post(f"/boards/l/{listing.pk}/moderate/",
                                                  {"action": "hide", "reason": "x"})
    assert response.status_code == 403
    assert as_user(client, owner_of(e)).get("/boards/office/").status_code == 403
    office = make_user(platform_role="office")
    response = as_user(client, office).post(f"/boards/l/{listing.pk}/moderate/", {"action": "hide", "reason": "重复发布"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.hidden_reason == "重复发布"
    # the owner sees why; the public does not see the listing at all
    client.logout()
    assert client.get(f"/boards/l/{listing.pk}/").status_code == 404
    page = as_user(client, owner_of(e)).get(f"/boards/l/{listing.pk}/").content.decode()
    assert 'id="hidden-notice"' in page and "重复发布" in page


def test_contact_details_only_for_logged_in_members(client, make_enterprise, make_user):
    # given
    e = make_enterprise()
    listing = post(e, contact_phone="13800000001")
    # when
    anonymous = client.get(f"/boards/l/{listing.pk}/").content.decode()
    loner = as_user(client, make_user()).get(f"/boards/l/{listing.pk}/").content.decode()  # no enterprise
    other = as_user(client, owner_of(make_enterprise())).get(f"/boards/l/{listing.pk}/").content.decode()
    # then
    assert "13800000001" not in anonymous and 'id="contact-login"' in anonymous
    assert "13800000001" not in loner
    assert "13800000001" in other


def test_drafts_are_seen_only_by_their_enterprise(client, make_enterprise):
    # given
    e = make_enterprise()
    draft = post(e, publish=False, title="未发布")
    # when / then
    assert client.get(f"/boards/l/{draft.pk}/").status_code == 404
    assert as_user(client, owner_of(make_enterprise())).get(f"/boards/l/{draft.pk}/").status_code == 404
    assert as_user(client, owner_of(e)).get(f"/boards/l/{draft.pk}/").status_code == 200


def test_html_in_user_text_is_escaped(client, make_enterprise):
    # given
    e = make_enterprise()
    listing = post(e, title='<script>alert("x")</script>电机', description="<b>粗体</b>\n<img src=x onerror=alert(1)>",
                   attributes=[["<i>型号</i>", "<u>6204</u>"]])
    # when
    detail = client.get(f"/boards/l/{listing.pk}/").content.decode()
    found = client.get("/boards/search/", {"q": "电机"}).content.decode()
    # then
    for page in (detail, found):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;电机" in page
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail
    assert "<i>型号</i>" not in detail and "&lt;i&gt;型号&lt;/i&gt;" in detail
    assert Listing.objects.get().title.startswith("<script>")  # stored as typed, escaped when shown
