"""Deliberate sharing between enterprises (issue 19): exactly what is shared is visible to the other
side, nothing else, and nothing more once the share is taken back.

What the platform shares today (on the boards, public schema, and PDM design partners; supplier orders
made from quotations do not exist yet):
- a quotation on an RFQ: seen by the RFQ's enterprise (all of them) and by its supplier (its own); a
  withdrawn one leaves the buyer's comparison; an accepted or declined one stays with both parties;
- a quotation's file: for the same two parties;
- an inquiry conversation: for the asking enterprise and the listing's enterprise only;
- a published listing (with its images and files): for everyone while it is visible; a draft, a
  closed or hidden listing only for its own enterprise (a closed RFQ also for the suppliers who quoted).
- a PDM part revision or document an enterprise shares with a design partner (pdm/sharing): seen on the
  partner's own host only, with its versions and files, until the owner revokes the share; in upload mode
  the partner adds versions for review (more in pdm/sharing/tests/).

The world (tests/isolation_world.py): B's RFQ has quotations from A and from C (C's note and file
carry the marker BSECRET); A and C each asked B about B's supply listing.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from graphql_relay import from_global_id, to_global_id

from tests.isolation_world import MARK, host, pdm_shares_make, world_transaction
from tests.walker import PUBLIC_HOST

pytestmark = pytest.mark.django_db

C_NOTE = f"{MARK} C 报价"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_transaction(django_db_blocker) as w:
        yield w


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _people(w) -> dict:
    """Who looks: the buyer (B), the two suppliers (A, C), A's viewer, a user of no enterprise, nobody."""
    return {"buyer B": _client(w.b_owner), "supplier A": _client(w.a_owner), "supplier C": _client(w.c_owner),
            "A's viewer": _client(w.a_members["viewer"]), "no enterprise": _client(w.outsider),
            "anonymous": _client()}


def _page(client, path: str) -> tuple[int, str]:
    response = client.get(path, HTTP_HOST=PUBLIC_HOST)
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def _quotation_ids(client, w, token: str | None = None) -> set[int] | None:
    """The quotations of B's RFQ the caller gets through GraphQL (public host)."""
    query = '{ listing(id: "%s") { quotations { id note } } }' % to_global_id("Listing", w.b_public["Listing"]["b_rfq"])
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json",
                           HTTP_HOST=PUBLIC_HOST, **extra)
    assert response.status_code == 200, response.content[:500]
    listing = response.json()["data"]["listing"]
    if listing is None:
        return None
    return {int(from_global_id(q["id"])[1]) for q in listing["quotations"]}


def _on_page(html: str) -> set[int]:
    """The quotations a listing page shows (the buyer's comparison, or the supplier's own)."""
    return {int(pk) for pk in re.findall(r'data-quotation="(\d+)"', html)}


def _seen_quotations(w) -> dict:
    """Per person: the quotations B's RFQ page shows, and those GraphQL gives for it."""
    path = f"/boards/l/{w.b_public['Listing']['b_rfq']}/"
    seen = {}
    for who, client in _people(w).items():
        status, html = _page(client, path)
        assert status == 200, who  # the RFQ is public
        if who not in ("buyer B", "supplier C"):
            assert C_NOTE not in html and MARK not in html, who
        seen[who] = (_on_page(html), _quotation_ids(client, w))
    return seen


def test_rfq_quotations_are_shared_with_exactly_the_two_parties(world):
    w = world
    a_q, c_q = w.shared["Quotation"]["a_on_b"], w.b_private["Quotation"]["c_on_b"]
    assert _seen_quotations(w) == {
        "buyer B": ({a_q, c_q}, {a_q, c_q}),
        "supplier A": ({a_q}, {a_q}),
        "supplier C": ({c_q}, {c_q}),
        "A's viewer": ({a_q}, {a_q}),  # A's quotation, seen by every member of A
        "no enterprise": (set(), set()),
        "anonymous": (set(), set()),
    }


