"""Writes of engineering change orders: create, start, approve / reject / comment, advance, apply.

Life of an ECO (``eco_cancel`` ends a draft or one in progress, obsoleting the revisions it started):
``eco_create`` (draft, at the type's first stage) → ``eco_start`` (in progress: each
affected part gets a new revision in work with a draft BOM copied from the released one) → approvals
and ``eco_advance`` from stage to stage → ``eco_apply`` at a stage that allows it (applied: each new
revision and its BOM version released with the ECO's effective date).

Approvals count only in the current visit of a stage (``Eco.stage_round``). A rejection (it needs a
comment) sends the ECO back to the type's first stage in a new round: every approval must be given
again, the draft revisions stay and can be changed meanwhile.

The revisions are made and released through pdm.parts' services (``revision_start``, ``revision_submit``,
``revision_release``): their rules (roles, frozen states, letters, superseding) hold for ECOs too.

Locks: every write takes the ECO's row lock (``select_for_update``) first, so two approvers or an
approval and an apply are serialised; applying also locks the affected items' rows (through catalog's
``bom_release``) so that a BOM released meanwhile by someone else is seen (the conflict check).

Who may call what is checked by the pages (viewer reads, clerk raises/starts/comments, manager
applies); *who approves* is a rule of the ECO's stage and is checked here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.catalog.models import Bom, BomLine, Item
from erp_modules.catalog.bom_guard import bom_guard_bypass
from erp_modules.catalog.services import bom_line_add, bom_line_remove
from erp_modules.common.services import audit_record, document_number_next
from pdm.changes.error_codes import EcoErrorCode as Code
from pdm.changes.models import Eco, EcoAffectedPart, EcoApproval, EcoApprovalRule, EcoStage, EcoType
from pdm.parts.models import PartRevision
from pdm.parts.services import revision_obsolete, revision_release, revision_start, revision_submit
from tenants.models import Membership, Role


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    return field_error(field, message, code) if field else ValidationError(message, code=str(code))


def _lock(eco: Eco) -> Eco:
    return Eco.objects.select_for_update().select_related("stage", "type").get(pk=eco.pk)


def _require_state(eco: Eco, *states) -> None:
    if eco.state not in states:
        raise _error(_("%(eco)s is %(state)s: this cannot be done now.")
                     % {"eco": eco.number, "state": eco.get_state_display()}, Code.WRONG_STATE)


def _user_label(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "") or "") if user is not None else ""


def _member_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (Membership.objects.filter(user=user, enterprise_id=connection.tenant.pk)
            .values_list("role", flat=True).first())


def rule_matches(rule: EcoApprovalRule, *, user, role: str | None) -> bool:
    """Whether a member (user with their role in this enterprise) is an approver of this rule."""
    if rule.user_id:
        return rule.user_id == getattr(user, "pk", None)
    if role is None:
        return False
    return Membership(role=role).has_role(rule.role)


def first_stage(eco_type: EcoType) -> EcoStage | None:
    return eco_type.stages.order_by("sequence", "id").first()


def next_stage(stage: EcoStage) -> EcoStage | None:
    return (EcoStage.objects.filter(type_id=stage.type_id, sequence__gt=stage.sequence)
            .order_by("sequence", "id").first())


def satisfied_rules(eco: Eco) -> set[int]:
    """The ids of the rules of the ECO's stage that an approval of the current round satisfies (the last
    decision of each user in the round counts: an approval followed by a rejection is withdrawn)."""
    last: dict[int, EcoApproval] = {}
    for approval in EcoApproval.objects.filter(eco=eco, stage=eco.stage, round=eco.stage_round).order_by("at", "id"):
        if approval.decision != EcoApproval.Decision.COMMENT and approval.user_id:
            last[approval.user_id] = approval
    approvers = [a for a in last.values() if a.decision == EcoApproval.Decision.APPROVED]
    roles = dict(Membership.objects.filter(enterprise_id=connection.tenant.pk,
                                           user_id__in=[a.user_id for a in approvers]).values_list("user_id", "role"))
    return {rule.pk for rule in eco.stage.rules.all()
            if any(rule_matches(rule, user=a.user, role=roles.get(a.user_id)) for a in approvers)}


def missing_approvals(eco: Eco) -> list[EcoApprovalRule]:
    """The mandatory rules of the ECO's stage that no approval of the current round satisfies."""
    done = satisfied_rules(eco)
    return [rule for rule in eco.stage.rules.filter(requirement=EcoApprovalRule.Requirement.MANDATORY)
            .select_related("user").order_by("id") if rule.pk not in done]


