"""Demo data for the office: the three demo enterprises in the seeded programmes, milestones, a
subsidy with a payment, an open application, the range-hood maker in the PDM programme once it has
PDM data (pdm/changes/demo.py runs before), the range-hood maker in the logistics programme once it ships
with the platform (logistics/shipments/demo.py runs before) and today's figures. Idempotent; call it from seed_demo after the
enterprises and their ERP and PDM data exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from office import services
from office.metrics import LOGISTICS_SHIPMENT, PDM_PART, public_model
from office.models import Enrolment, Milestone, Programme
from office.tasks import adoption_snapshot_enterprise
from tenants.models import Enterprise, User

OFFICE_EMAIL = "office@cixi.demo"
# (enterprise slug, programme code)
ENROL = [("ruifeng", "erp-pilot"), ("ruifeng", "over-20m"), ("yongsheng", "logistics")]
APPLY = [("jinxiu", "pdm-demo", "owner@jinxiu.demo", "希望把面料规格和工艺单放到平台上统一管理。")]
# enrolled in the PDM programme when its schema has parts (the PDM demo: pdm/changes/demo.py)
ENROL_PDM = [("ruifeng", "吸油烟机产品族：零件版次、图纸与工程变更上平台")]
# enrolled in the logistics programme when its schema has shipments (the logistics demo: logistics/shipments/demo.py);
# its adoption is then measured from those shipments like any enrolled enterprise's
ENROL_LOGISTICS = [("ruifeng", "logistics", "物流信息化示范：发货跟踪、运费对账、签回单上平台")]
PDM_PROGRAMME = {"code": "pdm-demo", "name": "PDM 示范企业", "name_en": "PDM demonstration", "module": "pdm",
                 "description": "5 家示范企业在平台上管理零件版次、图纸文档和工程变更。",
                 "target_kind": "count", "target_count": 5, "budget": Decimal("2000000.00"),
                 "criteria": {"min_active_users_30d": 2}}


def _pdm_programme() -> tuple[Programme, bool]:
    """The PDM programme (migration 0002 seeds "pdm-demo"); made if the office has none."""
    programme = (Programme.objects.filter(code="pdm-demo").first()
                 or Programme.objects.filter(module=Programme.Module.PDM).order_by("period_start", "code").first())
    if programme is not None:
        return programme, False
    today = timezone.localdate()
    return services.programme_create(**PDM_PROGRAMME, period_start=today.replace(month=1, day=1),
                                     period_end=today.replace(year=today.year + 1, month=12, day=31)), True


def _has_parts(enterprise: Enterprise) -> bool:
    """Counted in the enterprise's own schema, by model label (the office does not import pdm)."""
    part = public_model(PDM_PART)
    if part is None:
        return False
    with tenant_context(enterprise):
        return part.objects.exists()


def _has_shipments(enterprise: Enterprise) -> bool:
    """Counted in the enterprise's own schema, by model label (the office does not import logistics)."""
    shipment = public_model(LOGISTICS_SHIPMENT)
    if shipment is None:
        return False
    with tenant_context(enterprise):
        return shipment.objects.exists()


def seed_programme_demo() -> bool:
    """Returns True if anything was created."""
    office = User.objects.filter(email=OFFICE_EMAIL).first()
    if office is None:
        return False
    pdm_programme, created = _pdm_programme()
    programmes = {p.code: p for p in Programme.objects.all()}
    programmes["pdm-demo"] = pdm_programme
    enterprises = {e.slug: e for e in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)}
    if not {"erp-pilot", "over-20m", "logistics"} <= set(programmes):
        return created
    today = timezone.localdate()
    pdm_ready = {slug for slug, _note in ENROL_PDM if slug in enterprises and _has_parts(enterprises[slug])}
    shipping = {slug for slug, _code, _note in ENROL_LOGISTICS
                if slug in enterprises and _has_shipments(enterprises[slug])}
    with transaction.atomic():
        for slug, code in ENROL:
            enterprise = enterprises.get(slug)
            if enterprise is None or Enrolment.objects.filter(enterprise=enterprise, programme=programmes[code]).exists():
                continue
            try:
                services.enrolment_enrol(programme=programmes[code], enterprise=enterprise, actor=office,
                                         note="2026 年首批")
            except ValidationError:  # e.g. the programme has ended: the demo does without it
                continue
            created = True
        for slug, note in ENROL_PDM:
            if slug not in pdm_ready or Enrolment.objects.filter(enterprise=enterprises[slug],
                                                                 programme=pdm_programme).exists():
                continue
            try:
                services.enrolment_enrol(programme=pdm_programme, enterprise=enterprises[slug], actor=office, note=note)
            except ValidationError:
                continue
            created = True
        for slug, code, note in ENROL_LOGISTICS:
            if slug not in shipping or Enrolment.objects.filter(enterprise=enterprises[slug],
                                                                programme=programmes[code]).exists():
                continue
            try:
                services.enrolment_enrol(programme=programmes[code], enterprise=enterprises[slug], actor=office,
                                         note=note)
            except ValidationError:
                continue
            created = True
        for slug, code, email, note in APPLY:
            enterprise, applicant = enterprises.get(slug), User.objects.filter(email=email).first()
            if enterprise is None or applicant is None or Enrolment.objects.filter(
                    enterprise=enterprise, programme=programmes[code]).exists():
                continue
            try:
                services.enrolment_apply(programme=programmes[code], enterprise=enterprise, actor=applicant,
                                         note=note)
            except ValidationError:
                continue
            created = True
        erp = Enrolment.objects.filter(programme=programmes["erp-pilot"], enterprise__slug="ruifeng").first()
        if erp is not None and erp.status == Enrolment.Status.ENROLLED and not erp.milestones.exists():
            # enrolled before the milestones, grant and payment below (a report of a past month counts it)
            Enrolment.objects.filter(pk=erp.pk).update(enrolled_on=today - timedelta(days=90))
            for kind, planned, done, note in (
                    (Milestone.Kind.KICKOFF, -75, -74, "启动会，确定实施范围：采购、销售、生产"),
                    (Milestone.Kind.TRAINING, -60, -58, "仓库与计划员培训两天"),
                    (Milestone.Kind.GO_LIVE, -30, -28, "采购、销售上线；生产工单并行一个月"),
                    (Milestone.Kind.ACCEPTANCE, 60, None, "")):
                services.milestone_record(enrolment=erp, kind=kind, actor=office,
                                          planned_on=today + timedelta(days=planned),
                                          done_on=None if done is None else today + timedelta(days=done), note=note)
            grant = services.subsidy_grant(enrolment=erp, amount=Decimal("300000.00"), purpose="ERP 实施补助（一期）",
                                           actor=office, granted_on=today - timedelta(days=60))
            services.subsidy_pay(subsidy=grant, amount=Decimal("150000.00"), actor=office,
                                 paid_on=today - timedelta(days=30), reference="慈财企〔2026〕17 号")
            created = True
    # today's figures, counted in each enterprise's schema exactly as the nightly task does
    for enterprise in enterprises.values():
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(today.isoformat())
    return created
