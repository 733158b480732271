"""The logistics programme's measures: the share of the sales deliveries of the last 30 days shipped with
tracking and the shipments of those 30 days, counted in each enterprise's own schema from real logistics rows,
kept in the snapshot, judged by the logistics rule (LOGISTICS_DEMONSTRATION) and shown on the office's pages."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from office import metrics, services
from office.adoption import (ADOPTED, AT_RISK, LOGISTICS_DEMONSTRATION, adoption_evaluate, criteria_text,
                             logistics_demonstration_evaluate, programme_criteria, reasons_text)
from office.models import AdoptionSnapshot, Enrolment, Programme
from office.tasks import adoption_snapshot_enterprise
from office.tests.builders import client_for, make_programme, xlsx_rows

_n = itertools.count(1)


def _delivery(customer, *, tracked: str = "", shipment_status: str = "in_transit", waybill: bool = True,
              shipped: bool = True, days_ago: int = 0):
    """A sales delivery (with its order) and, when `shipped`, an outbound shipment of it with one parcel;
    `tracked`: "subscription", "event" or "" (the parcel is not followed)."""
    from erp_modules.sales.models import Delivery, SalesOrder
    from logistics.shipments.models import Parcel, Shipment
    from logistics.tracking.models import Subscription, TrackingEvent

    n = next(_n)
    order = SalesOrder.objects.create(number=f"SO-T{n:04d}", customer=customer, status="confirmed")
    delivery = Delivery.objects.create(number=f"DN-T{n:04d}", order=order, customer=customer)
    created = timezone.now() - timedelta(days=days_ago)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=created)
    if not shipped:
        return delivery
    shipment = Shipment.objects.create(number=f"SH-T{n:04d}", delivery=delivery, status=shipment_status)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=created)
    parcel = Parcel.objects.create(shipment=shipment, seq=1, waybill_number=f"SF{n:010d}" if waybill else "")
    if tracked == "subscription":
        Subscription.objects.create(parcel=parcel)
    elif tracked == "event":
        TrackingEvent.objects.create(parcel=parcel, time=timezone.now(), context="已揽收", status="picked_up",
                                     fingerprint=f"f{n}")
    return delivery


def _standalone_shipments(count: int, *, days_ago: int = 0):
    from logistics.shipments.models import Shipment

    for _ in range(count):
        shipment = Shipment.objects.create(number=f"SH-S{next(_n):04d}", direction="standalone")
        Shipment.objects.filter(pk=shipment.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def _customer():
    from erp_modules.partners.models import Partner

    return Partner.objects.create(code=f"C{next(_n)}", name="宁波客户", is_customer=True)


def _logistics_use(enterprise, *, tracked: int, untracked: int = 0, unshipped: int = 0, standalone: int = 0):
    with tenant_context(enterprise):
        customer = _customer()
        for n in range(tracked):
            _delivery(customer, tracked=("subscription", "event")[n % 2])
        for _ in range(untracked):
            _delivery(customer)
        for _ in range(unshipped):
            _delivery(customer, shipped=False)
        _standalone_shipments(standalone)


def test_each_enterprise_counts_its_own_deliveries_shipped_with_tracking(make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(a):
        customer = _customer()
        _delivery(customer, tracked="subscription")  # tracked: a subscription
        _delivery(customer, tracked="event")  # tracked: events
        _delivery(customer, tracked="event", waybill=False)  # a parcel without a waybill number: not tracked
        _delivery(customer, shipped=False)  # not shipped
        _delivery(customer, tracked="subscription", shipment_status="cancelled")  # its shipment was cancelled
        _delivery(customer, tracked="event", days_ago=31)  # before the 30 days: counted nowhere
        _standalone_shipments(1)
        _standalone_shipments(1, days_ago=30)  # 30 days back from the end of today: still outside
    _logistics_use(b, tracked=1, standalone=11)
    for enterprise in (a, b):
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
    snap_a, snap_b = (AdoptionSnapshot.objects.get(enterprise=e, day=timezone.localdate()) for e in (a, b))
    fields = ("logistics_deliveries_30d", "logistics_deliveries_tracked_30d", "logistics_tracked_pct",
              "logistics_shipments_30d")
    # A: 5 deliveries in the window, 2 shipped with tracking; 4 shipments (3 of deliveries, 1 alone; not the
    # cancelled one)
    assert tuple(getattr(snap_a, f) for f in fields) == (5, 2, 40, 4)
    assert tuple(getattr(snap_b, f) for f in fields) == (1, 1, 100, 12)
    # the day before the deliveries existed: nothing
    with tenant_context(a):
        earlier = metrics.tenant_activity_count(day=timezone.localdate() - timedelta(days=40))
    assert (earlier.logistics_deliveries_30d, earlier.logistics_shipments_30d, earlier.logistics_tracked_pct) == (
        0, 0, None)


def _snap(pct, shipments: int, deliveries: int = 10, users: int = 2):
    return SimpleNamespace(active_users_30d=users, documents_30d={"deliveries": deliveries}, documents_prev_30d={},
                           modules_in_use=[], completeness_pct=None, logistics_tracked_pct=pct,
                           logistics_deliveries_30d=deliveries, logistics_shipments_30d=shipments,
                           day=timezone.localdate())


def test_the_logistics_rule_and_a_programme_evaluated_with_it():
    assert LOGISTICS_DEMONSTRATION == {"min_tracked_deliveries_pct": 50, "min_shipments_30d": 10}
    assert logistics_demonstration_evaluate(snapshot=_snap("50.0", 10)).status == ADOPTED
    for pct, shipments, deliveries, why in [
            ("49.9", 10, 10, "49.9% of the deliveries in 30 days shipped with tracking (needs 50%)"),
            ("80.0", 9, 10, "9 shipments in 30 days (needs 10)"),
            (None, 12, 0, "no sales deliveries in 30 days to ship with tracking (needs 50%)")]:
        evaluation = logistics_demonstration_evaluate(snapshot=_snap(pct, shipments, deliveries))
        assert evaluation.status == AT_RISK
        assert reasons_text(evaluation.status, evaluation.reasons) == why
    assert logistics_demonstration_evaluate(snapshot=None).status == "not_started"
    # a programme of the logistics module: the rule under its own criteria (its own figure wins)
    programme = SimpleNamespace(module="logistics", criteria={"min_active_users_30d": 1, "min_shipments_30d": 20})
    assert programme_criteria(programme) == {"min_tracked_deliveries_pct": 50, "min_shipments_30d": 20,
                                             "min_active_users_30d": 1}
    assert adoption_evaluate(criteria=programme_criteria(programme), snapshot=_snap("60", 20)).status == ADOPTED
    assert adoption_evaluate(criteria=programme_criteria(programme), snapshot=_snap("60", 12)).status == AT_RISK
    assert criteria_text(programme_criteria(programme))[1:] == [
        "at least 50% of the sales deliveries of the last 30 days shipped with tracking",
        "at least 20 shipments in the last 30 days"]


def test_the_logistics_programme_page_and_the_enterprise_page_show_the_measures(make_enterprise, make_user):
    office = make_user(email="office-lg@office.test", platform_role="office")
    programme = make_programme(module=Programme.Module.LOGISTICS, target_count=100,
                               criteria={"min_active_users_30d": 0})
    leader, starter = make_enterprise(name="慈溪市物流示范电器有限公司"), make_enterprise(name="慈溪市起步物流五金有限公司")
    _logistics_use(leader, tracked=6, untracked=4, standalone=2)  # 60% of 10, 12 shipments
    _logistics_use(starter, tracked=1, unshipped=3)  # 25% of 4, 1 shipment
    for enterprise in (leader, starter):
        services.enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
    status = dict(Enrolment.objects.filter(programme=programme).values_list("enterprise_id", "adoption_status"))
    assert status == {leader.pk: "adopted", starter.pk: "at_risk"}
    client = client_for(office)
    page = client.get(f"/office/programmes/{programme.code}/").content.decode()
    assert 'id="logistics-demonstrating">1 / 100<' in page
    assert 'id="logistics-tracked-total">50.0%<' in page and 'id="logistics-shipments-total">13<' in page
    assert "at least 50% of its sales deliveries of the last 30 days were shipped with tracking" in page
    assert "25.0% of the deliveries in 30 days shipped with tracking (needs 50%)" in page
    rows = xlsx_rows(client.get(f"/office/programmes/{programme.code}/?export=xlsx&table={programme.code}-logistics"))
    assert [row[:6] for row in rows[1:]] == [
        ("慈溪市物流示范电器有限公司", 10, 6, 60.0, 12, True), ("慈溪市起步物流五金有限公司", 4, 1, 25.0, 1, False)]
    assert 'id="logistics-measures"' not in client.get(f"/office/programmes/{make_programme().code}/").content.decode()
    # the enterprise's page shows its logistics figures; one without logistics use does not
    page = client.get(f"/office/enterprises/{leader.pk}/").content.decode()
    assert 'id="latest-logistics-figures"' in page and 'id="logistics-tracked-pct">60.0%<' in page
    other = make_enterprise()
    services.enrolment_enrol(programme=programme, enterprise=other, actor=office)
    with tenant_context(other):
        adoption_snapshot_enterprise(timezone.localdate().isoformat())
    assert 'id="latest-logistics-figures"' not in client.get(f"/office/enterprises/{other.pk}/").content.decode()
    # the programme form edits the rule's figures; a share above 100 is refused
    form = client.get(f"/office/programmes/{programme.code}/edit/").content.decode()
    assert 'name="min_tracked_deliveries_pct"' in form and 'name="min_shipments_30d"' in form
    with pytest.raises(ValidationError) as exc:
        services.programme_update(programme=programme, actor=office, criteria={"min_tracked_deliveries_pct": 101})
    assert [e.code for e in exc.value.error_dict.get("criteria", [])] == ["criteria_invalid"], exc.value