def _check_effective_date(effective_date: date | None) -> None:
    if effective_date is None:
        raise _error(_("Give the date from which the change takes effect."), Code.REQUIRED, "effective_date")
    if effective_date < timezone.localdate():
        raise _error(_("The effective date cannot be in the past (orders already planned would change "
                       "behind their backs)."), Code.EFFECTIVE_DATE_PAST, "effective_date")


@transaction.atomic
def eco_create(*, eco_type: EcoType, title: str, reason: str = "", effective_date: date | None,
               revisions: list[PartRevision], dispositions: dict[int, str] | None = None, user=None) -> Eco:
    """A draft ECO at the type's first stage, naming the released revisions it changes."""
    title = (title or "").strip()
    if not title:
        raise _error(_("Give the ECO a title."), Code.REQUIRED, "title")
    stage = first_stage(eco_type)
    if stage is None:
        raise _error(_("The ECO type %(type)s has no stages.") % {"type": eco_type.name}, Code.NO_STAGES, "eco_type")
    _check_effective_date(effective_date)
    if not revisions:
        raise _error(_("Choose at least one released part revision to change."), Code.NO_PARTS, "revisions")
    revisions = list(PartRevision.objects.select_for_update().select_related("part")
                     .filter(pk__in=[r.pk for r in revisions]).order_by("pk"))
    parts = set()
    for revision in revisions:
        if revision.state != PartRevision.State.RELEASED:
            raise _error(_("%(rev)s is %(state)s: an ECO changes a released revision.")
                         % {"rev": revision, "state": revision.get_state_display()}, Code.NOT_RELEASED, "revisions")
        if revision.part_id in parts:
            raise _error(_("%(part)s is named twice.") % {"part": revision.part.number}, Code.DUPLICATE_PART,
                         "revisions")
        parts.add(revision.part_id)
    open_eco = (EcoAffectedPart.objects.filter(old_revision__part_id__in=parts, eco__state__in=Eco.OPEN_STATES)
                .select_related("eco", "old_revision__part").first())
    if open_eco:
        raise _error(_("%(part)s is already being changed by %(eco)s.")
                     % {"part": open_eco.old_revision.part.number, "eco": open_eco.eco.number},
                     Code.PART_IN_OPEN_ECO, "revisions")
    year = timezone.localdate().year
    eco = Eco(number=document_number_next(code=f"eco-{year}", prefix=f"ECO-{year}-", padding=4), type=eco_type,
              stage=stage, title=title, reason=(reason or "").strip(), effective_date=effective_date,
              requested_by=user if getattr(user, "is_authenticated", False) else None)
    eco.full_clean()
    eco.save()
    dispositions = dispositions or {}
    for revision in revisions:
        affected = EcoAffectedPart(eco=eco, old_revision=revision,
                                   disposition=dispositions.get(revision.pk, EcoAffectedPart.Disposition.USE_UP))
        affected.full_clean(exclude=["eco", "old_revision"])
        affected.save()
    audit_record(obj=eco, action="create", user=user, changes={
        "title": [None, eco.title], "type": [None, eco_type.name], "effective_date": [None, effective_date],
        "affected": [None, ", ".join(str(r) for r in revisions)]})
    return eco


@transaction.atomic
def eco_start(*, eco: Eco, user=None) -> Eco:
    """Draft → in progress: each affected part gets its next revision (in work) with a draft BOM version
    copied from the released revision's BOM."""
    eco = _lock(eco)
    _require_state(eco, Eco.State.DRAFT)
    for affected in eco.affected.select_related("old_revision__part", "old_revision__bom").order_by("pk"):
        old = affected.old_revision
        if old.bom_id is None:
            raise _error(_("%(rev)s has no BOM version to change.") % {"rev": old}, Code.NO_BOM)
        if old.state != PartRevision.State.RELEASED:
            raise _error(_("%(rev)s is %(state)s: an ECO changes a released revision.")
                         % {"rev": old, "state": old.get_state_display()}, Code.NOT_RELEASED)
        new = revision_start(part=old.part, based_on=old, note=eco.number, user=user)
        affected.new_revision = new
        affected.save(update_fields=["new_revision"])
    eco.state = Eco.State.IN_PROGRESS
    eco.started_at = timezone.now()
    eco.save(update_fields=["state", "started_at"])
    audit_record(obj=eco, action="status", user=user, changes={"state": [Eco.State.DRAFT, Eco.State.IN_PROGRESS]})
    return eco


