"""Adoption rules: adopted / at risk / not started, with the reasons, per the programme's criteria."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from office.adoption import adoption_evaluate, criteria_clean, reasons_text
from office.models import AdoptionSnapshot, Programme
from office.tests.builders import ERP_CRITERIA

DAY = date(2026, 3, 31)


def snap(*, users=0, last=None, before=None, modules=(), completeness=None):
    """An unsaved snapshot: the rules only read its figures."""
    return AdoptionSnapshot(day=DAY, active_users_30d=users, documents_30d=last or {},
                            documents_prev_30d=before or {}, modules_in_use=list(modules),
                            completeness_pct=None if completeness is None else Decimal(completeness))


def test_erp_is_adopted_with_3_users_and_50_documents_in_each_of_two_months():
    evaluation = adoption_evaluate(criteria=ERP_CRITERIA, snapshot=snap(
        users=3, last={"sales_orders": 30, "receipts": 20, "items": 500}, before={"purchase_orders": 50}))
    assert evaluation.status == "adopted"
    assert [(r["code"], r.get("window"), r["value"], r["needed"], r["met"]) for r in evaluation.reasons] == [
        ("active_users", None, 3, 3, True), ("documents", "last_30d", 50, 50, True),
        ("documents", "prev_30d", 50, 50, True)]


def test_erp_is_at_risk_with_the_unmet_criteria_named():
    # items are master data, not ERP business documents: they do not count
    evaluation = adoption_evaluate(criteria=ERP_CRITERIA, snapshot=snap(
        users=2, last={"sales_orders": 60, "items": 100}, before={"sales_orders": 49}))
    assert evaluation.status == "at_risk"
    assert [(r["code"], r["met"]) for r in evaluation.reasons] == [
        ("active_users", False), ("documents", True), ("documents", False)]
    assert reasons_text("at_risk", evaluation.reasons) == (
        "2 active users in 30 days (needs 3); 49 purchase orders/goods receipts/quotations/sales orders/shipments/"
        "invoices/work orders in the 30 days before (needs 50)")


def test_one_good_month_is_not_enough_when_two_are_required():
    evaluation = adoption_evaluate(criteria=ERP_CRITERIA, snapshot=snap(users=5, last={"sales_orders": 80}))
    assert evaluation.status == "at_risk"
    assert [r["met"] for r in evaluation.reasons] == [True, True, False]


def test_without_figures_or_without_any_activity_it_has_not_started():
    assert adoption_evaluate(criteria=ERP_CRITERIA, snapshot=None).reasons == [{"code": "no_figures", "met": False}]
    assert adoption_evaluate(criteria=ERP_CRITERIA, snapshot=None).status == "not_started"
    idle = adoption_evaluate(criteria=ERP_CRITERIA, snapshot=snap(users=0, last={"items": 40}))
    assert (idle.status, idle.reasons) == ("not_started", [{"code": "no_activity", "met": False}])
    assert reasons_text(idle.status, idle.reasons) == "no activity in the last 60 days"


def test_pdm_needs_data_completeness_and_general_informatization_needs_modules():
    pdm = {"min_active_users_30d": 2, "min_documents_per_month": 20, "document_kinds": ["items", "boms", "files"],
           "min_completeness_pct": 60}
    assert adoption_evaluate(criteria=pdm, snapshot=snap(users=2, last={"items": 15, "files": 5},
                                                         completeness="60.0")).status == "adopted"
    low = adoption_evaluate(criteria=pdm, snapshot=snap(users=2, last={"items": 20}, completeness="59.9"))
    assert low.status == "at_risk"
    assert reasons_text(low.status, low.reasons) == "data completeness 59.9% (needs 60%)"
    general = {"min_active_users_30d": 3, "min_modules_in_use": 2}
    one = adoption_evaluate(criteria=general, snapshot=snap(users=4, last={"sales_orders": 1}, modules=["sales"]))
    assert reasons_text(one.status, one.reasons) == "1 module in use (needs 2)"
    two = adoption_evaluate(criteria=general, snapshot=snap(users=4, last={"x": 1}, modules=["sales", "parts"]))
    assert two.status == "adopted"
    assert reasons_text(two.status, two.reasons) == "4 active users in 30 days (needs 3); 2 modules in use (needs 2)"


@pytest.mark.parametrize("criteria, message", [
    ({"min_active_users": 3}, "Unknown adoption criteria: min_active_users."),
    ({"min_documents_per_month": -1}, "min_documents_per_month must be a whole number of 0 or more."),
    ({"consecutive_months": 3}, "consecutive_months must be 1 or 2."),
    ({"document_kinds": ["orders"]}, "document_kinds must be a list of: purchase_orders, receipts, quotations, "
                                     "sales_orders, deliveries, invoices, work_orders, items, boms, files, listings."),
    ({"min_completeness_pct": 120}, "min_completeness_pct must be between 0 and 100."),
])
def test_criteria_are_checked_with_a_message_naming_the_key(criteria, message):
    with pytest.raises(ValidationError) as caught:
        criteria_clean(criteria)
    assert caught.value.messages == [message]
    assert caught.value.error_list[0].code == "criteria_invalid"


def test_the_four_programmes_of_the_fund_are_seeded(db):
    programmes = {p.code: p for p in Programme.objects.all()}
    assert set(programmes) >= {"erp-pilot", "pdm-demo", "logistics", "over-20m"}
    erp = programmes["erp-pilot"]
    assert (erp.target_kind, erp.target_count) == ("count", 10)
    assert erp.criteria["min_active_users_30d"] == 3 and erp.criteria["min_documents_per_month"] == 50
    assert erp.criteria["consecutive_months"] == 2
    assert (programmes["pdm-demo"].target_count, programmes["logistics"].target_count) == (5, 100)
    share = programmes["over-20m"]
    assert (share.target_kind, share.target_share_pct) == ("share", Decimal("70.00"))
    assert share.cohort_sales_bands == ["20m_100m", "100m_500m", "gt500m"]
    assert sum(p.budget for p in programmes.values() if p.code in {"erp-pilot", "pdm-demo", "logistics",
                                                                   "over-20m"}) == Decimal("16000000.00")
    for p in programmes.values():
        criteria_clean(p.criteria)  # every seeded criterion is valid
