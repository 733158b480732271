"""Subsidised plans: joining a scheme (enrolled only, never above max_enterprises, also when two join at once),
the programme's share of each invoice granted from its budget (never above it, also when two invoices race
for the last of it), idempotent, and the monthly settlement paid by the fund's transfer."""

from __future__ import annotations

import itertools
import os
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from billing.models import Invoice, Plan, SubsidyScheme, SubsidySettlement, Subscription
from billing.services.subsidies import (BILLING_SYSTEM_EMAIL, invoice_subsidy_apply, month_first, months_add,
                                        scheme_create, settlement_build, settlement_pay, settlements_build_month,
                                        subscription_scheme_join)
from core.testing import codes
from office.models import Programme, Subsidy
from office.services import enrolment_enrol
from office.tests.builders import make_programme, registry_enterprise

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def office(make_user):
    return make_user(email=f"office{next(_n)}@office.test", platform_role="office", full_name="信息化办公室")


# ---- builders (real rows; the invoices as the sync or the bank-transfer path would write them) ----------------

def make_plan(**fields) -> Plan:
    n = next(_n)
    defaults = {"code": f"erp-{n}-{os.getpid() % 1000}", "name": f"ERP 标准版 {n}", "modules": ["erp"],
                "price_month": Decimal("999.00"), "price_year": Decimal("9990.00")}
    defaults.update(fields)
    return Plan.objects.create(**defaults)


def make_subscription(enterprise, plan, *, start: date | None = None, **fields) -> Subscription:
    start = start or timezone.localdate()
    at = timezone.make_aware(timezone.datetime(start.year, start.month, start.day, 9))
    defaults = {"status": Subscription.Status.ACTIVE, "payment_method": Subscription.PaymentMethod.BANK_TRANSFER,
                "current_period_start": at, "current_period_end": at + timedelta(days=30)}
    defaults.update(fields)
    return Subscription.objects.create(enterprise=enterprise, plan=plan, **defaults)


def make_invoice(subscription, *, total="999.00", period_start: date | None = None, **fields) -> Invoice:
    total = Decimal(total)
    period_start = period_start or timezone.localdate()
    n = next(_n)
    defaults = {"number": f"DB{period_start.year}{os.getpid() % 100:02d}{n:04d}", "enterprise": subscription.enterprise,
                "subscription": subscription, "amount_total": total, "amount_due": total,
                "period_start": period_start, "period_end": months_add(period_start, 1) - timedelta(days=1),
                "issued_at": timezone.now(), "lines": [{"description": subscription.plan.name, "quantity": 1,
                                                        "amount": f"{total:.2f}"}]}
    defaults.update(fields)
    return Invoice.objects.create(**defaults)


def subsidised_world(office, *, budget="1000000.00", percent="50", max_enterprises=5, months=12):
    """A programme with a scheme on a plan, one enrolled enterprise subscribed and joined."""
    programme = make_programme(budget=Decimal(budget))
    plan = make_plan()
    scheme = scheme_create(programme=programme, plan=plan, percent=percent, months=months,
                           max_enterprises=max_enterprises, actor=office)
    enterprise = registry_enterprise()
    enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    subscription = subscription_scheme_join(subscription=make_subscription(enterprise, plan), scheme=scheme)
    return programme, plan, scheme, enterprise, subscription


# ---- schemes and joining ---------------------------------------------------------------------------------------

def test_only_the_office_creates_schemes_and_terms_are_checked(office, make_user):
    programme, plan = make_programme(), make_plan()
    with pytest.raises(ValidationError) as caught:
        scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=3, actor=make_user())
    assert codes(caught.value) == ["forbidden"]
    for percent in ("0", "100.01", "abc", "12.345"):
        with pytest.raises(ValidationError) as caught:
            scheme_create(programme=programme, plan=plan, percent=percent, months=12, max_enterprises=3, actor=office)
        assert list(caught.value.message_dict) == ["percent"]
    with pytest.raises(ValidationError) as caught:
        scheme_create(programme=programme, plan=plan, percent="50", months=0, max_enterprises=3, actor=office)
    assert list(caught.value.message_dict) == ["months"]
    scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=3, actor=office)
    with pytest.raises(ValidationError) as caught:
        scheme_create(programme=programme, plan=plan, percent="40", months=12, max_enterprises=3, actor=office)
    assert codes(caught.value) == ["scheme_exists"]
    assert SubsidyScheme.objects.filter(programme=programme).count() == 1