@transaction.atomic
def eco_decide(*, eco: Eco, user, decision: str, comment: str = "") -> EcoApproval:
    """Approve, reject or comment at the ECO's current stage. Approving and rejecting are for the stage's
    approvers; a rejection needs a comment and sends the ECO back to the first stage (a new round)."""
    eco = _lock(eco)
    comment = (comment or "").strip()
    if decision not in EcoApproval.Decision.values:
        raise _error(_("Choose approve, reject or comment."), Code.REQUIRED, "decision")
    if decision == EcoApproval.Decision.COMMENT:
        _require_state(eco, Eco.State.DRAFT, Eco.State.IN_PROGRESS)
        if not comment:
            raise _error(_("Write the comment."), Code.COMMENT_REQUIRED, "comment")
    else:
        _require_state(eco, Eco.State.IN_PROGRESS)
        role = _member_role(user)
        if not any(rule_matches(rule, user=user, role=role) for rule in eco.stage.rules.all()):
            raise _error(_("You are not an approver of the stage %(stage)s.") % {"stage": eco.stage.name},
                         Code.NOT_APPROVER)
        if decision == EcoApproval.Decision.REJECTED and not comment:
            raise _error(_("Say why you reject it."), Code.COMMENT_REQUIRED, "comment")
    approval = EcoApproval(eco=eco, stage=eco.stage, round=eco.stage_round, user=user, user_label=_user_label(user),
                           decision=decision, comment=comment)
    approval.full_clean(exclude=["user"])
    approval.save()
    changes = {"decision": [None, decision], "stage": [None, eco.stage.name]}
    if comment:
        changes["comment"] = [None, comment[:200]]
    if decision == EcoApproval.Decision.REJECTED:
        start = first_stage(eco.type)
        changes["stage"] = [eco.stage.name, start.name]
        eco.stage = start
        eco.stage_round += 1
        eco.save(update_fields=["stage", "stage_round"])
    audit_record(obj=eco, action="update", user=user, changes=changes)
    return approval


@transaction.atomic
def eco_advance(*, eco: Eco, user=None) -> Eco:
    """To the next stage, once every mandatory approval of this one is in."""
    eco = _lock(eco)
    _require_state(eco, Eco.State.IN_PROGRESS)
    target = next_stage(eco.stage)
    if eco.stage.is_final or target is None:
        raise _error(_("%(stage)s is the last stage: apply the ECO.") % {"stage": eco.stage.name}, Code.FINAL_STAGE)
    missing = missing_approvals(eco)
    if missing:
        raise _error(_("The stage %(stage)s still needs the approval of: %(who)s.")
                     % {"stage": eco.stage.name, "who": ", ".join(rule.label for rule in missing)},
                     Code.APPROVALS_MISSING)
    before = eco.stage.name
    eco.stage = target
    eco.stage_round += 1
    eco.save(update_fields=["stage", "stage_round"])
    audit_record(obj=eco, action="update", user=user, changes={"stage": [before, target.name]})
    return eco


def eco_conflicts(eco: Eco) -> list[Bom]:
    """BOM versions of the affected items released by someone else since the ECO started."""
    conflicts = []
    for affected in eco.affected.select_related("old_revision__part", "new_revision"):
        if affected.new_revision is None or eco.started_at is None:
            continue
        conflicts.extend(Bom.objects.filter(item_id=affected.old_revision.part.item_id, status=Bom.Status.RELEASED,
                                            released_at__gte=eco.started_at)
                         .exclude(pk=affected.new_revision.bom_id).select_related("item").order_by("version"))
    return conflicts


