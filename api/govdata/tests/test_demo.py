"""seed_govdata_demo(): the demo enterprises, 瑞丰's partners and other Cixi companies get registry and credit
records (through the file import), the boards show the demo enterprises verified, two of 瑞丰's partners carry
the credit warning; running it again writes nothing."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from api.govdata.demo import demo_companies, seed_govdata_demo
from api.govdata.models import CreditEvent, CreditRating, RegistryRecord, SyncRun
from core.uscc import is_valid_uscc, uscc_make
from ecommerce.demo import seed_board_demo
from ecommerce.models import EnterpriseCard, Listing
from ecommerce.tests.factories import member
from erp_modules.partners.credit import partner_credit_for
from erp_modules.partners.models import Partner
from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory
from tenants.demo import DEMO_ENTERPRISES
from tenants.models import Role

pytestmark = pytest.mark.django_db


def test_demo_records_verify_the_demo_enterprises_and_flag_two_partners(make_enterprise, make_user,
                                                                        django_capture_on_commit_callbacks):
    # given: the three demo enterprises with their own credit codes, 瑞丰 with its ERP demo
    enterprises = {}
    for spec in DEMO_ENTERPRISES:
        enterprises[spec["slug"]] = make_enterprise(slug=spec["slug"], name=spec["name"], industry=spec["industry"],
                                                    uscc=uscc_make(org_body=spec["org_body"]))
        member(make_user, enterprises[spec["slug"]], role=Role.CLERK)
    with tenant_context(enterprises["ruifeng"]):
        seed_range_hood_factory()
        seed_range_hood_documents()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert seed_govdata_demo() is True
    runs = SyncRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert seed_govdata_demo() is False
    # then: a few dozen companies, every code valid, nothing written twice
    companies = demo_companies()
    assert len(companies) >= 40 and all(is_valid_uscc(c["uscc"]) for c in companies)
    assert len({c["uscc"] for c in companies}) == len(companies)
    assert SyncRun.objects.count() == runs == 3
    assert RegistryRecord.objects.filter(is_current=True).count() == len(companies)
    assert CreditEvent.objects.count() >= 10 and CreditRating.objects.count() >= 50
    cards = {card.enterprise.slug: card for card in EnterpriseCard.objects.select_related("enterprise")}
    assert {slug: card.credit_verified for slug, card in cards.items()} == {
        "ruifeng": True, "yongsheng": True, "jinxiu": True}
    assert cards["ruifeng"].credit_level == "A · 812/1000"
    # the board listings show the verified badge
    seed_board_demo()
    listing = Listing.objects.filter(enterprise=enterprises["yongsheng"], status="published").first()
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/boards/l/{listing.pk}/").content.decode()
    assert 'data-credit="verified"' in page and "Credit verified" in page
    # 瑞丰's partners carry their codes: the steel trader is abnormal, the Shanghai customer revoked
    with tenant_context(enterprises["ruifeng"]):
        partners = {p.code: p.uscc for p in Partner.objects.all()}
        assert all(partners[code] for code in ("S-MOTOR", "S-PLAST", "S-ELEC", "S-STEEL", "S-PACK", "C-HZDQ",
                                               "C-NBJJ", "C-SHKD"))
        assert partners["C-ONLINE"] == ""
        credits = partner_credit_for(partners.values())
    flagged = {code for code, uscc in partners.items() if uscc and credits[uscc].needs_override}
    assert flagged == {"S-STEEL", "C-SHKD"}
    assert credits[partners["S-STEEL"]].abnormal and credits[partners["C-SHKD"]].revoked
    assert credits[partners["S-MOTOR"]].level == "good"
