"""A programme's settings: create, validate, update, each save in the programme's change history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from office import history
from office.adoption import criteria_clean
from office.error_codes import OfficeErrorCode as Code
from office.history import money_text
from office.models import Enrolment, Programme, ProgrammeChange
from office.services.base import money_clean, office_require
from office.services.snapshots import programme_reevaluate_task
from tenants.models import Enterprise, User

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
    programme.budget = money_clean(programme.budget, "budget", allow_zero=True)
    if programme.budget < programme.granted_total:  # the caller holds the programme's lock
        raise field_error("budget", _("The budget cannot be less than the %(granted)s already granted.") % {
            "granted": money_text(programme.granted_total)}, Code.BUDGET_BELOW_GRANTED)
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
        office_require(actor)
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
    office_require(actor)
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
        programme_id = programme.pk
        # robust: a broker outage must not turn a saved edit into an error page; the nightly run re-evaluates
        transaction.on_commit(lambda: programme_reevaluate_task.delay(programme_id), robust=True)
    return programme