def test_a_withdrawn_quotation_leaves_the_buyer(world):
    from ecommerce.models import Quotation
    from ecommerce.services import quotation_withdraw

    w = world
    a_q, c_q = w.shared["Quotation"]["a_on_b"], w.b_private["Quotation"]["c_on_b"]
    quotation_withdraw(quotation=Quotation.objects.get(pk=c_q), user=w.c_owner, reason="价格有误")
    seen = _seen_quotations(w)
    assert seen["buyer B"] == ({a_q}, {a_q})
    assert seen["supplier A"] == ({a_q}, {a_q})
    assert seen["supplier C"] == ({c_q}, set())  # the supplier keeps its own (withdrawn) on the page


def test_a_withdrawn_quotation_file_is_no_longer_served_to_the_buyer(world):
    from ecommerce.models import Quotation
    from ecommerce.services import quotation_withdraw

    w = world
    c_q = w.b_private["Quotation"]["c_on_b"]
    path = f"/boards/quotations/{c_q}/file/"
    quotation_withdraw(quotation=Quotation.objects.get(pk=c_q), user=w.c_owner, reason="")
    assert _client(w.c_owner).get(path, HTTP_HOST=PUBLIC_HOST).status_code == 200  # still the supplier's
    assert _client(w.b_owner).get(path, HTTP_HOST=PUBLIC_HOST).status_code == 404


def test_a_quotation_file_is_for_the_two_parties_only(world):
    w = world
    c_q = w.b_private["Quotation"]["c_on_b"]
    path = f"/boards/quotations/{c_q}/file/"
    expected_bytes = f"%PDF-1.4 {MARK} C quote".encode()
    for who, client in _people(w).items():
        response = client.get(path, HTTP_HOST=PUBLIC_HOST)
        if who in ("buyer B", "supplier C"):
            assert response.status_code == 200, who
            assert b"".join(response.streaming_content) == expected_bytes
        else:
            assert response.status_code in (404, 302), who
            assert expected_bytes not in response.content, who


def test_decided_quotations_stay_with_both_parties_and_no_one_else(world):
    """Accepting A's quotation declines C's and closes the RFQ: each party keeps what it had."""
    from ecommerce.models import Listing, Quotation
    from ecommerce.services import quotation_accept

    w = world
    a_q, c_q = w.shared["Quotation"]["a_on_b"], w.b_private["Quotation"]["c_on_b"]
    quotation_accept(quotation=Quotation.objects.get(pk=a_q), user=w.b_owner)
    assert Listing.objects.get(pk=w.b_public["Listing"]["b_rfq"]).status == Listing.Status.CLOSED
    path = f"/boards/l/{w.b_public['Listing']['b_rfq']}/"
    people = _people(w)
    seen = {who: _page(client, path) for who, client in people.items()}
    assert _on_page(seen["buyer B"][1]) == {a_q, c_q}
    assert _on_page(seen["supplier A"][1]) == {a_q} and MARK not in seen["supplier A"][1]
    assert _on_page(seen["supplier C"][1]) == {c_q}
    # the closed RFQ is no longer public: only its enterprise and the suppliers who quoted open it
    assert seen["no enterprise"][0] == 404 and seen["anonymous"][0] in (302, 404)
    assert _quotation_ids(people["buyer B"], w) == {a_q, c_q}
    # the API opens a closed RFQ to its enterprise only (the page also to its suppliers); each supplier
    # has its own decided quotation in myQuotations
    assert _quotation_ids(people["supplier A"], w) is None
    for who, expected in (("supplier A", {a_q: "ACCEPTED"}), ("supplier C", {c_q: "DECLINED"})):
        response = people[who].post("/graphql/", json.dumps({"query": "{ myQuotations { edges { node { id status "
                                                                      "listing { id } } } } }"}),
                                    content_type="application/json", HTTP_HOST=PUBLIC_HOST)
        edges = response.json()["data"]["myQuotations"]["edges"]
        assert {int(from_global_id(e["node"]["id"])[1]): e["node"]["status"] for e in edges} == expected, who


