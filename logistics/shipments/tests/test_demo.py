"""The shipments demo builds on the ERP demo's deliveries through the services, once: a shipment in every
state (a parcel out for delivery, one refused and returned, one cancelled), one in two parcels, events on the
parcels, a proof of delivery."""

import pytest
from django.apps import apps
from django_tenants.utils import tenant_context

from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory
from logistics.shipments.demo import seed_shipments_demo_here
from logistics.shipments.models import ProofOfDelivery, Shipment

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_shipment_in_every_state(make_enterprise):
    enterprise = make_enterprise(slug="ship-demo-hoods")
    with tenant_context(enterprise):
        assert seed_range_hood_factory() is True
        seed_range_hood_documents()
        assert seed_shipments_demo_here() is True
        events = apps.get_model("logistics_tracking", "TrackingEvent").objects
        statuses = sorted(Shipment.objects.values_list("status", flat=True))
        assert statuses == sorted(["delivered", "delivered", "in_transit", "in_transit", "exception", "booked",
                                   "draft", "returned", "cancelled"])
        parcel_statuses = set(apps.get_model("logistics_shipments", "Parcel").objects.values_list("status", flat=True))
        assert {"created", "in_transit", "out_for_delivery", "problem", "delivered", "returned"} <= parcel_statuses
        returned = Shipment.objects.get(status="returned")
        assert list(events.filter(parcel__shipment=returned).order_by("time").values_list("status", flat=True)) == [
            "picked_up", "in_transit", "out_for_delivery", "refused", "returning", "returned"]
        assert Shipment.objects.get(status="cancelled").parcels.get().waybill_number == "773058124957045"
        assert Shipment.objects.filter(parcels__seq=2).count() == 1
        assert ProofOfDelivery.objects.filter(shipment__status="delivered").count() == 1
        assert events.filter(parcel__shipment__status="exception", status="problem").count() == 1
        assert all(s.province_code for s in Shipment.objects.all())
        assert seed_shipments_demo_here() is False
