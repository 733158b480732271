"""Writes for the informatization office: programmes, enrolments, milestones, subsidies, adoption
snapshots and evaluations, monthly reports. Public schema only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from tenants.models import Enterprise, Membership, Role, User
from tenants.programs import history, metrics
from tenants.programs.adoption import adoption_evaluate, criteria_clean
from tenants.programs.error_codes import ProgramsErrorCode as Code
from tenants.programs.models import (AdoptionRecord, AdoptionSnapshot, Enrolment, Milestone, MonthlyReport, Programme,
                                     ProgrammeChange, Subsidy, SubsidyPayment, SubsidyReversal)

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _money(value, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        raise field_error(field, _("Enter an amount in CNY, e.g. 150000.00."), Code.AMOUNT_INVALID) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or amount < 0 or (amount == 0 and not allow_zero):
        message = (_("Enter an amount of 0 or more with at most two decimals.") if allow_zero
                   else _("Enter a positive amount with at most two decimals."))
        raise field_error(field, message, Code.AMOUNT_INVALID)
    return amount


def _fmt(amount: Decimal) -> str:
    return history.money_text(amount)


def _require_office(actor: User | None) -> None:
    if actor is None or not (actor.is_office or actor.is_platform_admin):
        raise ValidationError(_("Only the informatization office can do this."), code=Code.FORBIDDEN)


# ---- programmes ----------------------------------------------------------------------------------


# What the office edits on its pages (and the seeds and tests pass to programme_create).
PROGRAMME_FIELDS = ("code", "name", "name_en", "module", "description", "target_kind", "target_count",
                    "target_share_pct", "cohort_sales_bands", "cohort_size", "period_start", "period_end", "fund",
                    "budget", "criteria")
# "new" is a page of its own (/office/programmes/new/), so no programme may be called that.
RESERVED_CODES = {"new"}


def _programme_apply(programme: Programme, fields: dict) -> None:
    """Copy the fields onto the programme, normalised, and validate it; field errors with codes."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"not programme fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("description", "criteria"):
            value = value.strip()
        setattr(programme, name, value)
    programme.budget = _money(programme.budget, "budget", allow_zero=True)
    if programme.budget < programme.granted_total:  # the caller holds the programme's lock
        raise field_error("budget", _("The budget cannot be less than the %(granted)s already granted.") % {
            "granted": _fmt(programme.granted_total)}, Code.BUDGET_BELOW_GRANTED)
    if programme.code in RESERVED_CODES:
        raise field_error("code", _("The code %(code)s is reserved; choose another.") % {"code": programme.code},
                          Code.CODE_TAKEN)
    taken = Programme.objects.filter(code=programme.code).exclude(pk=programme.pk).first()
    if programme.code and taken is not None:
        raise field_error("code", _("The code %(code)s is already used by %(programme)s.") % {
            "code": programme.code, "programme": taken.name}, Code.CODE_TAKEN)
    try:
        programme.criteria = criteria_clean(programme.criteria or {})
    except ValidationError as exc:
        raise field_error("criteria", exc.messages[0], Code.CRITERIA_INVALID) from None
    bands = set(programme.cohort_sales_bands or [])
    programme.cohort_sales_bands = [band for band in Enterprise.SalesBand.values if band in bands] + sorted(
        bands - set(Enterprise.SalesBand.values))  # unknown ones stay, for full_clean to name
    if programme.target_kind == Programme.TargetKind.COUNT:
        programme.target_share_pct = None
    elif programme.target_kind == Programme.TargetKind.SHARE:
        programme.target_count = None
    programme.full_clean()


def _programme_change_record(*, programme: Programme, kind: str, actor: User | None, at,
                             changes: list[dict]) -> ProgrammeChange:
    """Append one entry to the programme's history (the only place that writes it; never updated)."""
    entry = ProgrammeChange(programme=programme, kind=kind, changed_by=actor, changed_at=at, changes=changes,
                            changed_by_label=(actor.email if actor is not None else "")[:254])
    entry.full_clean()
    entry.save()
    return entry