@transaction.atomic
def eco_apply(*, eco: Eco, user=None) -> Eco:
    """Release every new revision and its BOM version with the ECO's effective date."""
    eco = _lock(eco)
    _require_state(eco, Eco.State.IN_PROGRESS)
    if not eco.stage.allow_apply:
        raise _error(_("An ECO is applied from a stage that allows it; %(stage)s does not.")
                     % {"stage": eco.stage.name}, Code.APPLY_NOT_ALLOWED)
    missing = missing_approvals(eco)
    if missing:
        raise _error(_("The stage %(stage)s still needs the approval of: %(who)s.")
                     % {"stage": eco.stage.name, "who": ", ".join(rule.label for rule in missing)},
                     Code.APPROVALS_MISSING)
    _check_effective_date(eco.effective_date)
    affected = list(eco.affected.select_related("old_revision__part__item", "new_revision__bom").order_by("pk"))
    # the items' rows: a BOM of theirs released meanwhile by someone else is committed before we look
    list(Item.objects.select_for_update(no_key=True).filter(pk__in=[a.old_revision.part.item_id for a in affected])
         .order_by("pk"))
    conflicts = eco_conflicts(eco)
    if conflicts:
        raise _error(_("Someone else released %(boms)s since this ECO started: the ECO's BOM was copied from an "
                       "older version. Rebase the ECO on it.")
                     % {"boms": ", ".join(f"{bom} ({bom.effective_from:%Y-%m-%d})" for bom in conflicts)},
                     Code.CONFLICT)
    for a in affected:
        new = PartRevision.objects.get(pk=a.new_revision_id)
        if new.state == PartRevision.State.IN_WORK:
            new = revision_submit(revision=new, user=user)
        # releases the BOM version with the effective date; the part's released revisions → superseded
        revision_release(revision=new, effective_from=eco.effective_date, user=user)
    eco.state = Eco.State.APPLIED
    eco.applied_at = timezone.now()
    eco.applied_by = user if getattr(user, "is_authenticated", False) else None
    eco.save(update_fields=["state", "applied_at", "applied_by"])
    audit_record(obj=eco, action="status", user=user, changes={
        "state": [Eco.State.IN_PROGRESS, Eco.State.APPLIED], "effective_date": [None, eco.effective_date]})
    return eco




def _line_key(line: BomLine) -> tuple:
    return line.component_id, line.line_type


def _line_values(line: BomLine) -> tuple:
    return line.quantity, line.scrap_pct, line.note


@transaction.atomic
def eco_rebase(*, eco: Eco, user=None) -> Eco:
    """After a conflict: each affected part's draft BOM is made again from the version released meanwhile
    (the newest released version of the item), with the ECO's own changes replayed on it — lines the ECO
    added, removed or changed (quantity, scrap %, note; matched by component and line type) win, every
    other line is the newer version's. The ECO then counts as started now (the conflict check starts
    again from here); its approvals stay (the history records the rebase)."""
    eco = _lock(eco)
    _require_state(eco, Eco.State.IN_PROGRESS)
    if not eco_conflicts(eco):
        raise _error(_("Nothing to rebase: no BOM of the affected parts was released since the ECO started."),
                     Code.NOTHING_TO_REBASE)
    rebased = []
    for affected in eco.affected.select_related("old_revision__part", "old_revision__bom", "new_revision__bom"):
        if affected.new_revision is None:
            continue
        draft = affected.new_revision.bom
        item_id = affected.old_revision.part.item_id
        newest = (Bom.objects.filter(item_id=item_id, status=Bom.Status.RELEASED).exclude(pk=draft.pk)
                  .order_by("-released_at", "-version").first())
        base = affected.old_revision.bom
        if newest is None or newest.pk == base.pk:
            continue
        base_lines = {_line_key(line): line for line in base.lines.all()}
        mine = {_line_key(line): line for line in draft.lines.all()}
        removed = base_lines.keys() - mine.keys()
        changed = {k for k in base_lines.keys() & mine.keys() if _line_values(base_lines[k]) != _line_values(mine[k])}
        added = mine.keys() - base_lines.keys()
        result, done = [], set()
        for line in newest.lines.select_related("component").order_by("sequence", "id"):
            key = _line_key(line)
            if key in removed or key in done:
                continue
            if key in changed:
                done.add(key)
                result.append((mine[key], line.sequence))
            else:
                result.append((line, line.sequence))
        for key in sorted(added | (changed - done), key=lambda k: mine[k].sequence):
            result.append((mine[key], mine[key].sequence))
        with bom_guard_bypass():  # our own change to the revision's draft BOM (pdm.parts' catalog_bom_guard)
            for line in list(draft.lines.all()):
                bom_line_remove(line=line)
            for source, sequence in result:
                bom_line_add(bom=draft, component=source.component, quantity=source.quantity,
                             scrap_pct=source.scrap_pct, line_type=source.line_type, sequence=sequence,
                             note=source.note)
        newer_revision = PartRevision.objects.filter(bom=newest).first()
        if newer_revision is not None and newer_revision.part_id == affected.old_revision.part_id:
            affected.old_revision = newer_revision
            affected.save(update_fields=["old_revision"])
        rebased.append(f"{base} → {newest}")
    eco.started_at = timezone.now()
    eco.save(update_fields=["started_at"])
    audit_record(obj=eco, action="update", user=user, changes={"rebased": [None, ", ".join(rebased)]})
    return eco

