"""Subsidies are granted and paid against the programme's budget, never above it, even when the
office grants from several windows at the same moment."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.testing import codes
from office.models import Programme, Subsidy
from office.services import enrolment_enrol, subsidy_grant, subsidy_pay
from office.tests.builders import make_programme


def test_grants_and_payments_stay_within_the_budget(make_enterprise, office):
    # given: a programme of ¥1,000,000 and an enrolled enterprise
    programme = make_programme(budget=Decimal("1000000.00"))
    enrolment = enrolment_enrol(programme=programme, enterprise=make_enterprise(), actor=office)
    # when: ¥600,000 and ¥400,000 are granted, then ¥0.01 more
    first = subsidy_grant(enrolment=enrolment, amount="600000", purpose="ERP 实施一期", actor=office)
    subsidy_grant(enrolment=enrolment, amount="400000.00", purpose="ERP 实施二期", actor=office)
    with pytest.raises(ValidationError) as caught:
        subsidy_grant(enrolment=enrolment, amount="0.01", purpose="超出", actor=office)
    # then: the last grant is refused, naming what is left
    assert codes(caught.value) == ["budget_exceeded"]
    assert caught.value.message_dict["amount"] == [
        f"¥0.01 is more than the ¥0.00 left of the budget of {programme.name} (¥1,000,000.00, of which "
        "¥1,000,000.00 granted)."]
    programme.refresh_from_db()
    assert (programme.granted_total, programme.paid_total) == (Decimal("1000000.00"), Decimal("0"))
    # and payments cannot exceed their grant
    subsidy_pay(subsidy=first, amount="250000", actor=office, reference="慈财 2026-017")
    with pytest.raises(ValidationError) as caught:
        subsidy_pay(subsidy=first, amount="350000.01", actor=office)
    assert codes(caught.value) == ["grant_exceeded"]
    subsidy_pay(subsidy=first, amount="350000", actor=office)
    first.refresh_from_db()
    programme.refresh_from_db()
    assert (first.paid_amount, first.outstanding, programme.paid_total) == (
        Decimal("600000.00"), Decimal("0.00"), Decimal("600000.00"))


def test_only_enrolled_enterprises_get_subsidies_and_amounts_are_checked(make_enterprise, office, make_user):
    programme = make_programme()
    enrolment = enrolment_enrol(programme=programme, enterprise=make_enterprise(), actor=office)
    for amount in ("0", "-5", "12.345", "abc"):
        with pytest.raises(ValidationError) as caught:
            subsidy_grant(enrolment=enrolment, amount=amount, purpose="x", actor=office)
        assert codes(caught.value) == ["amount_invalid"]
    with pytest.raises(ValidationError) as caught:
        subsidy_grant(enrolment=enrolment, amount="10", purpose="x", actor=make_user())
    assert codes(caught.value) == ["forbidden"]
    enrolment.status = "withdrawn"
    enrolment.save()
    with pytest.raises(ValidationError) as caught:
        subsidy_grant(enrolment=enrolment, amount="10", purpose="x", actor=office)
    assert codes(caught.value) == ["not_enrolled"]
    assert Subsidy.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_never_exceed_the_budget(clean_schemas, make_enterprise, office):
    # given: ¥100,000 of budget and ten office windows each granting ¥15,000 at the same moment
    programme = make_programme(budget=Decimal("100000.00"))
    enrolment = enrolment_enrol(programme=programme, enterprise=make_enterprise(), actor=office)
    start = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def grant(n: int) -> None:
        try:
            start.wait()
            subsidy_grant(enrolment=enrolment, amount="15000", purpose=f"并发 {n}", actor=office)
            result = "granted"
        except ValidationError as exc:
            result = codes(exc)[0]
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=grant, args=(n,)) for n in range(10)]
    # when: they all run at once
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: exactly six fit, four are refused, and the books agree
    assert sorted(outcomes) == ["budget_exceeded"] * 4 + ["granted"] * 6
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.granted_total == Decimal("90000.00")
    assert sum(s.amount for s in Subsidy.objects.filter(programme=programme)) == Decimal("90000.00")


def test_the_database_itself_refuses_grants_above_the_budget(make_enterprise, office):
    # even a write that skips the service cannot push the total over the budget
    from django.db import IntegrityError, transaction

    programme = make_programme(budget=Decimal("100.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(granted_total=Decimal("100.01"))
