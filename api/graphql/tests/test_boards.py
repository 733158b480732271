"""The boards in GraphQL: public reads, listing create/update/close and inquiries through tokens
and sessions, typed errors, and what one enterprise can never see or change of another's."""

from decimal import Decimal

import pytest
from django.db import connection
from graphql_relay import to_global_id

from api.graphql.tests.conftest import error_codes, gql
from ecommerce.models import Board, InquiryMessage, Listing, Notification
from ecommerce.seed import boards_ensure
from ecommerce.tests.factories import member, post
from tenants.models import Role

CREATE = """mutation($input: ListingCreateInput!, $enterprise: String) {
  listingCreate(input: $input, enterprise: $enterprise) {
    listing { id kind status title enterprise { uscc } board { code } category { code } priceMin priceMax
              attributes { name value } }
    errors { field message code } } }"""
UPDATE = """mutation($id: ID!, $input: ListingUpdateInput!) { listingUpdate(id: $id, input: $input) {
    listing { title priceMax status } errors { field code } } }"""
CLOSE = """mutation($id: ID!) { listingClose(id: $id) { listing { status } errors { field code } } }"""
SEND = """mutation($listing: ID, $thread: ID, $body: String!, $enterprise: String) {
  inquirySend(listing: $listing, thread: $thread, body: $body, enterprise: $enterprise) {
    thread { id asker { uscc } owner { uscc } listing { title } unread messages { body mine sender { uscc } } }
    errors { field message code } } }"""
THREADS = "{ inquiryThreads(first: 10) { totalCount edges { node { id unread messages { body mine } } } } }"
MOTOR = {"kind": "SUPPLY", "board": "appliances", "category": "appl-parts-motor", "title": "油烟机用电机 YYHS-120",
         "priceMin": "85", "priceMax": "96", "unit": "台", "quantity": "5000",
         "attributes": [{"name": "功率", "value": "120W"}]}


@pytest.fixture(autouse=True)
def _boards(db):
    if Board.objects.count() < 4:
        boards_ensure()


def gid(listing) -> str:
    return to_global_id("Listing", listing.pk)


@pytest.fixture
def pair(two_enterprises):
    return two_enterprises  # a, b, alice (owner of a), bob (owner of b)


# ---- reads -------------------------------------------------------------------------------------


def test_boards_and_categories_are_public(client):
    result = gql(client, "{ boards { code nameEn listingCount categories { code parentCode } } }")
    boards = result["data"]["boards"]
    assert [b["code"] for b in boards] == list(Board.objects.values_list("code", flat=True))
    appliances = next(b for b in boards if b["code"] == "appliances")
    codes = {c["code"]: c["parentCode"] for c in appliances["categories"]}
    assert codes["appl-parts-motor"] is not None and codes[codes["appl-parts-motor"]] is None


def test_listing_search_segments_chinese_and_hides_contacts_from_anonymous(client, pair, make_token):
    a, b, alice, bob = pair
    post(a, title="油烟机用电机 YYHS-120", contact_phone="0574-63000001")
    post(b, title="深沟球轴承 6202", category_code="brg-rolling-deepgroove")
    query = """query($q: String) { listings(search: $q) { totalCount edges { node { title contactPhone
               enterprise { uscc creditBadge { level } } } } } }"""
    result = gql(client, query, {"q": "抽油烟机 电机"})
    nodes = [e["node"] for e in result["data"]["listings"]["edges"]]
    assert [n["title"] for n in nodes] == ["油烟机用电机 YYHS-120"]
    assert nodes[0]["contactPhone"] is None and nodes[0]["enterprise"]["uscc"] == a.uscc
    with_token = gql(client, query, {"q": "抽油烟机 电机"}, token=make_token(b, ["boards:read"]))
    assert with_token["data"]["listings"]["edges"][0]["node"]["contactPhone"] == "0574-63000001"