def _code_lock_check(programme: Programme, fields: dict) -> None:
    if "code" in fields and str(fields["code"]).strip() != programme.code and programme.enrolments.exists():
        raise field_error("code", _("The code cannot change once enterprises have applied or been enrolled "
                                    "(it stays %(code)s).") % {"code": programme.code}, Code.CODE_LOCKED)


def programme_validate(*, programme: Programme | None, fields: dict) -> None:
    """The checks of programme_create (programme None) / programme_update, without writing: for the
    Django admin's form, so each error shows on its field. The services check again under the lock."""
    probe = Programme() if programme is None else Programme.objects.get(pk=programme.pk)
    if programme is not None:
        _code_lock_check(probe, fields)
    _programme_apply(probe, fields)


@transaction.atomic
def programme_create(*, actor: User | None = None, **fields) -> Programme:
    """A new programme, and the first entry of its history (every setting it starts with). `actor`
    is the office user on the pages (None: data migrations, seeds, tests)."""
    if actor is not None:
        _require_office(actor)
    programme = Programme(created_by=actor)
    _programme_apply(programme, fields)
    programme.save()
    _programme_change_record(programme=programme, kind=ProgrammeChange.Kind.CREATED, actor=actor,
                             at=programme.created_at, changes=history.settings_created(
                                 history.programme_settings(programme, PROGRAMME_FIELDS)))
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: User, **fields) -> Programme:
    """Change a programme's settings. Locks the programme row like the subsidy services, so the
    budget can never drop below what is granted, however grants race with the edit; the code stays
    fixed once an enterprise has applied or been enrolled (links and exports name it). Records who
    and when (as enrolments do) and appends one entry to the programme's history with each setting
    that changed, old and new, in the same transaction (nothing changed: no save, no entry); new
    criteria are evaluated again for every stored day, in a task."""
    _require_office(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    before_texts = history.programme_settings(programme, PROGRAMME_FIELDS)
    _code_lock_check(programme, fields)
    _programme_apply(programme, fields)
    changed = [name for name in PROGRAMME_FIELDS if getattr(programme, name) != before[name]]
    if not changed:
        return programme
    programme.updated_by, programme.updated_at = actor, timezone.now()
    programme.save(update_fields=[*changed, "updated_by", "updated_at"])  # never the totals the grants keep
    changes = history.settings_changed(before_texts, history.programme_settings(programme, PROGRAMME_FIELDS))
    if changes:
        _programme_change_record(programme=programme, kind=ProgrammeChange.Kind.UPDATED, actor=actor,
                                 at=programme.updated_at, changes=changes)
    if "criteria" in changed and programme.enrolments.filter(status=Enrolment.Status.ENROLLED).exists():
        from tenants.programs.tasks import programme_reevaluate as reevaluate_task

        programme_id = programme.pk
        # robust: a broker outage must not turn a saved edit into an error page; the nightly run re-evaluates
        transaction.on_commit(lambda: reevaluate_task.delay(programme_id), robust=True)
    return programme


def programme_cohort_size(*, programme: Programme) -> int:
    """The denominator of a share target: the city's cohort if known, else the platform's."""
    if programme.cohort_size:
        return programme.cohort_size
    return programme_eligible_enterprises(programme=programme).count()


def programme_eligible_enterprises(*, programme: Programme):
    qs = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    if programme.cohort_sales_bands:
        qs = qs.filter(sales_band__in=programme.cohort_sales_bands)
    return qs


def _check_can_join(programme: Programme, enterprise: Enterprise) -> None:
    if enterprise.status != Enterprise.Status.ACTIVE:
        raise field_error("enterprise", _("%(name)s is not active on the platform.") % {"name": enterprise.name},
                          Code.ENTERPRISE_INACTIVE)
    if not programme.is_open():
        raise ValidationError(_("%(programme)s ended on %(end)s.") % {"programme": programme.name,
                                                                       "end": programme.period_end},
                              code=Code.PROGRAMME_CLOSED)
    if programme.cohort_sales_bands and enterprise.sales_band not in programme.cohort_sales_bands:
        raise field_error("enterprise", _("%(name)s is not eligible: %(programme)s is for enterprises with annual "
                                          "sales of %(bands)s.") % {
            "name": enterprise.name, "programme": programme.name,
            "bands": ", ".join(str(Enterprise.SalesBand(b).label) for b in programme.cohort_sales_bands)},
            Code.NOT_ELIGIBLE)


# ---- enrolment -----------------------------------------------------------------------------------


@transaction.atomic
def enrolment_enrol(*, programme: Programme, enterprise: Enterprise, actor: User, note: str = "") -> Enrolment:
    """The office enrols an enterprise (or accepts its open application)."""
    _require_office(actor)
    _check_can_join(programme, enterprise)
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        programme=programme, enterprise=enterprise, defaults={"status": Enrolment.Status.ENROLLED})
    if not created and enrolment.status == Enrolment.Status.ENROLLED:
        raise field_error("enterprise", _("%(name)s is already enrolled in %(programme)s.") % {
            "name": enterprise.name, "programme": programme.name}, Code.ALREADY_ENROLLED)
    now = timezone.now()
    enrolment.status = Enrolment.Status.ENROLLED
    enrolment.decided_by, enrolment.decided_at, enrolment.enrolled_on = actor, now, timezone.localdate()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.full_clean()
    enrolment.save()
    _evaluate_from_latest(enrolment)
    return enrolment


