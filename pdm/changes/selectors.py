"""Reads of engineering change orders for the pages: lists, one ECO with its parts, BOM comparison,
approvals of the current stage, and its history with field names and values in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp_modules.common.history import object_history
from erp_modules.common.models import AuditEntry
from pdm.changes.models import Eco, EcoAffectedPart, EcoApproval, EcoApprovalRule, EcoType
from pdm.changes.services import eco_user_can_edit, rule_matches, satisfied_rules
from pdm.parts.models import PartRevision
from pdm.parts.selectors import BomDiff, WhereUsed, bom_diff, where_used
from tenants.models import Membership, Role


def eco_list() -> QuerySet[Eco]:
    return Eco.objects.select_related("type", "stage")


def eco_get(*, eco_id: int) -> Eco | None:
    """The ECO of this enterprise (its schema) with that id, or None — the same for an id of another."""
    return Eco.objects.select_related("type", "stage", "requested_by", "applied_by").filter(pk=eco_id).first()


def eco_type_list() -> QuerySet[EcoType]:
    return EcoType.objects.filter(active=True).prefetch_related("stages__rules__user").order_by("code")


def releasable_revisions() -> QuerySet[PartRevision]:
    """Released revisions that have a BOM version (what an ECO can change)."""
    return (PartRevision.objects.filter(state=PartRevision.State.RELEASED, bom__isnull=False)
            .select_related("part", "part__item").order_by("part__number", "revision"))


def eco_affected(*, eco: Eco) -> list[EcoAffectedPart]:
    return list(eco.affected.select_related("old_revision__part__item", "old_revision__bom",
                                            "new_revision__bom").order_by("pk"))


@dataclass
class AffectedDiff:
    affected: EcoAffectedPart
    diff: BomDiff | None  # None until the ECO is started (no new BOM version yet)
    changes: dict[tuple, str]  # row key -> what changed, in words ("quantity, unit")
    impact: WhereUsed | None  # where the item is used on the effective date, its open orders and stock
    form: object = None  # the page's disposition form for this part (when the member may change it)


_CHANGE_LABELS = {"quantity": gettext_lazy("quantity"), "uom": gettext_lazy("unit"),
                  "line_type": gettext_lazy("line type")}


def eco_bom_diffs(*, eco: Eco) -> list[AffectedDiff]:
    """For each affected part, the multi-level diff of its released BOM and the ECO's new draft
    (pdm.parts' bom_diff), sub-assemblies exploded as in force on the ECO's effective date; and, while
    the ECO is open, the impact (pdm.parts' where_used on that date: top products, the open sales, work
    and purchase orders and the stock of the item and its parents) that the disposition is about."""
    out = []
    for affected in eco_affected(eco=eco):
        old_bom = affected.old_revision.bom
        new_bom = affected.new_revision.bom if affected.new_revision_id else None
        diff = bom_diff(old_bom=old_bom, new_bom=new_bom, on=eco.effective_date) if old_bom and new_bom else None
        changes = {row.key: ", ".join(str(_CHANGE_LABELS.get(c, c)) for c in row.changes)
                   for row in (diff.rows if diff else [])}
        impact = (where_used(item=affected.old_revision.part.item, on=eco.effective_date)
                  if eco.state in Eco.OPEN_STATES else None)
        out.append(AffectedDiff(affected=affected, diff=diff, changes=changes, impact=impact))
    return out


@dataclass
class RuleStatus:
    rule: EcoApprovalRule
    done: bool


def eco_stage_rules(*, eco: Eco) -> list[RuleStatus]:
    done = satisfied_rules(eco) if eco.state == Eco.State.IN_PROGRESS else set()
    return [RuleStatus(rule=rule, done=rule.pk in done) for rule in eco.stage.rules.select_related("user").order_by("id")]


def eco_approvals(*, eco: Eco) -> QuerySet[EcoApproval]:
    return eco.approvals.select_related("stage").order_by("-at", "-id")


def eco_user_can_change(*, eco: Eco, user, role: str | None) -> bool:
    """Whether the member may change the open ECO's title, reason, effective date and dispositions."""
    return eco.state in Eco.OPEN_STATES and eco_user_can_edit(eco, user=user, role=role)


def eco_user_can_move_date(*, eco: Eco, role: str | None) -> bool:
    """Whether the member may move the effective date of the applied ECO (a manager, the date still to come)."""
    return (eco.state == Eco.State.APPLIED and eco.effective_date > timezone.localdate()
            and role is not None and Membership(role=role).has_role(Role.MANAGER))


def eco_user_can_approve(*, eco: Eco, user, role: str | None) -> bool:
    return eco.state == Eco.State.IN_PROGRESS and any(
        rule_matches(rule, user=user, role=role) for rule in eco.stage.rules.all())


# ---- history -----------------------------------------------------------------------------------

def eco_history(*, eco: Eco, limit: int = 100) -> list[AuditEntry]:
    """The ECO's newest audit entries for the shared history (templates/_history.html), read by the one
    renderer of histories (erp_modules.common.history): the fields' labels, states, decisions and
    dispositions by their labels, in the reader's language. A decision and its comment are the approvals'
    fields; "disposition:<part number>" is one affected part's disposition."""
    return object_history(eco, limit=limit, labels={"affected": _("affected parts"), "rebased": _("rebased on")},
                          fields={"decision": EcoApproval._meta.get_field("decision"),
                                  "comment": EcoApproval._meta.get_field("comment"),
                                  "disposition": EcoAffectedPart._meta.get_field("disposition")})