def test_listing_filters(client, pair):
    a, b, _alice, _bob = pair
    post(a, title="交流电机 A")
    post(b, title="交流电机 B", kind="demand")
    post(b, title="深沟球轴承 6204", category_code="brg-rolling-deepgroove")

    def titles(args):
        result = gql(client, "{ listings(%s) { edges { node { title } } } }" % args)
        return sorted(e["node"]["title"] for e in result["data"]["listings"]["edges"])

    assert titles('board: "appliances"') == ["交流电机 A", "交流电机 B"]
    assert titles("kind: DEMAND") == ["交流电机 B"]
    assert titles(f'enterprise: "{b.uscc}"') == ["交流电机 B", "深沟球轴承 6204"]
    assert titles(f'enterprise: "{b.uscc}", search: "轴承"') == ["深沟球轴承 6204"]
    result = gql(client, '{ listings(board: "nope") { totalCount } }')
    assert error_codes(result) == ["NOT_FOUND"]


def test_drafts_are_seen_only_by_their_own_enterprise(client, pair, make_token):
    a, b, _alice, _bob = pair
    draft = post(a, title="未发布的电机", publish=False)
    query = "query($id: ID!) { listing(id: $id) { title status } }"
    assert error_codes(gql(client, query, {"id": gid(draft)})) == ["NOT_FOUND"]
    assert error_codes(gql(client, query, {"id": gid(draft)}, token=make_token(b, ["boards:read"]))) == ["NOT_FOUND"]
    own = gql(client, query, {"id": gid(draft)}, token=make_token(a, ["boards:read"]))
    assert own["data"]["listing"] == {"title": "未发布的电机", "status": "DRAFT"}
    mine = gql(client, "{ myListings { edges { node { title } } } }", token=make_token(a, ["boards:read"]))
    assert [e["node"]["title"] for e in mine["data"]["myListings"]["edges"]] == ["未发布的电机"]
    theirs = gql(client, "{ myListings { edges { node { title } } } }", token=make_token(b, ["boards:read"]))
    assert theirs["data"]["myListings"]["edges"] == []
    assert error_codes(gql(client, "{ myListings { totalCount } }")) == ["UNAUTHENTICATED"]


def test_matches_of_a_listing(client, pair):
    from ecommerce.services import listing_matches_refresh

    a, b, _alice, _bob = pair
    supply = post(a, title="油烟机电机 220V 120W", quantity=Decimal("1000"), unit="台")
    demand = post(b, title="求购油烟机电机 120W", kind="demand", quantity=Decimal("800"), unit="台")
    listing_matches_refresh(listing=demand, notify=False)
    result = gql(client, "query($id: ID!) { listing(id: $id) { matches { score listing { title } } } }",
                 {"id": gid(demand)})
    matches = result["data"]["listing"]["matches"]
    assert [m["listing"]["title"] for m in matches] == [supply.title] and 0 < matches[0]["score"] <= 1


# ---- listingCreate -----------------------------------------------------------------------------


def test_listing_create_with_a_token_posts_for_its_enterprise(client, pair, make_token):
    a, _b, alice, _bob = pair
    result = gql(client, CREATE, {"input": MOTOR}, token=make_token(a, ["boards:write"]))
    payload = result["data"]["listingCreate"]
    assert payload["errors"] == []
    listing = payload["listing"]
    assert (listing["kind"], listing["status"], listing["enterprise"]["uscc"]) == ("SUPPLY", "PUBLISHED", a.uscc)
    assert (listing["board"]["code"], listing["category"]["code"]) == ("appliances", "appl-parts-motor")
    assert listing["attributes"] == [{"name": "功率", "value": "120W"}]
    stored = Listing.objects.get(title=MOTOR["title"])
    assert stored.created_by is None and stored.enterprise == a and stored.search_vector is not None


def test_listing_create_needs_boards_write(client, pair, make_token):
    a, *_ = pair
    result = gql(client, CREATE, {"input": MOTOR}, token=make_token(a, ["boards:read", "catalog:write"]))
    assert result["data"]["listingCreate"] is None
    assert error_codes(result) == ["PERMISSION_DENIED"]
    assert error_codes(gql(client, CREATE, {"input": MOTOR})) == ["UNAUTHENTICATED"]
    assert not Listing.objects.exists()