def test_a_closed_rfq_is_seen_by_the_suppliers_who_quoted_only(world):
    from ecommerce.models import Listing
    from ecommerce.services import listing_close

    w = world
    rfq = Listing.objects.get(pk=w.b_public["Listing"]["b_rfq"])
    listing_close(listing=rfq, user=w.b_owner)
    path = f"/boards/l/{rfq.pk}/"
    status = {who: _page(client, path)[0] for who, client in _people(w).items()}
    assert status["buyer B"] == status["supplier A"] == status["supplier C"] == status["A's viewer"] == 200
    assert status["no enterprise"] == 404 and status["anonymous"] in (302, 404)


def test_inquiry_conversations_are_for_their_two_enterprises_only(world):
    from ecommerce.models import InquiryThread

    w = world
    a_b, c_b = w.shared["InquiryThread"]["a_b"], w.b_private["InquiryThread"]["c_b"]
    people = _people(w)
    expected = {"buyer B": {a_b, c_b}, "supplier A": {a_b}, "A's viewer": {a_b}, "supplier C": {c_b},
                "no enterprise": set(), "anonymous": set()}
    for who, client in people.items():
        opened = {pk for pk in (a_b, c_b)
                  if client.get(f"/boards/inquiries/{pk}/", HTTP_HOST=PUBLIC_HOST).status_code == 200}
        assert opened == expected[who], who
        if c_b not in expected[who]:
            assert MARK not in _page(client, "/boards/inquiries/")[1], who
    for who, token_of in (("supplier A", w.a), ("buyer B", w.b), ("supplier C", w.c)):
        from api.tokens.services import api_token_create

        token = api_token_create(enterprise=token_of, name="sharing", scopes=["boards:read"]).token
        response = Client().post("/graphql/", json.dumps({"query": "{ inquiryThreads { edges { node { id messages "
                                                                   "{ body } } } } }"}),
                                 content_type="application/json", HTTP_HOST=PUBLIC_HOST,
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
        edges = response.json()["data"]["inquiryThreads"]["edges"]
        assert {int(from_global_id(e["node"]["id"])[1]) for e in edges} == expected[who], who
    assert InquiryThread.objects.filter(pk__in=[a_b, c_b]).count() == 2


def test_a_listing_and_its_files_are_shared_while_visible_only(world):
    """B's published supply, its image and file reach A; once B closes it, none of them does (B still has it)."""
    from ecommerce.models import Listing, ListingAttachment
    from ecommerce.services import listing_close

    w = world
    listing = Listing.objects.get(pk=w.b_public["Listing"]["b_supply"])
    image = w.b_public["ListingImage"]["b_supply"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ecommerce.services import listing_attachment_add

    attachment = listing_attachment_add(listing=listing, user=w.b_owner,
                                        file=SimpleUploadedFile("spec.pdf", b"%PDF-1.4 B spec"))
    paths = [f"/boards/l/{listing.pk}/", f"/boards/images/{image}/", f"/boards/files/{attachment.pk}/"]
    a, b = _client(w.a_owner), _client(w.b_owner)
    assert [a.get(p, HTTP_HOST=PUBLIC_HOST).status_code for p in paths] == [200, 200, 200]
    listing_close(listing=listing, user=w.b_owner)
    assert [a.get(p, HTTP_HOST=PUBLIC_HOST).status_code for p in paths] == [404, 404, 404]
    assert [b.get(p, HTTP_HOST=PUBLIC_HOST).status_code for p in paths] == [200, 200, 200]
    ListingAttachment.objects.filter(pk=attachment.pk).first().file.delete(save=False)


def test_the_asker_loses_a_listing_the_office_hides_but_keeps_its_conversation(world):
    from ecommerce.models import Listing
    from ecommerce.services import listing_hide

    w = world
    listing = Listing.objects.get(pk=w.b_public["Listing"]["b_supply"])
    listing_hide(listing=listing, user=w.office, reason="核查")
    a = _client(w.a_owner)
    assert a.get(f"/boards/l/{listing.pk}/", HTTP_HOST=PUBLIC_HOST).status_code == 404
    assert a.get(f"/boards/inquiries/{w.shared['InquiryThread']['a_b']}/", HTTP_HOST=PUBLIC_HOST).status_code == 200
    response = a.post("/graphql/", json.dumps({"query": "{ inquiryThreads { edges { node { listing { id } } } } }"}),
                      content_type="application/json", HTTP_HOST=PUBLIC_HOST)
    assert [e["node"]["listing"] for e in response.json()["data"]["inquiryThreads"]["edges"]] == [None]


# ---- PDM: design partners (the world: B shares its marked vault document with C; A shares one with B) -----


def _shared_ids(client, enterprise) -> set[int]:
    response = client.get("/pdm/shared/", HTTP_HOST=host(enterprise))
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-share="(\d+)"', response.content.decode())}


def test_a_pdm_share_reaches_its_partner_on_its_own_host_and_no_one_else(world):
    w = world
    ids = pdm_shares_make(w)
    b_to_c, a_to_b = ids["b_to_c"], ids["a_to_b"]
    page = f"/pdm/shared/{b_to_c}/"
    download = f"/pdm/shared/{b_to_c}/versions/{ids['b_version']}/download/"
    # the lists of "Shared with us", each on its own host
    assert _shared_ids(_client(w.c_owner), w.c) == {b_to_c}
    assert _shared_ids(_client(w.b_owner), w.b) == {a_to_b}
    assert _shared_ids(_client(w.a_owner), w.a) == set()
    # B's document shared with C: C opens it and its file on C's host
    c = _client(w.c_owner)
    assert c.get(page, HTTP_HOST=host(w.c)).status_code == 200
    response = c.get(download, HTTP_HOST=host(w.c))
    assert response.status_code == 200 and MARK.encode() in b"".join(response.streaming_content)
    # A (every member) and B itself get nothing through the partner pages, on their own host or another's
    for who, user, enterprise in (("A's owner", w.a_owner, w.a), ("A's viewer", w.a_members["viewer"], w.a),
                                  ("B's owner", w.b_owner, w.b), ("A on C's host", w.a_owner, w.c),
                                  ("no enterprise", w.outsider, w.c)):
        client = _client(user)
        for path in (page, download):
            response = client.get(path, HTTP_HOST=host(enterprise))
            assert response.status_code == 404, (who, path)
            assert MARK.encode() not in response.content, (who, path)
    # B's list of its own shares names C; A's and C's lists of their own shares do not show B's
    assert f'data-share="{b_to_c}"' in _client(w.b_owner).get("/pdm/shares/", HTTP_HOST=host(w.b)).content.decode()
    for user, enterprise in ((w.a_owner, w.a), (w.c_owner, w.c)):
        html = _client(user).get("/pdm/shares/", HTTP_HOST=host(enterprise)).content.decode()
        assert f'data-share="{b_to_c}"' not in html and MARK not in html


def test_a_revoked_pdm_share_and_a_read_only_one_give_the_partner_nothing_more(world):
    from django_tenants.utils import tenant_context

    from pdm.sharing.models import Share
    from pdm.sharing.services import share_revoke
    from pdm.vault.models import DocumentVersion
    from tests.isolation_world import png_upload

    w = world
    ids = pdm_shares_make(w)
    c = _client(w.c_owner)
    # read-only: C cannot add a version to B's document
    response = c.post(f"/pdm/shared/{ids['b_to_c']}/upload/", {"file": png_upload("c.png"), "comment": "C 改的"},
                      HTTP_HOST=host(w.c))
    assert response.status_code == 400
    with tenant_context(w.b):
        assert DocumentVersion.objects.filter(document_id=ids["b_document"]).count() == 1
    # revoked: every URL of the share is a 404 for C
    share_revoke(share=Share.objects.get(pk=ids["b_to_c"]), user=w.b_owner)
    paths = [f"/pdm/shared/{ids['b_to_c']}/", f"/pdm/shared/{ids['b_to_c']}/versions/{ids['b_version']}/download/",
             f"/pdm/shared/{ids['b_to_c']}/versions/{ids['b_version']}/preview/"]
    assert [c.get(p, HTTP_HOST=host(w.c)).status_code for p in paths] == [404, 404, 404]
    assert _shared_ids(c, w.c) == set()
