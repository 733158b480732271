"""seed_board_demo(): believable listings for the three demo enterprises, idempotent."""

import pytest
from django_tenants.utils import tenant_context

from ecommerce import selectors
from ecommerce.demo import LISTINGS, seed_board_demo
from ecommerce.models import InquiryThread, Listing, Match
from ecommerce.selectors import SearchFilters
from erp_modules.workspace.testing import make_item, receive
from tenants.models import Role
from ecommerce.tests.factories import member

pytestmark = pytest.mark.django_db


def test_demo_listings_for_the_three_enterprises(make_enterprise, make_user):
    # given: the demo enterprises, each with a clerk; 瑞丰 has the range hood in its ERP
    enterprises = {}
    for slug, industry, town in (("ruifeng", "3854", "观海卫镇"), ("yongsheng", "3451", "周巷镇"),
                                 ("jinxiu", "1712", "宗汉街道")):
        enterprises[slug] = make_enterprise(slug=slug, industry=industry, town=town)
        member(make_user, enterprises[slug], role=Role.CLERK)
    with tenant_context(enterprises["ruifeng"]):
        receive(make_item("CXW-200-A1", item_type="finished"), 35)
    # when
    created = seed_board_demo()
    again = seed_board_demo()
    # then
    assert (created, again) == (len(LISTINGS), 0)
    assert Listing.objects.filter(status="published").count() == len(LISTINGS)
    hood = Listing.objects.get(erp_item_code="CXW-200-A1")
    assert selectors.listing_stock(listing=hood) == 35
    assert Match.objects.filter(demand__title="求购电机用深沟球轴承 6202-2RS",
                                supply__title="深沟球轴承 6202-2RS 电机专用静音轴承").exists()
    assert InquiryThread.objects.filter(listing__title="求购电机用深沟球轴承 6202-2RS",
                                        asker=enterprises["yongsheng"]).count() == 1
    assert selectors.listing_search(filters=SearchFilters(q="抽油烟机 电机")).total >= 1
    assert {lst.is_rfq for lst in Listing.objects.filter(kind="demand")} == {True, False}