def test_listing_create_typed_errors_write_nothing(client, pair, make_token):
    a, *_ = pair
    token = make_token(a, ["boards:write"])
    cases = [({"category": "no-such"}, "category", "not_found"),
             ({"category": "brg-rolling-deepgroove"}, "category", "category_not_in_board"),
             ({"priceMin": "100", "priceMax": "90"}, "priceMax", "price_range"),
             ({"validityDays": 999}, "validityDays", "invalid_validity"),
             ({"isRfq": True}, None, None)]
    for change, field, code in cases:
        result = gql(client, CREATE, {"input": {**MOTOR, **change}}, token=token)
        errors = result["data"]["listingCreate"]["errors"]
        if field is None:  # an RFQ must be a demand: the service names the rule
            assert errors and errors[0]["code"] in ("rfq_demand_only", "invalid"), errors
            continue
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], change
    assert not Listing.objects.exists()


def test_listing_create_by_session_on_the_public_host(client, pair, make_user):
    a, b, alice, _bob = pair
    member(make_user, b, Role.CLERK, email="alice2@a.test")  # another user
    from tenants.models import Membership

    Membership.objects.create(user=alice, enterprise=b, role=Role.VIEWER)  # alice: owner of A, viewer of B
    client.force_login(alice)
    result = gql(client, CREATE, {"input": MOTOR})  # she can post only for A: A is chosen
    assert result["data"]["listingCreate"]["listing"]["enterprise"]["uscc"] == a.uscc
    refused = gql(client, CREATE, {"input": MOTOR, "enterprise": b.uscc})
    assert refused["data"]["listingCreate"]["errors"][0]["code"] == "not_member"
    assert Listing.objects.filter(enterprise=b).count() == 0


def test_listing_create_session_with_several_enterprises_must_choose(client, pair):
    a, b, alice, _bob = pair
    from tenants.models import Membership

    Membership.objects.create(user=alice, enterprise=b, role=Role.CLERK)
    client.force_login(alice)
    result = gql(client, CREATE, {"input": MOTOR})
    assert [(e["field"], e["code"]) for e in result["data"]["listingCreate"]["errors"]] == [("enterprise", "required")]
    chosen = gql(client, CREATE, {"input": MOTOR, "enterprise": b.uscc})
    assert chosen["data"]["listingCreate"]["listing"]["enterprise"]["uscc"] == b.uscc
    assert Listing.objects.get().created_by == alice


def test_viewer_only_session_cannot_post(client, pair, make_user):
    a, *_ = pair
    viewer = member(make_user, a, Role.VIEWER)
    client.force_login(viewer)
    assert error_codes(gql(client, CREATE, {"input": MOTOR})) == ["PERMISSION_DENIED"]


def test_listing_create_on_an_enterprise_host(client, pair, make_user):
    a, b, _alice, _bob = pair
    clerk = member(make_user, a, Role.CLERK)
    client.force_login(clerk)
    result = gql(client, CREATE, {"input": MOTOR}, enterprise=a)
    assert result["data"]["listingCreate"]["listing"]["enterprise"]["uscc"] == a.uscc
    other = gql(client, CREATE, {"input": MOTOR, "enterprise": b.uscc}, enterprise=a)
    assert other["data"]["listingCreate"]["errors"][0]["code"] == "not_member"
    assert Listing.objects.filter(enterprise=b).count() == 0


def test_a_revoked_token_or_suspended_enterprise_cannot_post(client, pair, make_token):
    from api.tokens.models import ApiToken
    from api.tokens.services import api_token_revoke

    a, *_ = pair
    token = make_token(a, ["boards:write"])
    api_token_revoke(api_token=ApiToken.objects.get(enterprise=a))
    gql(client, CREATE, {"input": MOTOR}, token=token, status=401)
    assert not Listing.objects.exists()


# ---- listingUpdate / listingClose --------------------------------------------------------------


def test_listing_update_and_close_by_the_owner(client, pair, make_token):
    a, *_ = pair
    listing = post(a, title="交流电机 220V")
    token = make_token(a, ["boards:write"])
    result = gql(client, UPDATE, {"id": gid(listing), "input": {"title": "交流电机 220V 改", "priceMax": "99"}},
                 token=token)
    assert result["data"]["listingUpdate"] == {"listing": {"title": "交流电机 220V 改", "priceMax": "99.0000",
                                                           "status": "PUBLISHED"}, "errors": []}
    closed = gql(client, CLOSE, {"id": gid(listing)}, token=token)
    assert closed["data"]["listingClose"] == {"listing": {"status": "CLOSED"}, "errors": []}
    again = gql(client, CLOSE, {"id": gid(listing)}, token=token)
    assert [e["code"] for e in again["data"]["listingClose"]["errors"]] == ["wrong_status"]
    late = gql(client, UPDATE, {"id": gid(listing), "input": {"title": "x"}}, token=token)
    assert [e["code"] for e in late["data"]["listingUpdate"]["errors"]] == ["wrong_status"]