def test_joining_needs_an_enrolment_the_schemes_plan_and_a_free_place(office):
    programme, plan = make_programme(), make_plan()
    scheme = scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=1, actor=office)
    first, second = registry_enterprise(), registry_enterprise()
    start = date(2026, 1, 31)
    subscription = make_subscription(first, plan, start=start)
    # not enrolled: refused
    with pytest.raises(ValidationError) as caught:
        subscription_scheme_join(subscription=subscription, scheme=scheme)
    assert codes(caught.value) == ["not_enrolled"]
    assert caught.value.message_dict["scheme"] == [f"{first.name} is not enrolled in {programme.name}."]
    # another plan: refused
    enrolment_enrol(programme=programme, enterprise=second, actor=office)
    other = make_subscription(second, make_plan())
    with pytest.raises(ValidationError) as caught:
        subscription_scheme_join(subscription=other, scheme=scheme)
    assert codes(caught.value) == ["scheme_plan_mismatch"]
    # enrolled: joins, subsidised for 12 months from the start (the 31st → the end of a shorter month stays 31st)
    enrolment_enrol(programme=programme, enterprise=first, actor=office)
    joined = subscription_scheme_join(subscription=subscription, scheme=scheme)
    assert (joined.subsidy_scheme_id, joined.subsidy_until) == (scheme.pk, date(2027, 1, 31))
    assert subscription_scheme_join(subscription=subscription, scheme=scheme).subsidy_until == date(2027, 1, 31)
    # the only place is taken
    Subscription.objects.filter(pk=other.pk).update(plan=plan)
    with pytest.raises(ValidationError) as caught:
        subscription_scheme_join(subscription=other, scheme=scheme)
    assert codes(caught.value) == ["scheme_full"]
    assert caught.value.message_dict["scheme"] == ["All 1 places of this subsidy scheme are taken."]
    assert months_add(date(2026, 3, 31), 11) == date(2027, 2, 28)


@pytest.mark.django_db(transaction=True)
def test_two_enterprises_racing_for_the_last_place_never_both_win(clean_schemas, office):
    # given: a scheme with one place and two enrolled enterprises on its plan
    programme, plan = make_programme(), make_plan()
    scheme = scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=1, actor=office)
    subscriptions = []
    for _i in range(2):
        enterprise = registry_enterprise()
        enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
        subscriptions.append(make_subscription(enterprise, plan))
    start = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def join(subscription) -> None:
        try:
            start.wait()
            subscription_scheme_join(subscription=subscription, scheme=scheme)
            result = "joined"
        except ValidationError as exc:
            result = codes(exc)[0]
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=join, args=(s,)) for s in subscriptions]
    # when: both join at the same moment
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: one joins, the other is told the scheme is full
    assert sorted(outcomes) == ["joined", "scheme_full"]
    assert Subscription.objects.filter(subsidy_scheme=scheme).count() == 1


# ---- invoices ------------------------------------------------------------------------------------------------

def test_the_programme_pays_its_share_of_an_invoice_once(office):
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, percent="50")
    invoice = make_invoice(subscription, total="999.99")
    # when: the invoice is split (twice, as a redelivered event would)
    invoice = invoice_subsidy_apply(invoice=invoice)
    again = invoice_subsidy_apply(invoice=invoice)
    # then: 50% of 999.99 rounded to the fen is granted once, from the budget, by the billing system user
    assert (invoice.amount_total, invoice.subsidy_amount, invoice.amount_due) == (
        Decimal("999.99"), Decimal("500.00"), Decimal("499.99"))
    assert (again.subsidy_id, again.subsidy_amount, again.lines) == (invoice.subsidy_id, invoice.subsidy_amount,
                                                                      invoice.lines)
    grant = Subsidy.objects.get(programme=programme)
    assert (grant.amount, grant.enrolment.enterprise_id, grant.invoice.pk) == (Decimal("500.00"), enterprise.pk,
                                                                               invoice.pk)
    assert grant.granted_by.email == BILLING_SYSTEM_EMAIL
    assert not grant.granted_by.is_active and not grant.granted_by.has_usable_password()
    programme.refresh_from_db()
    assert programme.granted_total == Decimal("500.00")
    assert [line.get("kind") for line in invoice.lines] == [None, "subsidy"]
    assert invoice.lines[1]["amount"] == "-500.00"


def test_when_the_budget_cannot_cover_the_share_the_enterprise_pays_the_whole(office):
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, budget="400.00", percent="50")
    invoice = invoice_subsidy_apply(invoice=make_invoice(subscription, total="999.00"))
    # nothing granted; the invoice says why; applying again changes nothing
    assert (invoice.subsidy_id, invoice.subsidy_amount, invoice.amount_due) == (None, Decimal("0"), Decimal("999.00"))
    note = invoice.lines[-1]
    assert (note["kind"], note["code"], note["amount"]) == ("subsidy_refused", "budget_exceeded", "0.00")
    with translation.override("en"):
        assert programme.name in note["description"]
    assert invoice_subsidy_apply(invoice=invoice).lines == invoice.lines
    assert not Subsidy.objects.filter(programme=programme).exists()
    programme.refresh_from_db()
    assert programme.granted_total == Decimal("0")