@transaction.atomic
def enrolment_apply(*, programme: Programme, enterprise: Enterprise, actor: User, note: str = "") -> Enrolment:
    """An owner or administrator of the enterprise applies to take part; the office decides."""
    membership = Membership.objects.filter(user=actor, enterprise=enterprise).first()
    if membership is None or not membership.has_role(Role.ADMIN):
        raise ValidationError(_("Only an owner or administrator of the enterprise can apply."), code=Code.FORBIDDEN)
    _check_can_join(programme, enterprise)
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        programme=programme, enterprise=enterprise, defaults={"status": Enrolment.Status.APPLIED})
    if not created and enrolment.status == Enrolment.Status.ENROLLED:
        raise ValidationError(_("%(name)s is already enrolled in %(programme)s.") % {
            "name": enterprise.name, "programme": programme.name}, code=Code.ALREADY_ENROLLED)
    if not created and enrolment.status == Enrolment.Status.APPLIED:
        raise ValidationError(_("The application to %(programme)s is already waiting for the office.") % {
            "programme": programme.name}, code=Code.ALREADY_APPLIED)
    enrolment.status = Enrolment.Status.APPLIED
    enrolment.applied_by, enrolment.applied_at = actor, timezone.now()
    enrolment.decided_by = enrolment.decided_at = None
    enrolment.note = (note or "").strip()[:300]
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, actor: User, approve: bool, note: str = "") -> Enrolment:
    _require_office(actor)
    enrolment = Enrolment.objects.select_for_update().select_related("programme", "enterprise").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.APPLIED:
        raise ValidationError(_("There is no open application to decide."), code=Code.NOT_APPLIED)
    if approve:
        _check_can_join(enrolment.programme, enrolment.enterprise)
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_on = timezone.localdate()
    else:
        enrolment.status = Enrolment.Status.REJECTED
    enrolment.decided_by, enrolment.decided_at = actor, timezone.now()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.save()
    if approve:
        _evaluate_from_latest(enrolment)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor: User, note: str = "") -> Enrolment:
    _require_office(actor)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("Only an enrolled enterprise can be withdrawn."), code=Code.NOT_ENROLLED)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.decided_by, enrolment.decided_at = actor, timezone.now()
    if note:
        enrolment.note = note.strip()[:300]
    enrolment.save()
    return enrolment


