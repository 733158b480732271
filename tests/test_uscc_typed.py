"""A credit code typed with a Chinese input method (full-width `９１３３…Ｙ`, ideographic spaces) is accepted
wherever a code is typed or imported: sign-up, the partner form, the partner import, the government-data
import, a list search, the office's page of a code and the GraphQL API — all through core.uscc."""

import json

import pandas as pd
import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from api.govdata.services import file_import
from api.govdata.tests.conftest import csv_bytes
from core.imports import import_validate
from core.uscc import uscc_make
from erp_modules.partners.importers import PartnerImporter
from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_create
from tenants.models import Enterprise

pytestmark = pytest.mark.django_db

CODE = uscc_make(org_body="MA2H7Q5K")


def typed(code: str) -> str:
    """As a Chinese input method in full-width mode types it, in groups, with a lower-case letter."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code[:-1] + code[-1].lower())
    return f"{wide[:8]}\u3000{wide[8:]}"


def test_the_typed_form_is_really_not_ascii():
    assert typed(CODE) != CODE and not typed(CODE).isascii()


def test_sign_up(client):
    data = {"name": "慈溪市全角电器有限公司", "short_name": "全角", "uscc": typed(CODE), "slug": "quanjiao",
            "industry": "3854", "sales_band": "5m_20m", "address": "", "town": "", "contact_phone": "",
            "full_name": "张伟", "email": "zhang@quanjiao.test", "password": "Kitchen-Hood-2026!"}

    response = client.post("/signup/", data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Enterprise.objects.get(slug="quanjiao").uscc == CODE


def test_partner_form_import_and_list_search(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner)
    client = Client()
    client.force_login(owner)
    host = {"HTTP_HOST": f"{enterprise.slug}.localhost"}
    # the partner form
    response = client.post("/partners/new/", {
        "code": "S-WIDE", "name": "宁波全角供应商", "is_supplier": "on", "uscc": typed(CODE), "payment_terms_days": 30,
        "currency": "CNY", "active": "on"}, **host)
    assert response.status_code == 302, response.content.decode()[-3000:]
    with tenant_context(enterprise):
        assert Partner.objects.get(code="S-WIDE").uscc == CODE
        # the partner import (validation reads the code as the importer would from a file)
        other = uscc_make(org_body="MA2H7Q6G")
        frame = pd.DataFrame([{"code": "C-WIDE", "name": "宁波全角客户", "is_customer": "是", "uscc": typed(other)}])
        rows, errors = import_validate(PartnerImporter(), frame)
        assert errors == [] and rows[0]["uscc"] == other
    # a list search with the code as typed finds the partner
    page = client.get("/partners/", {"q": typed(CODE)}, **host).content.decode()
    assert "S-WIDE" in page


def test_government_data_import_office_page_and_graphql(make_user):
    office = make_user(platform_role="office")
    run = file_import(content=csv_bytes([["统一社会信用代码", "企业名称", "登记状态"],
                                         [typed(CODE), "慈溪市全角电器有限公司", "存续"]]), filename="r.csv")
    assert (run.status, run.new_count) == ("succeeded", 1)
    client = Client()
    client.force_login(office)
    page = client.get(f"/govdata/enterprises/{typed(CODE)}/", HTTP_HOST="localhost")
    assert page.status_code == 200 and "慈溪市全角电器有限公司" in page.content.decode()
    response = client.post("/graphql/", json.dumps({"query": "query($c: String!) { govRecord(uscc: $c) { uscc } }",
                                                    "variables": {"c": typed(CODE)}}),
                           content_type="application/json", HTTP_HOST="localhost")
    assert response.json()["data"]["govRecord"] == {"uscc": CODE}


def test_a_partner_created_through_the_service_stores_the_normal_form(erp):
    partner = partner_create(code="S-2", name="某供应商", is_supplier=True, uscc=typed(CODE))
    assert partner.uscc == CODE


def test_platform_admin_adds_and_finds_an_enterprise_by_the_typed_code(client, make_user):
    admin_user = make_user(email="root@platform.test", is_staff=True, is_superuser=True)
    owner = make_user(email="wide@example.test")
    client.force_login(admin_user)
    data = {"name": "慈溪市全角轴承有限公司", "slug": "wide-admin", "uscc": typed(CODE), "industry": "3451",
            "sales_band": "lt5m", "owner": owner.pk, "modules": ["erp"]}

    response = client.post("/admin/tenants/enterprise/add/", data)

    assert response.status_code == 302, response.content[:2000]
    assert Enterprise.objects.get(slug="wide-admin").uscc == CODE
    found = client.get("/admin/tenants/enterprise/", {"q": typed(CODE)})
    assert list(found.context["cl"].result_list) == [Enterprise.objects.get(slug="wide-admin")]