def test_no_share_outside_the_subsidised_months_or_after_leaving_the_programme(office):
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, months=1)
    late = make_invoice(subscription, period_start=subscription.subsidy_until)
    assert invoice_subsidy_apply(invoice=late).subsidy_amount == Decimal("0")
    assert invoice_subsidy_apply(invoice=late).lines == late.lines  # no note: simply not subsidised
    # an enterprise withdrawn from the programme pays the whole, with a note
    programme.enrolments.update(status="withdrawn")
    invoice = invoice_subsidy_apply(invoice=make_invoice(subscription))
    assert (invoice.subsidy_id, invoice.amount_due, invoice.lines[-1]["code"]) == (None, Decimal("999.00"),
                                                                                   "not_enrolled")
    # an invoice of a subscription without a scheme is left alone
    plain = make_subscription(registry_enterprise(), plan)
    assert invoice_subsidy_apply(invoice=make_invoice(plain)).lines == [
        {"description": plan.name, "quantity": 1, "amount": "999.00"}]


@pytest.mark.django_db(transaction=True)
def test_two_invoices_racing_for_the_last_of_the_budget(clean_schemas, office):
    # given: ¥600 left in the budget, two subsidised enterprises, each with an invoice whose share is ¥500
    programme = make_programme(budget=Decimal("600.00"))
    plan = make_plan(price_month=Decimal("1000.00"))
    scheme = scheme_create(programme=programme, plan=plan, percent="50", months=12, max_enterprises=5, actor=office)
    invoices = []
    for _i in range(2):
        enterprise = registry_enterprise()
        enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
        subscription = subscription_scheme_join(subscription=make_subscription(enterprise, plan), scheme=scheme)
        invoices.append(make_invoice(subscription, total="1000.00"))
    start = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def apply(invoice) -> None:
        try:
            start.wait()
            result = invoice_subsidy_apply(invoice=invoice)
            outcome = "granted" if result.subsidy_id else result.lines[-1]["code"]
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=apply, args=(i,)) for i in invoices]
    # when: both invoices arrive at the same moment
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: one share is granted, the other enterprise pays its whole invoice; the books agree
    assert sorted(outcomes) == ["budget_exceeded", "granted"]
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.granted_total == Decimal("500.00") <= programme.budget
    dues = sorted(Invoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list("amount_due", flat=True))
    assert dues == [Decimal("500.00"), Decimal("1000.00")]


# ---- settlements -----------------------------------------------------------------------------------------------

def _last_month() -> date:
    return months_add(month_first(timezone.localdate()), -1)


def test_the_monthly_statement_is_settled_by_the_funds_transfer(office, make_user):
    programme, plan, scheme, enterprise, subscription = subsidised_world(office, percent="50")
    first = invoice_subsidy_apply(invoice=make_invoice(subscription, total="999.00"))
    second = invoice_subsidy_apply(invoice=make_invoice(subscription, total="200.00"))
    this_month = invoice_subsidy_apply(invoice=make_invoice(subscription, total="100.00"))
    month = _last_month()
    Subsidy.objects.filter(pk__in=[first.subsidy_id, second.subsidy_id]).update(granted_on=month + timedelta(days=3))
    # when: the beat task builds last month's statements
    built = settlements_build_month()
    # then: one statement for the programme with the two shares of last month
    assert [(s.programme_id, s.month, s.amount, s.status) for s in built] == [
        (programme.pk, month, Decimal("599.50"), "open")]
    settlement = built[0]
    assert settlement_build(programme=programme, month=month).pk == settlement.pk  # rebuilding is harmless
    # the transfer must be the statement's amount, by the office
    with pytest.raises(ValidationError) as caught:
        settlement_pay(settlement=settlement, amount="599.49", bank_reference="慈财 2026-101", actor=office)
    assert codes(caught.value) == ["settlement_amount_mismatch"]
    with pytest.raises(ValidationError) as caught:
        settlement_pay(settlement=settlement, amount="599.50", bank_reference="慈财 2026-101", actor=make_user())
    assert codes(caught.value) == ["forbidden"]
    settlement = settlement_pay(settlement=settlement, amount="599.50", bank_reference="慈财 2026-101", actor=office)
    # every grant of the statement is paid, the one of this month is not
    assert (settlement.status, settlement.bank_reference) == ("paid", "慈财 2026-101")
    paid = dict(Subsidy.objects.filter(programme=programme).values_list("pk", "paid_amount"))
    assert paid == {first.subsidy_id: Decimal("499.50"), second.subsidy_id: Decimal("100.00"),
                    this_month.subsidy_id: Decimal("0.00")}
    programme.refresh_from_db()
    assert programme.paid_total == Decimal("599.50")
    with pytest.raises(ValidationError) as caught:
        settlement_pay(settlement=settlement, amount="599.50", bank_reference="again", actor=office)
    assert codes(caught.value) == ["settlement_paid"]
    # this month's statement cannot be paid before the month is over
    current = settlement_build(programme=programme, month=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        settlement_pay(settlement=current, amount=current.amount, bank_reference="early", actor=office)
    assert codes(caught.value) == ["month_invalid"]
    assert SubsidySettlement.objects.filter(programme=programme).count() == 2