def programme_enrol_eligible(*, programme: Programme, actor: User) -> int:
    """Enrol every eligible active enterprise that is not enrolled yet (cohort programmes). Returns how many."""
    _require_office(actor)
    count = 0
    taken = set(programme.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("enterprise_id", flat=True))
    for enterprise in programme_eligible_enterprises(programme=programme).exclude(pk__in=taken):
        enrolment_enrol(programme=programme, enterprise=enterprise, actor=actor)
        count += 1
    return count


# ---- milestones ----------------------------------------------------------------------------------


@transaction.atomic
def milestone_record(*, enrolment: Enrolment, kind: str, actor: User, planned_on: date | None = None,
                     done_on: date | None = None, note: str = "") -> Milestone:
    _require_office(actor)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("Milestones are kept for enrolled enterprises only."), code=Code.NOT_ENROLLED)
    if kind not in Milestone.Kind.values:
        raise field_error("kind", _("Unknown milestone."), Code.DATES_INVALID)
    if done_on is not None and done_on > timezone.localdate():
        raise field_error("done_on", _("A milestone cannot be done in the future."), Code.DATES_INVALID)
    milestone, _created = Milestone.objects.select_for_update().get_or_create(enrolment=enrolment, kind=kind)
    milestone.planned_on, milestone.done_on = planned_on, done_on
    milestone.note = (note or "").strip()[:300]
    milestone.updated_by = actor
    milestone.full_clean()
    milestone.save()
    return milestone


# ---- subsidies -----------------------------------------------------------------------------------


@transaction.atomic
def subsidy_grant(*, enrolment: Enrolment, amount, purpose: str, actor: User,
                  granted_on: date | None = None) -> Subsidy:
    """Grant from the programme's budget. The programme row is locked, so concurrent grants queue
    behind each other and their sum can never pass the budget (the database checks it too)."""
    _require_office(actor)
    amount = _money(amount, "amount")
    if not (purpose or "").strip():
        raise field_error("purpose", _("Say what the subsidy is for."), Code.AMOUNT_INVALID)
    programme = Programme.objects.select_for_update().get(pk=enrolment.programme_id)
    enrolment = Enrolment.objects.select_related("enterprise").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("%(name)s is not enrolled in %(programme)s.") % {
            "name": enrolment.enterprise.name, "programme": programme.name}, code=Code.NOT_ENROLLED)
    if programme.granted_total + amount > programme.budget:
        raise field_error("amount", _("%(amount)s is more than the %(left)s left of the budget of %(programme)s "
                                      "(%(budget)s, of which %(granted)s granted).") % {
            "amount": _fmt(amount), "left": _fmt(programme.remaining_budget), "programme": programme.name,
            "budget": _fmt(programme.budget), "granted": _fmt(programme.granted_total)}, Code.BUDGET_EXCEEDED)
    subsidy = Subsidy(programme=programme, enrolment=enrolment, amount=amount, purpose=purpose.strip(),
                      granted_on=granted_on or timezone.localdate(), granted_by=actor)
    subsidy.full_clean()
    subsidy.save()
    Programme.objects.filter(pk=programme.pk).update(granted_total=F("granted_total") + amount)
    return subsidy


@transaction.atomic
def subsidy_pay(*, subsidy: Subsidy, amount, actor: User, paid_on: date | None = None,
                reference: str = "") -> SubsidyPayment:
    """Pay (part of) a grant. Locks the programme, then the grant (always in that order)."""
    _require_office(actor)
    amount = _money(amount, "amount")
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.is_cancelled:
        raise _cancelled_error(subsidy)
    if amount > subsidy.outstanding:
        raise field_error("amount", _("%(amount)s is more than the %(left)s still to pay on this grant.") % {
            "amount": _fmt(amount), "left": _fmt(subsidy.outstanding)}, Code.GRANT_EXCEEDED)
    payment = SubsidyPayment(subsidy=subsidy, amount=amount, paid_on=paid_on or timezone.localdate(),
                             reference=(reference or "").strip()[:60], recorded_by=actor)
    payment.full_clean()
    payment.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(paid_amount=F("paid_amount") + amount)
    Programme.objects.filter(pk=programme.pk).update(paid_total=F("paid_total") + amount)
    return payment


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason: it stays with the record."), Code.REASON_REQUIRED)
    return reason