def test_another_enterprise_cannot_change_or_close_a_listing(client, pair, make_token, make_user):
    a, b, _alice, bob = pair
    listing = post(a, title="交流电机 220V")
    token_b = make_token(b, ["boards:write"])
    for query, variables, name in ((UPDATE, {"id": gid(listing), "input": {"title": "被改了"}}, "listingUpdate"),
                                   (CLOSE, {"id": gid(listing)}, "listingClose")):
        result = gql(client, query, variables, token=token_b)
        assert [(e["field"], e["code"]) for e in result["data"][name]["errors"]] == [("id", "not_found")]
        client.force_login(bob)
        result = gql(client, query, variables)
        assert [(e["field"], e["code"]) for e in result["data"][name]["errors"]] == [("id", "not_found")]
        client.logout()
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("交流电机 220V", "published")


def test_listing_update_typed_error(client, pair, make_token):
    a, *_ = pair
    listing = post(a, title="交流电机 220V", price_min=Decimal("10"))
    result = gql(client, UPDATE, {"id": gid(listing), "input": {"priceMax": "5"}}, token=make_token(a, ["boards:write"]))
    assert [(e["field"], e["code"]) for e in result["data"]["listingUpdate"]["errors"]] == [("priceMax", "price_range")]
    before = listing.price_max
    listing.refresh_from_db()
    assert listing.price_max == before  # unchanged


# ---- inquirySend / inquiryThreads --------------------------------------------------------------


def test_inquiry_between_two_tokens(client, pair, make_token):
    a, b, alice, _bob = pair
    token_a, token_b = make_token(a, ["boards:write", "boards:read"]), make_token(b, ["boards:write", "boards:read"])
    created = gql(client, CREATE, {"input": MOTOR}, token=token_a)["data"]["listingCreate"]["listing"]
    sent = gql(client, SEND, {"listing": created["id"], "body": "年用量两万台，可否寄样？"}, token=token_b)
    payload = sent["data"]["inquirySend"]
    assert payload["errors"] == []
    thread = payload["thread"]
    assert (thread["asker"]["uscc"], thread["owner"]["uscc"]) == (b.uscc, a.uscc)
    assert thread["messages"] == [{"body": "年用量两万台，可否寄样？", "mine": True, "sender": {"uscc": b.uscc}}]
    # the listing was posted through the API: A's owner hears of the question
    assert Notification.objects.filter(user=alice, kind="inquiry").count() == 1
    threads_a = gql(client, THREADS, token=token_a)["data"]["inquiryThreads"]
    assert threads_a["totalCount"] == 1 and threads_a["edges"][0]["node"]["unread"] == 1
    reply = gql(client, SEND, {"thread": thread["id"], "body": "可以，明天寄出。"}, token=token_a)
    assert [m["body"] for m in reply["data"]["inquirySend"]["thread"]["messages"]] == [
        "年用量两万台，可否寄样？", "可以，明天寄出。"]
    node_b = gql(client, THREADS, token=token_b)["data"]["inquiryThreads"]["edges"][0]["node"]
    assert node_b["unread"] == 1 and [m["mine"] for m in node_b["messages"]] == [True, False]