@transaction.atomic
def eco_cancel(*, eco: Eco, user=None) -> Eco:
    """Draft or in progress → cancelled. The revisions it started (never released) become obsolete
    through pdm.parts' revision_obsolete, which archives their draft BOM versions: nothing is left half
    done, and the parts are free for another ECO."""
    eco = _lock(eco)
    _require_state(eco, *Eco.OPEN_STATES)
    before = eco.state
    for affected in eco.affected.select_related("new_revision").order_by("pk"):
        new = affected.new_revision
        if new is not None and new.state in (PartRevision.State.IN_WORK, PartRevision.State.IN_REVIEW):
            revision_obsolete(revision=new, user=user)
    eco.state = Eco.State.CANCELLED
    eco.save(update_fields=["state"])
    audit_record(obj=eco, action="status", user=user, changes={"state": [before, Eco.State.CANCELLED]})
    return eco

# ---- changes to an ECO once raised ------------------------------------------------------------------


def eco_user_can_edit(eco: Eco, *, user, role: str | None = None) -> bool:
    """Whether a member may change the ECO's title, reason, effective date and dispositions while it is
    open: the member who raised it, or a manager and above."""
    if not getattr(user, "is_authenticated", False):
        return False
    role = role if role is not None else _member_role(user)
    if role is None:
        return False
    return eco.requested_by_id == user.pk or Membership(role=role).has_role(Role.MANAGER)


def _require_editor(eco: Eco, user) -> None:
    if not eco_user_can_edit(eco, user=user):
        raise _error(_("Only the member who raised %(eco)s or a manager may change it.") % {"eco": eco.number},
                     Code.NOT_EDITOR)


@transaction.atomic
def eco_update(*, eco: Eco, title: str, reason: str = "", effective_date: date | None, user) -> Eco:
    """While the ECO is open (draft or in progress), its owner (who raised it) or a manager changes its title,
    reason and effective date (today or later). Only what changed is written and recorded in the history
    (old → new); nothing changed is refused (``no_change``) so the history holds no empty entries."""
    eco = _lock(eco)
    _require_state(eco, *Eco.OPEN_STATES)
    _require_editor(eco, user)
    title, reason = (title or "").strip(), (reason or "").strip()
    if not title:
        raise _error(_("Give the ECO a title."), Code.REQUIRED, "title")
    if effective_date != eco.effective_date:
        _check_effective_date(effective_date)
    changes = {name: [getattr(eco, name), value] for name, value in
               (("title", title), ("reason", reason), ("effective_date", effective_date))
               if getattr(eco, name) != value}
    if not changes:
        raise _error(_("Nothing was changed."), Code.NO_CHANGE)
    for name, (_old, value) in changes.items():
        setattr(eco, name, value)
    eco.full_clean()
    eco.save(update_fields=list(changes))
    if "reason" in changes:  # the history keeps the start of a long text
        changes["reason"] = [(v or "")[:200] for v in changes["reason"]]
    audit_record(obj=eco, action="update", user=user, changes=changes)
    return eco


