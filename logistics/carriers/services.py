"""Writes of carriers, contracts and their rate cards (zones of GB/T 2260 regions).

A zone's regions are codes of provinces (330000) or cities (330200) checked against the region data
(logistics.carriers.regions); a region belongs to at most one zone of a contract, so a quote never has
to choose between two prices for the same level. A province in one zone and one of its cities in
another is allowed: the city is more specific and wins (logistics.carriers.quotes).

Every write is audited (erp_modules.common's audit_record). ``user`` is who acts (None: the system,
e.g. the demo data); the pages check roles before calling (manager edits carriers and contracts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import field_error
from erp_modules.common.services import audit_record, model_changes
from logistics.carriers import regions as region_data
from logistics.carriers.error_codes import CarriersErrorCode as Code
from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,29}$")
CARRIER_FIELDS = ["code", "name", "kind", "tracking_code", "phone", "active"]
CONTRACT_FIELDS = ["name", "valid_from", "valid_to", "volumetric_divisor", "min_charge", "fuel_surcharge_pct",
                   "free_over", "currency", "active", "note"]
ZONE_FIELDS = ["name", "first_weight_kg", "first_price", "step_kg", "step_price", "promised_days"]

# (code, name, kind, tracking code at the aggregator): the standard carriers of carriers_seed_standard
STANDARD_CARRIERS = [
    ("SF", "顺丰速运", Carrier.Kind.EXPRESS, "shunfeng"),
    ("ZTO", "中通快递", Carrier.Kind.EXPRESS, "zhongtong"),
    ("YTO", "圆通速递", Carrier.Kind.EXPRESS, "yuantong"),
    ("YD", "韵达快递", Carrier.Kind.EXPRESS, "yunda"),
    ("STO", "申通快递", Carrier.Kind.EXPRESS, "shentong"),
    ("JD", "京东物流", Carrier.Kind.EXPRESS, "jd"),
    ("JTSD", "极兔速递", Carrier.Kind.EXPRESS, "jtexpress"),
    ("EMS", "中国邮政EMS", Carrier.Kind.EXPRESS, "ems"),
    ("DBL", "德邦快递", Carrier.Kind.FREIGHT, "debangwuliu"),
    ("OWN", "自有车辆", Carrier.Kind.OWN_FLEET, ""),
]


# ---- carriers -----------------------------------------------------------------------------------


def _carrier_clean(fields: dict) -> dict:
    clean = dict(fields)
    for name in ("name", "tracking_code", "phone"):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
    if "code" in clean:
        clean["code"] = (clean["code"] or "").strip().upper()
        if not _CODE.match(clean["code"]):
            raise field_error("code", _("Use 1 to 30 letters A–Z, digits, - or _ (e.g. SF, ZTO)."), Code.CODE_INVALID)
    if "kind" in clean and clean["kind"] not in Carrier.Kind.values:
        raise field_error("kind", _("Choose express, freight or own trucks."), Code.VALUE_INVALID)
    return clean


def _carrier_save(carrier: Carrier, user, before: Carrier | None) -> Carrier:
    taken = _("Another carrier has the code %(code)s.") % {"code": carrier.code}
    if Carrier.objects.filter(code=carrier.code).exclude(pk=carrier.pk).exists():
        raise field_error("code", taken, Code.CODE_TAKEN)
    carrier.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            carrier.save()
    except IntegrityError:
        raise field_error("code", taken, Code.CODE_TAKEN) from None
    audit_record(obj=carrier, action="create" if before is None else "update", user=user,
                 changes=model_changes(before, carrier, CARRIER_FIELDS))
    return carrier


@transaction.atomic
def carrier_create(*, code: str, name: str, kind: str = Carrier.Kind.EXPRESS, tracking_code: str = "",
                   phone: str = "", active: bool = True, user=None) -> Carrier:
    fields = _carrier_clean({"code": code, "name": name, "kind": kind, "tracking_code": tracking_code,
                             "phone": phone, "active": active})
    return _carrier_save(Carrier(**fields), user, None)


@transaction.atomic
def carrier_update(*, carrier: Carrier, user=None, **fields) -> Carrier:
    unknown = set(fields) - set(CARRIER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = Carrier.objects.select_for_update().get(pk=carrier.pk)
    carrier = Carrier.objects.get(pk=carrier.pk)
    for name, value in _carrier_clean(fields).items():
        setattr(carrier, name, value)
    return _carrier_save(carrier, user, before)


@transaction.atomic
def carriers_seed_standard() -> list[Carrier]:
    """The standard express carriers, Deppon's freight line and the enterprise's own trucks; a carrier whose
    code exists already is left as it is (idempotent). Returns the carriers of STANDARD_CARRIERS."""
    existing = {c.code: c for c in Carrier.objects.filter(code__in=[row[0] for row in STANDARD_CARRIERS])}
    out = []
    for code, name, kind, tracking in STANDARD_CARRIERS:
        carrier = existing.get(code) or carrier_create(code=code, name=name, kind=kind, tracking_code=tracking)
        out.append(carrier)
    return out


# ---- contracts ----------------------------------------------------------------------------------


def _contract_check(contract: Contract) -> None:
    errors = {}
    if contract.valid_from and contract.valid_to and contract.valid_to < contract.valid_from:
        errors["valid_to"] = ValidationError(_("The end of validity is before its start."),
                                             code=str(Code.DATES_REVERSED))
    if contract.volumetric_divisor is not None and not 1000 <= contract.volumetric_divisor <= 100000:
        errors["volumetric_divisor"] = ValidationError(_("Use a divisor between 1,000 and 100,000 (cm³ per kg)."),
                                                       code=str(Code.VALUE_INVALID))
    if contract.min_charge is not None and contract.min_charge < 0:
        errors["min_charge"] = ValidationError(_("Enter zero or more."), code=str(Code.VALUE_INVALID))
    if contract.fuel_surcharge_pct is not None and not 0 <= contract.fuel_surcharge_pct <= 100:
        errors["fuel_surcharge_pct"] = ValidationError(_("Enter a percentage from 0 to 100."),
                                                       code=str(Code.VALUE_INVALID))
    if contract.free_over is not None and contract.free_over <= 0:
        errors["free_over"] = ValidationError(_("Enter an amount above zero, or leave it empty."),
                                              code=str(Code.VALUE_INVALID))
    if errors:
        raise ValidationError(errors)
    contract.currency = (contract.currency or "CNY").strip().upper()
    contract.full_clean()


@transaction.atomic
def contract_create(*, carrier: Carrier, name: str, valid_from: date | None = None, valid_to: date | None = None,
                    volumetric_divisor: int = 6000, min_charge: Decimal = Decimal("0"),
                    fuel_surcharge_pct: Decimal = Decimal("0"), free_over: Decimal | None = None,
                    currency: str = "CNY", active: bool = True, note: str = "", user=None) -> Contract:
    carrier = Carrier.objects.get(pk=carrier.pk)
    if not carrier.active:
        raise field_error("carrier", _("%(carrier)s is not active.") % {"carrier": carrier}, Code.CARRIER_INACTIVE)
    contract = Contract(carrier=carrier, name=(name or "").strip(), valid_from=valid_from, valid_to=valid_to,
                        volumetric_divisor=volumetric_divisor, min_charge=min_charge,
                        fuel_surcharge_pct=fuel_surcharge_pct, free_over=free_over, currency=currency,
                        active=active, note=(note or "").strip())
    _contract_check(contract)
    contract.save()
    audit_record(obj=contract, action="create", user=user, changes=model_changes(None, contract, CONTRACT_FIELDS))
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, user=None, **fields) -> Contract:
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = Contract.objects.select_related("carrier").select_for_update(of=("self",)).get(pk=contract.pk)
    contract = Contract.objects.select_related("carrier").get(pk=contract.pk)
    for name, value in fields.items():
        setattr(contract, name, value.strip() if isinstance(value, str) else value)
    _contract_check(contract)
    contract.save()
    audit_record(obj=contract, action="update", user=user, changes=model_changes(before, contract, CONTRACT_FIELDS))
    return contract


# ---- zones --------------------------------------------------------------------------------------


def _region_codes(codes: Iterable[str]) -> list[str]:
    """The zone's region codes, each a province or city, unique, in the order given."""
    out, bad = [], []
    for code in codes or []:
        code = str(code).strip()
        if region_data.region_level(code) in (region_data.PROVINCE, region_data.CITY):
            if code not in out:
                out.append(code)
        else:
            bad.append(code[:12])
    if bad:
        raise field_error("regions", _("Not the GB/T 2260 code of a province or city: %(codes)s.")
                          % {"codes": ", ".join(bad)}, Code.REGION_UNKNOWN)
    if not out:
        raise field_error("regions", _("Choose at least one province or city."), Code.REGION_REQUIRED)
    return out