def test_inquiry_errors(client, pair, make_token, make_enterprise, make_user):
    a, b, _alice, _bob = pair
    listing = post(a, title="交流电机 220V")
    token_a, token_b = make_token(a, ["boards:write"]), make_token(b, ["boards:write"])
    own = gql(client, SEND, {"listing": gid(listing), "body": "自问自答"}, token=token_a)
    assert [e["code"] for e in own["data"]["inquirySend"]["errors"]] == ["own_listing"]
    empty = gql(client, SEND, {"listing": gid(listing), "body": "  "}, token=token_b)
    assert [(e["field"], e["code"]) for e in empty["data"]["inquirySend"]["errors"]] == [("body", "empty_message")]
    neither = gql(client, SEND, {"body": "?"}, token=token_b)
    assert [(e["field"], e["code"]) for e in neither["data"]["inquirySend"]["errors"]] == [("listing", "required")]
    draft = post(a, title="草稿", publish=False)
    hidden = gql(client, SEND, {"listing": gid(draft), "body": "?"}, token=token_b)
    assert [(e["field"], e["code"]) for e in hidden["data"]["inquirySend"]["errors"]] == [("listing", "not_found")]
    assert not InquiryMessage.objects.exists()
    read_only = gql(client, SEND, {"listing": gid(listing), "body": "?"}, token=make_token(b, ["boards:read"]))
    assert error_codes(read_only) == ["PERMISSION_DENIED"]


def test_a_third_enterprise_cannot_read_or_join_a_conversation(client, pair, make_token, make_enterprise):
    a, b, _alice, _bob = pair
    c = make_enterprise(slug="charlie")
    connection.set_schema_to_public()
    listing = post(a, title="交流电机 220V")
    token_b, token_c = make_token(b, ["boards:write", "boards:read"]), make_token(c, ["boards:write", "boards:read"])
    thread_id = gql(client, SEND, {"listing": gid(listing), "body": "询价"}, token=token_b)[
        "data"]["inquirySend"]["thread"]["id"]
    assert gql(client, THREADS, token=token_c)["data"]["inquiryThreads"]["totalCount"] == 0
    joined = gql(client, SEND, {"thread": thread_id, "body": "我也来"}, token=token_c)
    assert [(e["field"], e["code"]) for e in joined["data"]["inquirySend"]["errors"]] == [("thread", "not_found")]
    assert InquiryMessage.objects.count() == 1


def test_a_token_on_another_enterprises_host_is_refused(client, pair, make_token):
    a, b, *_ = pair
    gql(client, CREATE, {"input": MOTOR}, enterprise=b, token=make_token(a, ["boards:write"]), status=401)
    assert not Listing.objects.exists()


# ---- quotationSubmit / quotationAccept / myQuotations -------------------------------------------

QUOTE = """mutation($listing: ID!, $input: QuotationInput!) { quotationSubmit(listing: $listing, input: $input) {
    quotation { id status unitPrice total enterprise { uscc } listing { title } } errors { field code } } }"""
ACCEPT = """mutation($id: ID!) { quotationAccept(id: $id) { quotation { status } errors { field code } } }"""
QUOTATIONS = "query($id: ID!) { listing(id: $id) { quotations { unitPrice enterprise { uscc } } } }"


def _rfq(enterprise):
    return post(enterprise, kind="demand", title="求购深沟球轴承 6202 两万套", category_code="brg-rolling-deepgroove",
                is_rfq=True, quantity=Decimal("20000"), unit="套")


def _quote(price="1.35"):
    from datetime import timedelta

    from django.utils import timezone

    return {"unitPrice": price, "quantity": "20000", "leadTimeDays": 15,
            "validUntil": str(timezone.localdate() + timedelta(days=10)), "note": "含税价"}


def test_quotations_through_the_api_are_seen_only_by_buyer_and_supplier(client, pair, make_token, make_enterprise):
    a, b, alice, _bob = pair
    c = make_enterprise(slug="charlie")
    connection.set_schema_to_public()
    rfq = _rfq(a)
    token_a = make_token(a, ["boards:read", "boards:write"])
    token_b = make_token(b, ["boards:read", "boards:write"])
    token_c = make_token(c, ["boards:read", "boards:write"])
    response = gql(client, QUOTE, {"listing": gid(rfq), "input": _quote("1.35")}, token=token_b)
    assert "errors" not in response, response["errors"]
    quoted_b = response["data"]["quotationSubmit"]
    assert quoted_b["errors"] == [] and quoted_b["quotation"]["total"] == "27000.00"
    gql(client, QUOTE, {"listing": gid(rfq), "input": _quote("1.28")}, token=token_c)
    # the buyer sees both, cheapest first; each supplier only its own; the public none
    seen = {name: [q["enterprise"]["uscc"] for q in gql(client, QUOTATIONS, {"id": gid(rfq)}, token=token)[
        "data"]["listing"]["quotations"]] for name, token in (("a", token_a), ("b", token_b), ("c", token_c))}
    assert seen == {"a": [c.uscc, b.uscc], "b": [b.uscc], "c": [c.uscc]}
    assert gql(client, QUOTATIONS, {"id": gid(rfq)})["data"]["listing"]["quotations"] == []
    mine = gql(client, "{ myQuotations { edges { node { unitPrice listing { title } } } } }", token=token_b)
    assert [e["node"]["unitPrice"] for e in mine["data"]["myQuotations"]["edges"]] == ["1.3500"]
    assert Notification.objects.filter(user=alice, kind="quotation").count() == 2