@transaction.atomic
def eco_disposition_set(*, eco: Eco, affected_id: int, disposition: str, user) -> EcoAffectedPart:
    """What happens to the old stock and open orders of one affected part (use up / rework / scrap),
    while the ECO is open; by its owner or a manager. Recorded in the history per part (old → new)."""
    eco = _lock(eco)
    _require_state(eco, *Eco.OPEN_STATES)
    _require_editor(eco, user)
    affected = eco.affected.select_related("old_revision__part").filter(pk=affected_id).first()
    if affected is None:
        raise _error(_("That part is not one of %(eco)s.") % {"eco": eco.number}, Code.NOT_AFFECTED)
    if disposition not in EcoAffectedPart.Disposition.values:
        raise _error(_("Choose use up, rework or scrap."), Code.REQUIRED, "disposition")
    before = affected.disposition
    if before == disposition:
        raise _error(_("Nothing was changed."), Code.NO_CHANGE, "disposition")
    affected.disposition = disposition
    affected.full_clean(exclude=["eco", "old_revision", "new_revision"])
    affected.save(update_fields=["disposition"])
    audit_record(obj=eco, action="update", user=user,
                 changes={f"disposition:{affected.old_revision.part.number}": [before, disposition]})
    return affected


def _effective_order_conflict(bom: Bom, old_date: date, new_date: date) -> Bom | None:
    """Another released version of the item that ``bom`` would pass, or meet on its day, by moving from
    ``old_date`` to ``new_date`` (versions are in force in the order of (effective date, version): the
    ERP's ``bom_effective``; on a shared day one of the two would never be in force). None when the new
    date lies strictly between the versions before and after it."""
    for other in (Bom.objects.filter(item_id=bom.item_id, status=Bom.Status.RELEASED).exclude(pk=bom.pk)
                  .select_related("item").order_by("effective_from", "version")):
        key = (other.effective_from, other.version)
        if new_date == other.effective_from or ((old_date, bom.version) > key) != ((new_date, bom.version) > key):
            return other
    return None


@transaction.atomic
def eco_effective_date_change(*, eco: Eco, effective_date: date | None, user) -> Eco:
    """An applied ECO whose effective date is still to come takes another one (today or later): each
    revision it released and its BOM version move with it, so the ERP switches on the new date. Refused
    when the old date is reached (the ERP may already have used the new BOM), when the new date is in the
    past, or when a BOM version would change places with another released version of the same item
    (it would then be in force before a version released before it, or after one released after it).
    Who may: managers and above (checked by the page). Recorded in the ECO's history and in each
    revision's and BOM version's (old → new)."""
    eco = _lock(eco)
    _require_state(eco, Eco.State.APPLIED)
    role = _member_role(user)
    if role is None or not Membership(role=role).has_role(Role.MANAGER):
        raise _error(_("Only a manager may move the effective date of an applied ECO."), Code.NOT_EDITOR)
    old_date = eco.effective_date
    if old_date <= timezone.localdate():
        raise _error(_("%(eco)s is in force since %(date)s: its effective date cannot change any more.")
                     % {"eco": eco.number, "date": f"{old_date:%Y-%m-%d}"}, Code.EFFECTIVE_DATE_REACHED,
                     "effective_date")
    _check_effective_date(effective_date)
    if effective_date == old_date:
        raise _error(_("Nothing was changed."), Code.NO_CHANGE, "effective_date")
    affected = list(eco.affected.select_related("old_revision__part", "new_revision__bom").order_by("pk"))
    # the items' rows first (as bom_release does): no version of theirs is released while we compare
    list(Item.objects.select_for_update(no_key=True).filter(pk__in=[a.old_revision.part.item_id for a in affected])
         .order_by("pk"))
    revisions = []
    for a in affected:
        revision = PartRevision.objects.select_for_update().filter(pk=a.new_revision_id).first()
        if revision is None or revision.bom_id is None:
            continue
        bom = Bom.objects.select_for_update().select_related("item").get(pk=revision.bom_id)
        if bom.status != Bom.Status.RELEASED or bom.effective_from != old_date:
            raise _error(_("%(bom)s is no longer released with the ECO's date: the date cannot move.")
                         % {"bom": bom}, Code.WRONG_STATE, "effective_date")
        other = _effective_order_conflict(bom, old_date, effective_date)
        if other is not None:
            raise _error(_("On %(date)s %(bom)s would pass or meet %(other)s (effective %(other_date)s): choose "
                           "a date between the versions of %(item)s released before and after it.")
                         % {"date": f"{effective_date:%Y-%m-%d}", "bom": bom, "other": other,
                            "other_date": f"{other.effective_from:%Y-%m-%d}", "item": bom.item.code},
                         Code.EFFECTIVE_DATE_ORDER, "effective_date")
        revisions.append((revision, bom))
    change = {"effective_from": [old_date, effective_date]}
    for revision, bom in revisions:
        # a released BOM version changes nothing but its date, here only (no catalog service moves one)
        bom.effective_from = effective_date
        bom.full_clean()
        bom.save(update_fields=["effective_from"])
        audit_record(obj=bom, action="update", user=user, changes=change)
        if revision.effective_from == old_date:
            revision.effective_from = effective_date
            revision.save(update_fields=["effective_from"])
            audit_record(obj=revision, action="update", user=user, changes=change)
    eco.effective_date = effective_date
    eco.save(update_fields=["effective_date"])
    audit_record(obj=eco, action="update", user=user, changes={"effective_date": [old_date, effective_date]})
    return eco


