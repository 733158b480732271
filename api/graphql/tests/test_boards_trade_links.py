"""GraphQL of issue #16's links on listings: the trade type, process, need date and capacity weeks for everyone;
the poster's ERP source (proposal, shortage, item, operation, work center ids of its own schema) only for the
poster — another enterprise's token reads null."""

import pytest
from graphql_relay import to_global_id

from api.graphql.tests.conftest import gql
from ecommerce.models import Board, Listing
from ecommerce.seed import boards_ensure
from ecommerce.tests.factories import post

pytestmark = pytest.mark.django_db

QUERY = """query($id: ID!) { listing(id: $id) { tradeType process needDate capacityComputedAt
           capacityWeeks { week freeHours } erpLink { source sourceId needItemId } } }"""


@pytest.fixture(autouse=True)
def _boards(db):
    if Board.objects.count() < 4:
        boards_ensure()


def test_capacity_listing_fields_are_public_and_the_erp_link_is_the_posters_only(client, two_enterprises, make_token):
    a, b, _alice, _bob = two_enterprises
    listing = post(a, title="冲压产能 200 吨")
    Listing.objects.filter(pk=listing.pk).update(
        trade_type=Listing.TradeType.CAPACITY, process="stamping", erp_source=Listing.ErpSource.WORK_CENTER,
        erp_source_id=7, capacity_weeks=[{"week": "2026-12-07", "free_hours": "52.5"},
                                         {"week": "2026-12-14", "free_hours": "0"}, {"bad": "row"}])
    variables = {"id": to_global_id("Listing", listing.pk)}
    own = gql(client, QUERY, variables, token=make_token(a, ["boards:read"]))["data"]["listing"]
    assert own["tradeType"] == "CAPACITY" and own["process"] == "stamping"
    assert own["capacityWeeks"] == [{"week": "2026-12-07", "freeHours": "52.5"},
                                    {"week": "2026-12-14", "freeHours": "0"}]
    assert own["erpLink"] == {"source": "WORK_CENTER", "sourceId": "7", "needItemId": None}
    other = gql(client, QUERY, variables, token=make_token(b, ["boards:read"]))["data"]["listing"]
    assert other["erpLink"] is None and other["capacityWeeks"] == own["capacityWeeks"]
    anonymous = gql(client, QUERY, variables)["data"]["listing"]
    assert anonymous["erpLink"] is None and anonymous["tradeType"] == "CAPACITY"


def test_an_rfq_from_an_mrp_proposal_shows_its_proposal_to_the_buyer_only(client, two_enterprises, make_token):
    a, b, _alice, _bob = two_enterprises
    rfq = post(a, kind="demand", is_rfq=True, title="求购电机")
    Listing.objects.filter(pk=rfq.pk).update(erp_source=Listing.ErpSource.PLANNED_ORDER, erp_source_id=42,
                                             need_item_id=9, need_date="2027-01-15")
    variables = {"id": to_global_id("Listing", rfq.pk)}
    own = gql(client, QUERY, variables, token=make_token(a, ["boards:read"]))["data"]["listing"]
    assert own["erpLink"] == {"source": "PLANNED_ORDER", "sourceId": "42", "needItemId": "9"}
    assert own["needDate"] == "2027-01-15" and own["tradeType"] == "GOODS" and own["process"] is None
    assert gql(client, QUERY, variables, token=make_token(b, ["boards:read"]))["data"]["listing"]["erpLink"] is None