def _reversal_date(subsidy: Subsidy, on: date | None) -> date:
    on = on or timezone.localdate()
    if on < subsidy.granted_on or on > timezone.localdate():
        raise field_error("reversed_on", _("The date must be between the grant (%(granted)s) and today.") % {
            "granted": subsidy.granted_on.isoformat()}, Code.DATES_INVALID)
    return on


def _paid_back_limit(subsidy: Subsidy, on: date) -> Decimal:
    """The most that can be paid back on ``on``: what was paid up to that day less what was paid back,
    and never so much that a later clawback already recorded would leave a day with less than nothing
    paid (the monthly reports read the figures as of any day)."""
    payments = list(subsidy.payments.values_list("paid_on", "amount"))
    clawbacks = list(subsidy.reversals.filter(kind=SubsidyReversal.Kind.CLAWBACK).values_list("reversed_on",
                                                                                             "paid_back"))

    def net(day: date) -> Decimal:
        return (sum((a for d, a in payments if d <= day), ZERO) - sum((a for d, a in clawbacks if d <= day), ZERO))

    return min(net(day) for day in {on, *(d for d, _a in clawbacks if d >= on)})


def _cancelled_error(subsidy: Subsidy) -> ValidationError:
    cancellation = subsidy.reversals.filter(kind=SubsidyReversal.Kind.CANCELLATION).first()
    return ValidationError(_("This grant was cancelled on %(date)s.") % {
        "date": cancellation.reversed_on.isoformat() if cancellation else "—"}, code=Code.SUBSIDY_CANCELLED)


@transaction.atomic
def subsidy_cancel(*, subsidy: Subsidy, actor: User, reason: str,
                   reversed_on: date | None = None) -> SubsidyReversal:
    """Cancel a grant: what is not paid of it goes back to the programme's budget, and nothing more
    can be paid on it. The grant keeps its amount; the cancellation is a record of its own (who,
    when, why). Locks the programme, then the grant, like the grants and payments do, so a grant
    racing with a cancellation sees the budget either before or after it, never in between."""
    _require_office(actor)
    reason = _reason(reason)
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.is_cancelled:
        raise _cancelled_error(subsidy)
    unpaid = subsidy.outstanding
    if unpaid <= 0:
        raise ValidationError(_("Everything granted has been paid, so nothing would go back to the budget: record "
                                "the clawback first, then cancel the grant."), code=Code.NOTHING_TO_CANCEL)
    reversed_on = _reversal_date(subsidy, reversed_on)
    last_payment = subsidy.payments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last_payment is not None and reversed_on < last_payment:
        raise field_error("reversed_on", _("The grant was last paid on %(date)s: it cannot be cancelled before that "
                                           "day.") % {"date": last_payment.isoformat()}, Code.DATES_INVALID)
    reversal = SubsidyReversal(subsidy=subsidy, kind=SubsidyReversal.Kind.CANCELLATION,
                               reversed_on=reversed_on, budget_returned=unpaid,
                               paid_back=ZERO, reason=reason, recorded_by=actor)
    reversal.full_clean()
    reversal.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(status=Subsidy.Status.CANCELLED,
                                                 returned_amount=F("returned_amount") + unpaid)
    Programme.objects.filter(pk=programme.pk).update(granted_total=F("granted_total") - unpaid)
    return reversal