# ---- ECO types, their stages and approval rules (the enterprise's administrators) ----------------


@transaction.atomic
def eco_type_create(*, name: str, code: str, user=None) -> EcoType:
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not name:
        raise _error(_("Give the type a name."), Code.REQUIRED, "name")
    if not code:
        raise _error(_("Give the type a code."), Code.REQUIRED, "code")
    if EcoType.objects.filter(code=code).exists():
        raise _error(_("The code %(code)s is used already.") % {"code": code}, Code.CODE_TAKEN, "code")
    eco_type = EcoType(name=name, code=code)
    eco_type.full_clean()
    eco_type.save()
    audit_record(obj=eco_type, action="create", user=user, changes={"name": [None, name], "code": [None, code]})
    return eco_type


@transaction.atomic
def eco_stage_add(*, eco_type: EcoType, name: str, sequence: int, is_final: bool = False, allow_apply: bool = False,
                  user=None) -> EcoStage:
    EcoType.objects.select_for_update().get(pk=eco_type.pk)
    name = (name or "").strip()
    if not name:
        raise _error(_("Give the stage a name."), Code.REQUIRED, "name")
    if EcoStage.objects.filter(type=eco_type, sequence=sequence).exists():
        raise _error(_("Another stage of %(type)s has the sequence %(n)d.") % {"type": eco_type.name, "n": sequence},
                     Code.SEQUENCE_TAKEN, "sequence")
    stage = EcoStage(type=eco_type, name=name, sequence=sequence, is_final=is_final, allow_apply=allow_apply)
    stage.full_clean()
    stage.save()
    audit_record(obj=eco_type, action="update", user=user, changes={"stage": [None, f"{sequence} {name}"]})
    return stage


@transaction.atomic
def eco_rule_add(*, stage: EcoStage, approver=None, role: str = "", requirement: str, user=None) -> EcoApprovalRule:
    """A named approver (a member of this enterprise) or any member with at least a role."""
    if (approver is None) == (not role):
        raise _error(_("Choose either an approver or a role."), Code.APPROVER_OR_ROLE, "approver")
    if approver is not None and not Membership.objects.filter(user=approver, enterprise_id=connection.tenant.pk).exists():
        raise _error(_("%(user)s is not a member of this enterprise.") % {"user": approver}, Code.NOT_MEMBER,
                     "approver")
    rule = EcoApprovalRule(stage=stage, user=approver, role=role or "", requirement=requirement)
    rule.full_clean()
    rule.save()
    audit_record(obj=stage.type, action="update", user=user, changes={"approval_rule": [None, f"{stage.name}: {rule.label}"]})
    return rule


@transaction.atomic
def eco_rule_remove(*, rule: EcoApprovalRule, user=None) -> None:
    audit_record(obj=rule.stage.type, action="update", user=user,
                 changes={"approval_rule": [f"{rule.stage.name}: {rule.label}", None]})
    rule.delete()