def test_quotation_accept_by_the_buyer_only(client, pair, make_token):
    a, b, _alice, bob = pair
    rfq = _rfq(a)
    token_b = make_token(b, ["boards:write"])
    quotation_id = gql(client, QUOTE, {"listing": gid(rfq), "input": _quote()}, token=token_b)[
        "data"]["quotationSubmit"]["quotation"]["id"]
    by_supplier = gql(client, ACCEPT, {"id": quotation_id}, token=token_b)["data"]["quotationAccept"]
    assert by_supplier["errors"] == [{"field": "id", "code": "not_found"}]
    accepted = gql(client, ACCEPT, {"id": quotation_id}, token=make_token(a, ["boards:write"]))["data"]["quotationAccept"]
    assert accepted == {"quotation": {"status": "ACCEPTED"}, "errors": []}
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason) == ("closed", "accepted")
    # quoted through the API: the supplier's owner hears of it
    assert Notification.objects.filter(user=bob, kind="accepted").count() == 1


def test_quotation_errors(client, pair, make_token):
    a, b, *_ = pair
    rfq = _rfq(a)
    plain = post(a, kind="demand", title="求购电机")
    token_a, token_b = make_token(a, ["boards:write"]), make_token(b, ["boards:write"])
    own = gql(client, QUOTE, {"listing": gid(rfq), "input": _quote()}, token=token_a)["data"]["quotationSubmit"]
    assert [e["code"] for e in own["errors"]] == ["own_listing"]
    not_rfq = gql(client, QUOTE, {"listing": gid(plain), "input": _quote()}, token=token_b)["data"]["quotationSubmit"]
    assert [e["code"] for e in not_rfq["errors"]] == ["not_rfq"]
    zero = gql(client, QUOTE, {"listing": gid(rfq), "input": {**_quote(), "quantity": "0"}}, token=token_b)
    assert [(e["field"], e["code"]) for e in zero["data"]["quotationSubmit"]["errors"]] == [("quantity",
                                                                                            "invalid_quantity")]
    assert not rfq.quotations.exists()


def test_quotation_withdraw_by_the_supplier_only(client, pair, make_token):
    a, b, alice, _bob = pair
    rfq = _rfq(a)
    token_b = make_token(b, ["boards:write"])
    quotation_id = gql(client, QUOTE, {"listing": gid(rfq), "input": _quote()}, token=token_b)[
        "data"]["quotationSubmit"]["quotation"]["id"]
    withdraw = """mutation($id: ID!, $reason: String) { quotationWithdraw(id: $id, reason: $reason) {
        quotation { status } errors { field code } } }"""
    by_buyer = gql(client, withdraw, {"id": quotation_id}, token=make_token(a, ["boards:write"]))
    assert by_buyer["data"]["quotationWithdraw"]["errors"] == [{"field": "id", "code": "not_found"}]
    done = gql(client, withdraw, {"id": quotation_id, "reason": "交期排不开"}, token=token_b)["data"]["quotationWithdraw"]
    assert done == {"quotation": {"status": "WITHDRAWN"}, "errors": []}
    again = gql(client, withdraw, {"id": quotation_id}, token=token_b)["data"]["quotationWithdraw"]
    assert [e["code"] for e in again["errors"]] == ["already_withdrawn"]
    assert gql(client, QUOTATIONS, {"id": gid(rfq)}, token=make_token(a, ["boards:read"]))[
        "data"]["listing"]["quotations"] == []