@transaction.atomic
def subsidy_payment_reverse(*, subsidy: Subsidy, actor: User, reason: str, amount=None,
                            reversed_on: date | None = None, reference: str = "") -> SubsidyReversal:
    """Record money the enterprise paid back (a clawback, e.g. it dropped out): by default all it
    was paid on this grant. While the grant stands, the amount is due to the enterprise again (pay
    it again, or cancel the grant to return it to the budget); on a cancelled grant it goes back to
    the budget straight away. The payments stay as they were; the clawback is a record of its own."""
    _require_office(actor)
    reason = _reason(reason)
    amount = None if amount in (None, "") else _money(amount, "amount")
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.paid_amount <= 0:
        raise ValidationError(_("Nothing paid on this grant is left to reverse."), code=Code.NOTHING_TO_REVERSE)
    amount = subsidy.paid_amount if amount is None else amount
    if amount > subsidy.paid_amount:
        raise field_error("amount", _("%(amount)s is more than the %(paid)s paid on this grant.") % {
            "amount": _fmt(amount), "paid": _fmt(subsidy.paid_amount)}, Code.REVERSAL_EXCEEDED)
    reversed_on = _reversal_date(subsidy, reversed_on)
    limit = _paid_back_limit(subsidy, reversed_on)
    if amount > limit:
        raise field_error("reversed_on", _("On %(date)s only %(limit)s had been paid on this grant (net of earlier "
                                           "clawbacks); date the clawback after the payment it reverses.") % {
            "date": reversed_on.isoformat(), "limit": _fmt(max(limit, ZERO))}, Code.DATES_INVALID)
    returned = amount if subsidy.is_cancelled else ZERO
    reversal = SubsidyReversal(subsidy=subsidy, kind=SubsidyReversal.Kind.CLAWBACK,
                               reversed_on=reversed_on, paid_back=amount,
                               budget_returned=returned, reason=reason, reference=(reference or "").strip()[:60],
                               recorded_by=actor)
    reversal.full_clean()
    reversal.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(paid_amount=F("paid_amount") - amount,
                                                 returned_amount=F("returned_amount") + returned)
    Programme.objects.filter(pk=programme.pk).update(paid_total=F("paid_total") - amount,
                                                     granted_total=F("granted_total") - returned)
    return reversal


# ---- adoption snapshots and evaluation -----------------------------------------------------------

SNAPSHOT_FIELDS = ["active_users_7d", "active_users_30d", "documents_7d", "documents_30d", "documents_prev_30d",
                   "documents_7d_total", "documents_30d_total", "modules_in_use", "items_count",
                   "items_with_bom_pct", "items_with_lead_time_pct", "items_with_cost_pct", "completeness_pct",
                   "computed_at"]


def adoption_snapshot_record(*, enterprise: Enterprise, activity: metrics.Activity) -> AdoptionSnapshot:
    """Add the public-schema figures to what the enterprise's schema counted, upsert the day's row
    (INSERT … ON CONFLICT (enterprise, day) DO UPDATE: re-running a day is harmless) and evaluate
    the enterprise's enrolments. Call it with the connection on the public schema."""
    metrics.public_activity_count(enterprise_id=enterprise.pk, day=activity.day, activity=activity)
    snapshot = AdoptionSnapshot(
        enterprise=enterprise, day=activity.day,
        active_users_7d=len(activity.user_ids_7d), active_users_30d=len(activity.user_ids_30d),
        documents_7d=activity.documents_7d, documents_30d=activity.documents_30d,
        documents_prev_30d=activity.documents_prev_30d,
        documents_7d_total=sum(activity.documents_7d.values()), documents_30d_total=sum(activity.documents_30d.values()),
        modules_in_use=metrics.modules_in_use(activity.documents_30d), items_count=activity.items_count,
        items_with_bom_pct=activity.items_with_bom_pct, items_with_lead_time_pct=activity.items_with_lead_time_pct,
        items_with_cost_pct=activity.items_with_cost_pct, completeness_pct=activity.completeness_pct,
        computed_at=timezone.now())
    with transaction.atomic():
        AdoptionSnapshot.objects.bulk_create([snapshot], update_conflicts=True, unique_fields=["enterprise", "day"],
                                             update_fields=SNAPSHOT_FIELDS)
        snapshot = AdoptionSnapshot.objects.get(enterprise=enterprise, day=activity.day)
        for enrolment in Enrolment.objects.filter(enterprise=enterprise, status=Enrolment.Status.ENROLLED
                                                  ).select_related("programme"):
            adoption_record_write(enrolment=enrolment, snapshot=snapshot)
    return snapshot


