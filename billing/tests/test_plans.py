from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Plan
from billing.services.plans import plan_create, plan_update, plans_default_ensure
from core.errors import error_codes_by_field


def test_the_default_plans_are_created_once(db):
    # when: ensured twice
    first = plans_default_ensure()
    second = plans_default_ensure()
    # then: four plans, the same rows, with the prices
    assert [p.pk for p in first] == [p.pk for p in second]
    assert Plan.objects.count() == 4
    by_code = {p.code: p for p in Plan.objects.all()}
    assert by_code["boards"].is_free and by_code["boards"].modules == []
    assert (by_code["erp"].price_month, by_code["erp"].price_year, by_code["erp"].modules) == (
        Decimal("299.00"), Decimal("2990.00"), ["erp"])
    assert (by_code["erp-pdm"].price_month, by_code["erp-pdm"].modules) == (Decimal("499.00"), ["erp", "pdm"])
    full = by_code["erp-pdm-logistics"]
    assert (full.price_month, full.price_year, full.modules) == (Decimal("699.00"), Decimal("6990.00"),
                                                                ["erp", "pdm", "logistics"])
    assert (full.seats_included, full.extra_seat_month, full.extra_seat_year, full.trial_days) == (
        5, Decimal("39.00"), Decimal("390.00"), 14)


def test_an_edited_default_plan_is_left_as_edited(db):
    plans_default_ensure()
    plan_update(plan=Plan.objects.get(code="erp"), price_month="329", sync=False)
    plans_default_ensure()
    assert Plan.objects.get(code="erp").price_month == Decimal("329.00")


def test_plan_input_errors_name_the_field(db, make_user):
    clerk = make_user()
    with pytest.raises(ValidationError) as exc:
        plan_create(code="x", name="X", price_month="-1", sync=False)
    assert error_codes_by_field(exc.value) == {"price_month": ["plan_invalid"]}
    with pytest.raises(ValidationError) as exc:
        plan_create(code="x", name="X", modules=["erp", "crm"], sync=False)
    assert error_codes_by_field(exc.value) == {"modules": ["plan_invalid"]}
    with pytest.raises(ValidationError) as exc:
        plan_create(code="x", name="X", actor=clerk, sync=False)
    assert error_codes_by_field(exc.value) == {"actor": ["forbidden"]}
    assert not Plan.objects.filter(code="x").exists()