def test_a_token_without_board_scopes_reads_nothing_private_of_the_boards(client, pair, make_token):
    a, b, *_ = pair
    draft = post(a, title="未发布的电机", publish=False)
    rfq = _rfq(a)
    gql(client, QUOTE, {"listing": gid(rfq), "input": _quote()}, token=make_token(b, ["boards:write"]))
    erp_only = make_token(a, ["catalog:read"])
    assert error_codes(gql(client, "query($id: ID!) { listing(id: $id) { title } }", {"id": gid(draft)},
                           token=erp_only)) == ["NOT_FOUND"]
    assert gql(client, QUOTATIONS, {"id": gid(rfq)}, token=erp_only)["data"]["listing"]["quotations"] == []


def test_erp_item_codes_and_hidden_listings_stay_with_their_enterprise(client, pair, make_token, make_user):
    from ecommerce import services

    a, b, *_ = pair
    supply = post(a, title="交流电机 220V")
    Listing.objects.filter(pk=supply.pk).update(erp_item_code="INTERNAL-SKU-42")
    query = "query($id: ID!) { listing(id: $id) { erpItemCode } }"
    assert gql(client, query, {"id": gid(supply)})["data"]["listing"]["erpItemCode"] is None
    assert gql(client, query, {"id": gid(supply)}, token=make_token(b, ["boards:read"]))[
        "data"]["listing"]["erpItemCode"] is None
    assert gql(client, query, {"id": gid(supply)}, token=make_token(a, ["boards:read"]))[
        "data"]["listing"]["erpItemCode"] == "INTERNAL-SKU-42"
    # the office hides an RFQ: the supplier's quotation no longer shows the listing
    rfq = _rfq(a)
    token_b = make_token(b, ["boards:read", "boards:write"])
    gql(client, QUOTE, {"listing": gid(rfq), "input": _quote()}, token=token_b)
    services.listing_hide(listing=rfq, user=make_user(platform_role="office"), reason="违规")
    mine = gql(client, "{ myQuotations { edges { node { listing { title } } } } }", token=token_b)
    assert [e["node"]["listing"] for e in mine["data"]["myQuotations"]["edges"]] == [None]


def test_listing_kind_cannot_change_through_the_api(client, pair, make_token):
    a, *_ = pair
    listing = post(a, title="电机")
    result = gql(client, UPDATE, {"id": gid(listing), "input": {"kind": "DEMAND"}}, token=make_token(a, ["boards:write"]),
                 status=400)
    assert "kind" in result["errors"][0]["message"]


def test_listing_publish_and_renew(client, pair, make_token):
    a, b, *_ = pair
    draft = post(a, title="草稿电机", publish=False)
    token_a = make_token(a, ["boards:write"])
    publish = "mutation($id: ID!) { listingPublish(id: $id) { listing { status } errors { field code } } }"
    renew = """mutation($id: ID!, $days: Int) { listingRenew(id: $id, days: $days) {
        listing { expiresAt } errors { field code } } }"""
    other = gql(client, publish, {"id": gid(draft)}, token=make_token(b, ["boards:write"]))["data"]["listingPublish"]
    assert other["errors"] == [{"field": "id", "code": "not_found"}]
    assert gql(client, publish, {"id": gid(draft)}, token=token_a)["data"]["listingPublish"] == {
        "listing": {"status": "PUBLISHED"}, "errors": []}
    again = gql(client, publish, {"id": gid(draft)}, token=token_a)["data"]["listingPublish"]
    assert [e["code"] for e in again["errors"]] == ["wrong_status"]
    too_long = gql(client, renew, {"id": gid(draft), "days": 999}, token=token_a)["data"]["listingRenew"]
    assert too_long["errors"] == [{"field": "days", "code": "invalid_validity"}]
    renewed = gql(client, renew, {"id": gid(draft), "days": 60}, token=token_a)["data"]["listingRenew"]
    assert renewed["errors"] == [] and renewed["listing"]["expiresAt"] > str(draft.expires_at.year)


def test_a_demand_cannot_be_linked_to_an_erp_item(client, pair, make_token):
    a, *_ = pair
    demand = post(a, kind="demand", title="求购电机")
    result = gql(client, UPDATE, {"id": gid(demand), "input": {"erpItemCode": "HOOD-900"}},
                 token=make_token(a, ["boards:write"]))["data"]["listingUpdate"]
    assert result["errors"] == [{"field": "erpItemCode", "code": "erp_item_supply_only"}]
