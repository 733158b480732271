"""The nightly adoption snapshot: counted in each enterprise's own schema, written to the public
schema, one row per enterprise per day, harmless to repeat or to miss."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from office.models import AdoptionRecord, AdoptionSnapshot, Enrolment
from office.services import enrolment_enrol
from office.tasks import adoption_snapshot_all, adoption_snapshot_enterprise
from office.tests.builders import (KNOWN_A, add_member, build_known_activity, build_small_activity,
                                   make_programme)


def _two_enterprises(make_enterprise, make_user):
    user_a, user_b, user_c = make_user(), make_user(), make_user()
    a = make_enterprise(slug="snap-a", owner=user_a, industry="3854", town="观海卫镇")
    b = make_enterprise(slug="snap-b", industry="1712", town="宗汉街道")
    add_member(a, user_b)
    add_member(a, user_c, role="viewer")
    with tenant_context(a):
        build_known_activity(enterprise=a, user_a=user_a, user_b=user_b, user_c=user_c)
    with tenant_context(b):
        build_small_activity()
    return a, b


def _assert_known_figures(a, b, day):
    snap_a = AdoptionSnapshot.objects.get(enterprise=a, day=day)
    assert (snap_a.active_users_7d, snap_a.active_users_30d) == (2, 3)
    assert snap_a.documents_7d == KNOWN_A["documents_7d"]
    assert snap_a.documents_30d == KNOWN_A["documents_30d"]
    assert snap_a.documents_prev_30d == KNOWN_A["documents_prev_30d"]
    assert (snap_a.documents_7d_total, snap_a.documents_30d_total) == (6, 9)
    assert snap_a.modules_in_use == ["parts", "production", "purchasing", "sales"]
    assert snap_a.items_count == 4
    assert (snap_a.items_with_bom_pct, snap_a.items_with_lead_time_pct, snap_a.items_with_cost_pct) == (
        Decimal("50.0"), Decimal("25.0"), Decimal("75.0"))
    assert snap_a.completeness_pct == Decimal("50.0")
    snap_b = AdoptionSnapshot.objects.get(enterprise=b, day=day)
    assert (snap_b.active_users_7d, snap_b.active_users_30d) == (0, 0)
    assert (snap_b.documents_7d_total, snap_b.documents_30d_total) == (1, 1)
    assert snap_b.documents_30d["items"] == 1 and snap_b.modules_in_use == ["parts"]
    assert (snap_b.items_with_bom_pct, snap_b.items_with_lead_time_pct, snap_b.items_with_cost_pct,
            snap_b.completeness_pct) == (None, Decimal("0.0"), Decimal("0.0"), Decimal("0.0"))


def test_each_enterprise_is_counted_in_its_own_schema(make_enterprise, make_user):
    # given: two enterprises with known, different activity
    a, b = _two_enterprises(make_enterprise, make_user)
    day = timezone.localdate()
    # when: the per-enterprise task runs in each one's schema (as the worker would run it)
    with tenant_context(a):
        result_a = adoption_snapshot_enterprise(day.isoformat())
    with tenant_context(b):
        result_b = adoption_snapshot_enterprise(day.isoformat())
    # then: one public row each, with exactly their own figures
    assert result_a == {"enterprise": a.pk, "day": day.isoformat(), "documents_30d": 9, "active_users_30d": 3}
    assert result_b["enterprise"] == b.pk and result_b["documents_30d"] == 1
    _assert_known_figures(a, b, day)
    assert AdoptionSnapshot.objects.count() == 2


def test_the_task_refuses_to_run_in_the_public_schema(db):
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError, match="wrong_schema"):
        adoption_snapshot_enterprise(timezone.localdate().isoformat())
    assert AdoptionSnapshot.objects.count() == 0


def test_rerunning_a_day_overwrites_its_row_and_missing_days_are_harmless(make_enterprise, make_user, office):
    # given: an enterprise enrolled in a programme, counted once today
    from erp_modules.workspace.testing import make_item

    enterprise = make_enterprise(slug="snap-idem")
    programme = make_programme(criteria={"min_documents_per_month": 2})
    enrolment = enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    today = timezone.localdate()
    with tenant_context(enterprise):
        make_item("FIRST")
        adoption_snapshot_enterprise(today.isoformat())
        # when: more happens and the same day is counted again, twice
        make_item("SECOND")
        adoption_snapshot_enterprise(today.isoformat())
        adoption_snapshot_enterprise(today.isoformat())
        # ... and a day three days back is filled in late (the days between were missed)
        adoption_snapshot_enterprise((today - timedelta(days=3)).isoformat())
    # then: one row per day, the re-run day holds the latest counts, the late day its own window
    rows = list(AdoptionSnapshot.objects.filter(enterprise=enterprise).order_by("day")
                .values_list("day", "documents_30d_total"))
    assert rows == [(today - timedelta(days=3), 0), (today, 2)]
    records = list(AdoptionRecord.objects.filter(enrolment=enrolment).order_by("day").values_list("day", "status"))
    assert records == [(today - timedelta(days=3), "not_started"), (today, "adopted")]
    # the late, older day did not move the current status back
    enrolment.refresh_from_db()
    assert (enrolment.adoption_status, enrolment.adoption_as_of) == (Enrolment.Adoption.ADOPTED, today)


def _wait_for(predicate, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_nightly_fan_out_runs_one_task_per_enterprise_on_a_real_worker(clean_schemas, celery_worker_process,
                                                                          make_enterprise, make_user):
    # given: two enterprises with known activity, and a real worker on the real broker
    a, b = _two_enterprises(make_enterprise, make_user)
    day = timezone.localdate()
    # when: beat's task is queued (from the public schema) and fans out
    adoption_snapshot_all.delay(day.isoformat())
    # then: the worker ran one task in each schema and each wrote its own row
    assert _wait_for(lambda: AdoptionSnapshot.objects.filter(day=day).count() == 2)
    _assert_known_figures(a, b, day)
    # and queuing the same night again changes nothing but the computed_at stamp
    first = dict(AdoptionSnapshot.objects.values_list("enterprise_id", "computed_at"))
    adoption_snapshot_all.delay(day.isoformat())
    assert _wait_for(lambda: dict(AdoptionSnapshot.objects.values_list("enterprise_id", "computed_at")) != first
                     and all(v != first[k] for k, v in AdoptionSnapshot.objects.values_list("enterprise_id",
                                                                                              "computed_at")))
    assert AdoptionSnapshot.objects.count() == 2
    _assert_known_figures(a, b, day)
