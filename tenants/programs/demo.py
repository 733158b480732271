"""Demo data for the office: the three demo enterprises in the seeded programmes, milestones, a
subsidy with a payment, an open application and today's figures. Idempotent; call it from
seed_demo after the enterprises and their ERP data exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.models import Enterprise, User
from tenants.programs import services
from tenants.programs.models import Enrolment, Milestone, Programme

OFFICE_EMAIL = "office@cixi.demo"
# (enterprise slug, programme code)
ENROL = [("ruifeng", "erp-pilot"), ("ruifeng", "over-20m"), ("yongsheng", "logistics")]
APPLY = [("jinxiu", "pdm-demo", "owner@jinxiu.demo", "希望把面料规格和工艺单放到平台上统一管理。")]


def seed_programme_demo() -> bool:
    """Returns True if anything was created."""
    office = User.objects.filter(email=OFFICE_EMAIL).first()
    programmes = {p.code: p for p in Programme.objects.all()}
    enterprises = {e.slug: e for e in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)}
    if office is None or not {"erp-pilot", "over-20m", "logistics", "pdm-demo"} <= set(programmes):
        return False
    created = False
    today = timezone.localdate()
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
    from tenants.programs.tasks import adoption_snapshot_enterprise

    for enterprise in enterprises.values():
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(today.isoformat())
    return created
