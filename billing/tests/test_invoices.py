"""Invoice numbers, the invoice PDF and fapiao requests."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from billing.models import FapiaoRequest, Invoice, Plan
from billing.services.invoices import (fapiao_defaults, fapiao_request_create, fapiao_request_issue,
                                       invoice_number_next, invoice_pdf)
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start
from core.errors import error_codes_by_field
from tenants.models import Membership, Role

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _invoice(enterprise) -> Invoice:
    plans_default_ensure()
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    subscription_start(enterprise=enterprise, plan=Plan.objects.get(code="erp-pdm"), actor=owner,
                       payment_method="bank_transfer", trial=False, now=T0)
    return Invoice.objects.get(enterprise=enterprise)


def test_invoice_numbers_are_db_year_and_six_digits_from_a_sequence(db):
    first, second = invoice_number_next(year=2031), invoice_number_next(year=2031)
    assert re.fullmatch(r"DB2031\d{6}", first)
    assert int(second[6:]) == int(first[6:]) + 1
    assert invoice_number_next(year=2032).startswith("DB2032")


@override_settings(BILLING_BANK_ACCOUNT={"name": "数码桥平台", "bank": "宁波银行慈溪支行", "account": "7101 0122 0003 3344"})
def test_the_invoice_pdf_has_the_totals_the_shares_and_the_bank_details(make_enterprise):
    enterprise = make_enterprise()
    invoice = _invoice(enterprise)
    pdf = invoice_pdf(invoice, language="en")
    assert pdf.startswith(b"%PDF")
    text = pdf.decode("latin-1")
    for expected in (invoice.number, "499.00", "Subsidy share", "Enterprise share", "7101 0122 0003 3344"):
        assert expected in text, expected
    assert "STSong-Light" in text  # the CJK font, so the enterprise's Chinese name prints
    # the same invoice gives the same bytes
    assert invoice_pdf(invoice, language="en") == pdf


def test_a_fapiao_request_is_prefilled_checked_and_made_once(make_enterprise, make_user):
    enterprise = make_enterprise()
    invoice = _invoice(enterprise)
    owner = Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user
    defaults = fapiao_defaults(enterprise)
    assert (defaults["title"], defaults["tax_number"]) == (enterprise.name, enterprise.uscc)
    with pytest.raises(ValidationError) as exc:
        fapiao_request_create(invoice=invoice, actor=owner, title=enterprise.name, tax_number="12-34")
    assert error_codes_by_field(exc.value) == {"tax_number": ["fapiao_tax_number_invalid"]}
    with pytest.raises(ValidationError) as exc:
        fapiao_request_create(invoice=invoice, actor=owner, kind="special", title=enterprise.name,
                              tax_number=enterprise.uscc, address="慈溪市")
    assert error_codes_by_field(exc.value) == {"phone": ["fapiao_incomplete"]}
    request = fapiao_request_create(invoice=invoice, actor=owner, **defaults)
    assert (request.status, request.tax_number) == ("requested", enterprise.uscc)
    with pytest.raises(ValidationError) as exc:
        fapiao_request_create(invoice=invoice, actor=owner, **defaults)
    assert error_codes_by_field(exc.value) == {"invoice": ["fapiao_exists"]}
    # the platform's finance staff issue it
    with pytest.raises(ValidationError):
        fapiao_request_issue(request=request, fapiao_number="0001", actor=owner)
    issued = fapiao_request_issue(request=request, fapiao_number="33012600001", actor=make_user(
        platform_role="platform_admin"))
    assert (issued.status, issued.fapiao_number) == ("issued", "33012600001")
    assert FapiaoRequest.objects.count() == 1
    assert invoice.amount_total == Decimal("499.00")