def adoption_record_write(*, enrolment: Enrolment, snapshot: AdoptionSnapshot | None,
                          day: date | None = None) -> AdoptionRecord:
    """Evaluate one enrolment against one snapshot; upsert the day's record; move the enrolment's
    current status forward (never back to an older day)."""
    evaluation = adoption_evaluate(criteria=enrolment.programme.criteria, snapshot=snapshot)
    day = snapshot.day if snapshot is not None else (day or timezone.localdate())
    AdoptionRecord.objects.bulk_create(
        [AdoptionRecord(enrolment=enrolment, day=day, status=evaluation.status, reasons=evaluation.reasons)],
        update_conflicts=True, unique_fields=["enrolment", "day"], update_fields=["status", "reasons"])
    Enrolment.objects.filter(pk=enrolment.pk).filter(Q(adoption_as_of__isnull=True) | Q(adoption_as_of__lte=day)
                                                     ).update(adoption_status=evaluation.status,
                                                              adoption_reasons=evaluation.reasons, adoption_as_of=day)
    return AdoptionRecord.objects.get(enrolment=enrolment, day=day)


def _evaluate_from_latest(enrolment: Enrolment) -> None:
    snapshot = AdoptionSnapshot.objects.filter(enterprise_id=enrolment.enterprise_id).order_by("-day").first()
    adoption_record_write(enrolment=enrolment, snapshot=snapshot)
    enrolment.refresh_from_db()


@transaction.atomic
def programme_reevaluate(*, programme: Programme) -> int:
    """After the criteria change: evaluate every stored day of every enrolled enterprise again."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    count = 0
    for enrolment in programme.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("programme"):
        Enrolment.objects.filter(pk=enrolment.pk).update(adoption_as_of=None)
        for snapshot in AdoptionSnapshot.objects.filter(enterprise_id=enrolment.enterprise_id).order_by("day"):
            adoption_record_write(enrolment=enrolment, snapshot=snapshot)
            count += 1
    return count


# ---- monthly reports -----------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1))


@transaction.atomic
def monthly_report_request(*, month: date, actor: User | None) -> MonthlyReport:
    """Queue (again) the report of a month; the task builds the PDF and the workbook."""
    if actor is not None:
        _require_office(actor)
    month = month_start(month)
    if month > timezone.localdate():
        raise field_error("month", _("That month has not started yet."), Code.DATES_INVALID)
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(month=month)
    report.status, report.error, report.finished_at = MonthlyReport.Status.QUEUED, "", None
    report.requested_by = actor
    report.save()
    from tenants.programs.tasks import monthly_report_build

    transaction.on_commit(lambda: monthly_report_build.delay(report.pk))
    return report


def monthly_report_run(*, report_id: int) -> MonthlyReport:
    from tenants.programs.reports import report_pdf, report_workbook, report_data

    MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.RUNNING)
    report = MonthlyReport.objects.get(pk=report_id)
    try:
        data = report_data(month=report.month)
        pdf, xlsx = report_pdf(data), report_workbook(data)
    except Exception as exc:  # the office sees that it failed, and why
        MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.FAILED, error=repr(exc)[:2000],
                                                          finished_at=timezone.now())
        raise
    MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.DONE, pdf=pdf, xlsx=xlsx,
                                                      finished_at=timezone.now(), error="")
    report.refresh_from_db()
    return report