def _regions_free(contract: Contract, codes: list[str], zone: Zone | None) -> None:
    taken = (ZoneRegion.objects.filter(zone__contract=contract, code__in=codes).select_related("zone")
             .order_by("code"))
    if zone is not None:
        taken = taken.exclude(zone=zone)
    clashes = [_("%(region)s is in the zone %(zone)s already") % {"region": region_data.region_label(r.code),
                                                                  "zone": r.zone.name} for r in taken]
    if clashes:
        raise field_error("regions", _("A region may be in one zone of a contract only: %(list)s.")
                          % {"list": "; ".join(clashes)}, Code.REGION_TAKEN)


def _zone_save(zone: Zone, codes: list[str] | None, user, before: Zone | None) -> Zone:
    if Zone.objects.filter(contract_id=zone.contract_id, name=zone.name).exclude(pk=zone.pk).exists():
        raise field_error("name", _("The contract has a zone named %(name)s already.") % {"name": zone.name},
                          Code.ZONE_NAME_TAKEN)
    errors = {}
    for name in ("first_weight_kg", "step_kg"):
        value = getattr(zone, name)
        if value is not None and value <= 0:
            errors[name] = ValidationError(_("Enter a weight above zero."), code=str(Code.VALUE_INVALID))
    for name in ("first_price", "step_price"):
        value = getattr(zone, name)
        if value is not None and value < 0:
            errors[name] = ValidationError(_("Enter zero or more."), code=str(Code.VALUE_INVALID))
    if errors:
        raise ValidationError(errors)
    zone.full_clean(validate_unique=False, validate_constraints=False)
    zone.save()
    if codes is not None:
        ZoneRegion.objects.filter(zone=zone).exclude(code__in=codes).delete()
        have = set(ZoneRegion.objects.filter(zone=zone).values_list("code", flat=True))
        ZoneRegion.objects.bulk_create([ZoneRegion(zone=zone, code=c, name=region_data.region_name(c))
                                        for c in codes if c not in have])
    changes = model_changes(before, zone, ZONE_FIELDS)
    if codes is not None:
        changes["regions"] = [None if before is None else ", ".join(sorted(getattr(before, "_codes", []))),
                              ", ".join(codes)]
    audit_record(obj=zone.contract, action="update", user=user, changes=changes,
                 message=gettext_noop("Zone %(zone)s"), message_params={"zone": zone.name})
    return zone


