"""Shipments through their services: from a delivery (address parsed, value of the delivered lines), parcels
with waybill numbers (checked, carrier guessed, unique per carrier), booking, hooks, the derived status,
freight, quotes and proofs of delivery."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.testing import codes_by_field
from logistics.carriers.services import contract_create, zone_create
from logistics.shipments import hooks, selectors, services
from logistics.shipments.models import Parcel, ParcelStatus, ProofOfDelivery, Shipment
from logistics.shipments.tests.factories import carrier, make_delivery, png, truncated_jpeg

pytestmark = pytest.mark.django_db
D = Decimal
Status = Shipment.Status


def test_a_delivery_is_shipped_with_its_address_parsed_and_the_value_of_its_lines(erp, owner):
    # given a delivery of 2 hoods at 1000 + 13% VAT to a customer in Ningbo
    delivery = make_delivery(quantity=2, price="1000")
    # when
    shipment = services.shipment_from_delivery(delivery=delivery, user=owner)
    # then
    assert (shipment.direction, shipment.status, shipment.number) == ("out", Status.DRAFT, "SH-00001")
    assert (shipment.province_code, shipment.city_code, shipment.district_code) == ("330000", "330200", "330205")
    assert shipment.region_name.startswith("浙江省 宁波市")
    assert shipment.goods_value == D("2260.00")
    assert shipment.consignee_name.startswith(delivery.customer.name) and shipment.partner == delivery.customer
    # the delivery is shipped once; a cancelled shipment frees it
    with pytest.raises(ValidationError) as exc:
        services.shipment_from_delivery(delivery=delivery, user=owner)
    assert codes_by_field(exc.value) == {"delivery": ["already_shipped"]}
    services.shipment_cancel(shipment=shipment, user=owner)
    assert list(selectors.deliveries_unshipped()) == [delivery]
    assert services.shipment_from_delivery(delivery=delivery, user=owner).number == "SH-00002"


def test_an_address_that_cannot_be_parsed_is_refused_on_the_address(erp, owner):
    delivery = make_delivery(address="长兴路 8 号")
    with pytest.raises(ValidationError) as exc:
        services.shipment_from_delivery(delivery=delivery, user=owner)
    assert list(codes_by_field(exc.value)) == ["address"]
    assert not Shipment.objects.exists()


def test_parcels_waybills_booking_and_the_hooks(erp, owner, django_capture_on_commit_callbacks):
    sf, yto = carrier("SF"), carrier("YTO", "圆通速递")
    shipment = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    # a parcel without carrier: guessed from the number
    first = services.parcel_add(shipment=shipment, weight_kg=D("12.5"), length_cm=D("60"), width_cm=D("40"),
                                height_cm=D("30"), waybill_number="sf 1402 5839 17266", user=owner)
    assert (first.seq, first.waybill_number, first.carrier, first.waybill_warning) == (1, "SF1402583917266", sf, None)
    # a number of another carrier's shape is kept, with a warning
    second = services.parcel_add(shipment=shipment, weight_kg="3", carrier=sf, waybill_number="YT7521864039217",
                                 user=owner)
    assert second.carrier == sf and "does not look like" in second.waybill_warning
    # the same carrier's number twice is refused, naming the parcel that has it
    with pytest.raises(ValidationError) as exc:
        services.parcel_add(shipment=shipment, weight_kg="1", carrier=sf, waybill_number="SF1402583917266", user=owner)
    assert codes_by_field(exc.value) == {"waybill_number": ["waybill_taken"]}
    assert "parcel 1 of SH-00001" in exc.value.messages[0]
    # a bad UPU check digit is refused
    with pytest.raises(ValidationError) as exc:
        services.parcel_add(shipment=shipment, weight_kg="1", waybill_number="EE123456784CN", user=owner)
    assert codes_by_field(exc.value) == {"waybill_number": ["waybill_invalid"]}
    third = services.parcel_add(shipment=shipment, weight_kg="2", user=owner)
    # booking needs a carrier, then a waybill number on every parcel
    with pytest.raises(ValidationError) as exc:
        services.shipment_book(shipment=shipment, user=owner)
    assert codes_by_field(exc.value) == {"carrier": ["carrier_required"]}
    services.shipment_update(shipment=shipment, carrier=yto, user=owner)
    with pytest.raises(ValidationError) as exc:
        services.shipment_book(shipment=shipment, user=owner)
    assert codes_by_field(exc.value) == {"waybill_number": ["waybill_required"]}
    assert "Parcels 3 have no waybill" in exc.value.messages[0]
    services.parcel_update(parcel=third, weight_kg="2", waybill_number="YT7521864039224", user=owner)
    services.parcel_remove(parcel=second, user=owner)
    called = []
    hooks.parcels_booked_register(called.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.shipment_book(shipment=shipment, user=owner)
    finally:
        hooks._PARCELS_BOOKED.remove(called.append)
    shipment.refresh_from_db()
    assert shipment.status == Status.BOOKED
    assert called == [[first.pk, third.pk]]
    assert Parcel.objects.get(pk=third.pk).carrier == yto
    # a booked shipment's parcels are no longer changed
    with pytest.raises(ValidationError) as exc:
        services.parcel_add(shipment=shipment, weight_kg="1", user=owner)
    assert exc.value.code == "wrong_status"


def _booked(owner, numbers=("SF1402583917266", "SF1402583917273")) -> Shipment:
    sf = carrier("SF")
    shipment = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    services.shipment_update(shipment=shipment, carrier=sf, user=owner)
    for number in numbers:
        services.parcel_add(shipment=shipment, weight_kg="5", waybill_number=number, user=owner)
    return services.shipment_book(shipment=shipment, user=owner)


def _set(shipment, *statuses):
    for parcel, status in zip(shipment.parcels.order_by("seq"), statuses):
        Parcel.objects.filter(pk=parcel.pk).update(status=status)
    return services.shipment_status_refresh(shipment=shipment)


def test_the_shipment_status_is_derived_from_its_parcels(erp, owner):
    shipment = _booked(owner)
    P = ParcelStatus
    assert _set(shipment, P.CREATED, P.CREATED) == Status.BOOKED
    assert _set(shipment, P.PICKED_UP, P.CREATED) == Status.IN_TRANSIT
    assert _set(shipment, P.DELIVERED, P.IN_TRANSIT) == Status.IN_TRANSIT
    assert _set(shipment, P.DELIVERED, P.PROBLEM) == Status.EXCEPTION
    assert _set(shipment, P.REFUSED, P.IN_TRANSIT) == Status.EXCEPTION
    assert _set(shipment, P.RETURNED, P.RETURNED) == Status.RETURNED
    assert _set(shipment, P.DELIVERED, P.DELIVERED) == Status.DELIVERED
    shipment.refresh_from_db()
    assert shipment.delivered_at is not None
    # a draft is left alone
    draft = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    assert services.shipment_status_refresh(shipment=draft) == Status.DRAFT


def test_quote_choose_and_the_freight_difference_flag(erp, owner):
    sf = carrier("SF")
    contract = contract_create(carrier=sf, name="顺丰 2026", volumetric_divisor=6000)
    zone_create(contract=contract, name="浙江省内", regions=["330000"], first_price=D("12"), first_weight_kg=D("1"),
                step_kg=D("1"), step_price=D("2"), promised_days=1)
    shipment = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    services.parcel_add(shipment=shipment, weight_kg="3", user=owner)
    quotes = services.shipment_quote(shipment=shipment)
    assert [(q.contract_id, q.price) for q in quotes] == [(contract.pk, D("16.00"))]
    shipment = services.shipment_quote_choose(shipment=shipment, contract=contract, user=owner)
    assert (shipment.carrier, shipment.contract, shipment.quoted_freight) == (sf, contract, D("16.00"))
    assert shipment.promised_date is not None
    services.shipment_freight_record(shipment=shipment, actual_freight="17.50", user=owner)
    shipment.refresh_from_db()
    assert selectors.freight_flagged(shipment) is False  # 9.4 %
    services.shipment_freight_record(shipment=shipment, actual_freight="18", user=owner)
    shipment.refresh_from_db()
    assert selectors.freight_flagged(shipment) is True and selectors.freight_difference(shipment) == D("12.5")
    with pytest.raises(ValidationError) as exc:
        services.shipment_freight_record(shipment=shipment, actual_freight="-1", user=owner)
    assert codes_by_field(exc.value) == {"actual_freight": ["invalid_value"]}


def test_proofs_of_delivery(erp, owner, media):
    shipment = _booked(owner)
    parcel = shipment.parcels.first()
    proof = services.proof_upload(shipment=shipment, parcel=parcel, kind=ProofOfDelivery.Kind.PHOTO, file=png(),
                                  user=owner)
    assert (proof.content_type, proof.original_name, proof.parcel) == ("image/png", "photo.png", parcel)
    files_before = sorted(p.name for p in media.rglob("*") if p.is_file())
    for bad, code in ((truncated_jpeg(), "file_damaged"), (png("x.png").__class__("a.exe", b"MZ\x90\x00", "x"),
                                                           "file_type")):
        with pytest.raises(ValidationError) as exc:
            services.proof_upload(shipment=shipment, kind="photo", file=bad, user=owner)
        assert codes_by_field(exc.value) == {"file": [code]}
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_before
    assert ProofOfDelivery.objects.count() == 1
    # a draft takes no proof
    draft = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    with pytest.raises(ValidationError) as exc:
        services.proof_upload(shipment=draft, kind="photo", file=png(), user=owner)
    assert exc.value.code == "wrong_status"


def test_a_new_destination_drops_the_quote_chosen_for_the_old_one(erp, owner):
    sf = carrier("SF")
    contract = contract_create(carrier=sf, name="顺丰 2026", volumetric_divisor=6000)
    zone_create(contract=contract, name="全国", regions=["330000", "440000"], first_price=D("12"),
                first_weight_kg=D("1"), step_kg=D("1"), step_price=D("2"), promised_days=1)
    shipment = services.shipment_from_delivery(delivery=make_delivery(), user=owner)
    services.parcel_add(shipment=shipment, weight_kg="3", user=owner)
    shipment = services.shipment_quote_choose(shipment=shipment, contract=contract, user=owner)
    assert shipment.quoted_freight == D("16.00")
    same_place = services.shipment_update(shipment=shipment, user=owner, address=shipment.address + " 2号门")
    assert same_place.quoted_freight == D("16.00")  # the same district: the quote still holds
    moved = services.shipment_update(shipment=same_place, user=owner, address="广东省深圳市南山区科技园1号")
    assert (moved.province_code, moved.quoted_freight, moved.promised_date) == ("440000", None, None)
    assert (moved.carrier, moved.contract) == (sf, contract)  # kept: quote again to see the new price