@transaction.atomic
def zone_create(*, contract: Contract, name: str, regions: Iterable[str], first_price: Decimal,
                step_price: Decimal, first_weight_kg: Decimal = Decimal("1"), step_kg: Decimal = Decimal("1"),
                promised_days: int = 3, user=None) -> Zone:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)  # serialises the region check
    codes = _region_codes(regions)
    _regions_free(contract, codes, None)
    zone = Zone(contract=contract, name=(name or "").strip(), first_weight_kg=first_weight_kg,
                first_price=first_price, step_kg=step_kg, step_price=step_price, promised_days=promised_days)
    return _zone_save(zone, codes, user, None)


@transaction.atomic
def zone_update(*, zone: Zone, regions: Iterable[str] | None = None, user=None, **fields) -> Zone:
    unknown = set(fields) - set(ZONE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    contract = Contract.objects.select_for_update().get(pk=zone.contract_id)
    before = Zone.objects.get(pk=zone.pk)
    before._codes = list(before.regions.values_list("code", flat=True))
    zone = Zone.objects.select_related("contract").get(pk=zone.pk)
    codes = None
    if regions is not None:
        codes = _region_codes(regions)
        _regions_free(contract, codes, zone)
    for name, value in fields.items():
        setattr(zone, name, value.strip() if isinstance(value, str) else value)
    return _zone_save(zone, codes, user, before)


@transaction.atomic
def zone_delete(*, zone: Zone, user=None) -> None:
    contract = Contract.objects.select_for_update().get(pk=zone.contract_id)
    name = zone.name
    Zone.objects.filter(pk=zone.pk).delete()
    audit_record(obj=contract, action="update", user=user, changes={"zone": [name, None]},
                 message=gettext_noop("Zone %(zone)s deleted"), message_params={"zone": name})
