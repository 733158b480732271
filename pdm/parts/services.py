"""Writes of PDM parts: numbering rules, parts, and the lifecycle of their revisions.

A part is the engineering side of an ERP item (``catalog.Item``); each revision (A, B, … Z, AA …)
owns one BOM version (``catalog.Bom``) made and released through catalog's services, so the ERP
(sales, work orders, MRP) keeps reading the BOM version in force on its own date
(``catalog.selectors.bom_effective``).

Who may do what, per state (enforced here; the pages check the same roles first). ``user=None`` is the
system itself (demo data, benchmarks, a background job) and passes every check.

===============================  ==============================  ===================================  =======
service                          from state                      to state                             role
===============================  ==============================  ===================================  =======
numbering_rule_create / _update  —                               —                                    admin
part_create                      —                               (a part, no revision yet)            clerk
revision_start                   —                               in work (a new draft BOM version)    clerk
revision_bom_line_add / _remove  in work                         in work                              clerk
revision_submit                  in work                         in review                            clerk
revision_return                  in review                       in work                              manager
revision_release                 in review                       released; the part's other released  manager
                                                                 ones → superseded (unless
                                                                 keep_previous: a customer's variant)
revision_obsolete                in work, in review, released,   obsolete (its BOM version archived)  admin
                                 superseded
===============================  ==============================  ===================================  =======

A frozen revision (released, superseded, obsolete) and its BOM refuse every change
(``REVISION_FROZEN``); one in review refuses changes too (``REVISION_IN_REVIEW``) until it is returned
to work. Catalog itself refuses changes to a released or archived BOM version. Every transition is
audited (erp_modules.common's audit_record) with the state before and after.

Locks: a revision's transitions lock its row (``select_for_update``); revision_start and
revision_release lock the part's row, so letters are handed out once and two releases of one part are
serialised; the next engineering number of a rule is taken under the rule's row lock.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.catalog.bom_guard import bom_guard_bypass
from erp_modules.catalog.models import Bom, BomLine, Item, ItemCategory
from erp_modules.catalog.selectors import bom_effective
from erp_modules.catalog.services import bom_archive, bom_create, bom_line_add, bom_new_version, bom_release
from erp_modules.common.services import audit_record, model_changes
from pdm.parts.error_codes import PartsErrorCode as Code
from pdm.parts.models import NumberingRule, Part, PartRevision
from tenants.models import Role
from tenants.selectors import membership_get

State = PartRevision.State
_CODE = re.compile(r"^[A-Z0-9]{1,10}$")
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
RULE_FIELDS = ["name", "prefix", "category", "category_code", "digits", "next_value", "active"]


# ---- roles --------------------------------------------------------------------------------------


def _require_role(user, minimum: str) -> None:
    """The user's membership in the current enterprise must have ``minimum`` (None: the system)."""
    if user is None:
        return
    tenant = getattr(connection, "tenant", None)
    membership = membership_get(user=user, enterprise=tenant) if getattr(tenant, "pk", None) else None
    if membership is None or not membership.has_role(minimum):
        raise ValidationError(_("Your role does not allow this; it needs: %(role)s.")
                              % {"role": Role(minimum).label}, code=str(Code.FORBIDDEN))


# ---- numbering rules ----------------------------------------------------------------------------


def _rule_clean(fields: dict) -> dict:
    clean = dict(fields)
    for name in ("prefix", "category_code"):
        if name in clean:
            clean[name] = (clean[name] or "").strip().upper()
    errors = {}
    if "prefix" in clean and not _CODE.match(clean["prefix"]):
        errors["prefix"] = ValidationError(_("Use 1 to 10 letters A–Z or digits."), code=str(Code.RULE_INVALID))
    if clean.get("category_code") and not _CODE.match(clean["category_code"]):
        errors["category_code"] = ValidationError(_("Use 1 to 10 letters A–Z or digits."),
                                                  code=str(Code.RULE_INVALID))
    if errors:
        raise ValidationError(errors)
    return clean


def _rule_save(rule: NumberingRule, user, before: NumberingRule | None) -> NumberingRule:
    if NumberingRule.objects.filter(prefix=rule.prefix, category_code=rule.category_code).exclude(pk=rule.pk).exists():
        raise field_error("prefix", _("A rule with prefix %(prefix)s and category code %(code)s exists already.")
                          % {"prefix": rule.prefix, "code": rule.category_code or "—"}, Code.RULE_TAKEN)
    rule.full_clean()
    rule.save()
    audit_record(obj=rule, action="create" if before is None else "update", user=user,
                 changes=model_changes(before, rule, [f for f in RULE_FIELDS if f != "category"]))
    return rule


@transaction.atomic
def numbering_rule_create(*, user, name: str, prefix: str, category: ItemCategory | None = None,
                          category_code: str = "", digits: int = 5, next_value: int = 1,
                          active: bool = True) -> NumberingRule:
    _require_role(user, Role.ADMIN)
    fields = _rule_clean({"name": name, "prefix": prefix, "category": category, "category_code": category_code,
                          "digits": digits, "next_value": next_value, "active": active})
    return _rule_save(NumberingRule(**fields), user, None)


@transaction.atomic
def numbering_rule_update(*, rule: NumberingRule, user, **fields) -> NumberingRule:
    _require_role(user, Role.ADMIN)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = NumberingRule.objects.select_for_update().get(pk=rule.pk)
    rule = NumberingRule.objects.get(pk=rule.pk)
    for name, value in _rule_clean(fields).items():
        setattr(rule, name, value)
    return _rule_save(rule, user, before)


@transaction.atomic
def numbering_next(*, rule: NumberingRule) -> str:
    """The rule's next free engineering number (numbers already used are skipped), under its row lock."""
    rule = NumberingRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.active:
        raise field_error("rule", _("The numbering rule %(rule)s is not active.") % {"rule": rule.name},
                          Code.RULE_INACTIVE)
    value = rule.next_value
    while Part.objects.filter(number=rule.format(value)).exists():
        value += 1
    number = rule.format(value)
    NumberingRule.objects.filter(pk=rule.pk).update(next_value=value + 1)
    return number


# ---- parts --------------------------------------------------------------------------------------


def _rule_for(item: Item) -> NumberingRule | None:
    if item.category_id is None:
        return None
    return NumberingRule.objects.filter(category_id=item.category_id, active=True).order_by("pk").first()


@transaction.atomic
def part_create(*, item: Item, rule: NumberingRule | None = None, number: str | None = None, user,
                description: str = "") -> Part:
    """Engineering data for an existing ERP item: its number is ``number`` when given, else the next of
    ``rule`` (or of the active rule of the item's category)."""
    _require_role(user, Role.CLERK)
    item = Item.objects.select_for_update(no_key=True).get(pk=item.pk)
    if Part.objects.filter(item=item).exists():
        raise field_error("item", _("%(item)s is a part already.") % {"item": item}, Code.ITEM_ALREADY_PART)
    number = (number or "").strip().upper()
    if number:
        if Part.objects.filter(number=number).exists():
            raise field_error("number", _("The engineering number %(number)s is used already.") % {"number": number},
                              Code.NUMBER_TAKEN)
    else:
        rule = rule or _rule_for(item)
        if rule is None:
            raise field_error("number", _("Enter an engineering number or choose a numbering rule."),
                              Code.NUMBER_REQUIRED)
        number = numbering_next(rule=rule)
    part = Part(item=item, number=number, rule=rule, description=description,
                created_by=user if getattr(user, "is_authenticated", False) else None)
    part.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            part.save()
    except IntegrityError:
        raise field_error("number", _("The engineering number %(number)s is used already.") % {"number": number},
                          Code.NUMBER_TAKEN) from None
    audit_record(obj=part, action="create", user=user, changes=model_changes(None, part, ["number"]))
    return part


# ---- revisions ----------------------------------------------------------------------------------


def revision_letter_after(letters: str | None) -> str:
    """"" / None → A; A → B; Z → AA; AZ → BA; ZZ → AAA (bijective base 26)."""
    if not letters:
        return "A"
    value = 0
    for ch in letters:
        value = value * 26 + (ord(ch) - 64)
    value += 1
    out = ""
    while value:
        value, rest = divmod(value - 1, 26)
        out = chr(65 + rest) + out
    return out


def _letter_key(letters: str) -> tuple[int, str]:
    return len(letters), letters


def _require_state(revision: PartRevision, allowed: tuple) -> None:
    if revision.state not in allowed:
        raise ValidationError(_("Revision %(rev)s is %(state)s; this is not possible from that state.")
                              % {"rev": revision, "state": revision.get_state_display()}, code=str(Code.WRONG_STATE))


def _require_editable(revision: PartRevision) -> None:
    if revision.state in PartRevision.FROZEN_STATES:
        raise ValidationError(_("Revision %(rev)s is %(state)s and frozen; start a new revision to change it.")
                              % {"rev": revision, "state": revision.get_state_display()},
                              code=str(Code.REVISION_FROZEN))
    if revision.state == State.IN_REVIEW:
        raise ValidationError(_("Revision %(rev)s is in review; return it to work before changing it.")
                              % {"rev": revision}, code=str(Code.REVISION_IN_REVIEW))


def _audit_state(revision: PartRevision, old: str, user, **extra) -> None:
    changes = {"state": [old, revision.state]}
    changes.update({k: [None, v] for k, v in extra.items()})
    audit_record(obj=revision, action="status", user=user, changes=changes)


def _lock(revision: PartRevision) -> PartRevision:
    return PartRevision.objects.select_for_update(of=("self",)).select_related("part", "part__item", "bom").get(
        pk=revision.pk)


@transaction.atomic
def revision_start(*, part: Part, user, based_on: PartRevision | None = None, note: str = "") -> PartRevision:
    """The part's next revision, in work, with a new draft BOM version copied from ``based_on``'s (by
    default the latest released revision, else the latest one), else from the item's BOM in force
    today, else empty. Raw materials and services have no BOM."""
    _require_role(user, Role.CLERK)
    part = Part.objects.select_for_update().select_related("item").get(pk=part.pk)
    revisions = list(PartRevision.objects.filter(part=part).select_related("bom"))
    if based_on is not None and based_on.part_id != part.pk:
        raise field_error("based_on", _("Revision %(rev)s is not a revision of %(part)s.")
                          % {"rev": based_on, "part": part.number}, Code.BASED_ON_OTHER_PART)
    if based_on is None and revisions:
        released = [r for r in revisions if r.state == State.RELEASED]
        based_on = max(released or revisions, key=lambda r: _letter_key(r.revision))
    letter = revision_letter_after(max((r.revision for r in revisions), key=_letter_key, default=None))
    if not _LETTERS.match(letter):
        raise ValidationError(_("%(part)s has used every revision letter up to ZZZ.") % {"part": part.number},
                              code=str(Code.REVISION_LIMIT))
    item = part.item
    bom = None
    if item.item_type not in (Item.Type.RAW, Item.Type.SERVICE):
        source = based_on.bom if based_on is not None and based_on.bom_id else bom_effective(item=item)
        if source is not None:
            bom = bom_new_version(bom=source, user=user)
        else:
            bom = bom_create(item=item, user=user)
    revision = PartRevision(part=part, revision=letter, state=State.IN_WORK, bom=bom, based_on=based_on,
                            note=note, created_by=user if getattr(user, "is_authenticated", False) else None)
    revision.full_clean()
    revision.save()
    audit_record(obj=revision, action="create", user=user,
                 changes={"revision": [None, letter], "based_on": [None, str(based_on) if based_on else None]})
    return revision


@transaction.atomic
def revision_bom_line_add(*, revision: PartRevision, component: Item, quantity: Decimal, user,
                          scrap_pct: Decimal = Decimal("0"), line_type: str = BomLine.LineType.COMPONENT,
                          sequence: int | None = None, note: str = "") -> BomLine:
    """A line on the revision's draft BOM version (catalog's bom_line_add: cycles and line rules)."""
    _require_role(user, Role.CLERK)
    revision = _lock(revision)
    _require_editable(revision)
    if revision.bom_id is None:
        raise field_error("component", _("%(item)s has no bill of materials.") % {"item": revision.part.item},
                          Code.LINE_NOT_FOUND)
    if sequence is None:
        last = BomLine.objects.filter(bom_id=revision.bom_id).order_by("-sequence").values_list("sequence", flat=True)
        sequence = (last.first() or 0) + 10
    with bom_guard_bypass():  # our own change to the revision's BOM (catalog_bom_guard)
        line = bom_line_add(bom=revision.bom, component=component, quantity=quantity, scrap_pct=scrap_pct,
                            line_type=line_type, sequence=sequence, note=note)
    audit_record(obj=revision, action="update", user=user,
                 changes={"bom_line": [None, f"{component.code} × {quantity}"]})
    return line


@transaction.atomic
def revision_bom_line_remove(*, revision: PartRevision, line_id: int, user) -> None:
    _require_role(user, Role.CLERK)
    revision = _lock(revision)
    _require_editable(revision)
    line = BomLine.objects.filter(pk=line_id, bom_id=revision.bom_id).select_related("component").first() \
        if revision.bom_id else None
    if line is None:
        raise field_error("line", _("That line is not on this revision's bill of materials."), Code.LINE_NOT_FOUND)
    audit_record(obj=revision, action="update", user=user,
                 changes={"bom_line": [f"{line.component.code} × {line.quantity}", None]})
    line.delete()


def _move(revision: PartRevision, user, *, role: str, old: str, new: str) -> PartRevision:
    """``old`` → ``new`` for a member with at least ``role``: locked, state checked, saved, audited."""
    _require_role(user, role)
    revision = _lock(revision)
    _require_state(revision, (old,))
    revision.state = new
    revision.save(update_fields=["state"])
    _audit_state(revision, old, user)
    return revision


@transaction.atomic
def revision_submit(*, revision: PartRevision, user) -> PartRevision:
    return _move(revision, user, role=Role.CLERK, old=State.IN_WORK, new=State.IN_REVIEW)


@transaction.atomic
def revision_return(*, revision: PartRevision, user) -> PartRevision:
    """Back from review to work (the reviewer wants changes)."""
    return _move(revision, user, role=Role.MANAGER, old=State.IN_REVIEW, new=State.IN_WORK)


@transaction.atomic
def revision_release(*, revision: PartRevision, effective_from: date | None, user,
                     keep_previous: bool = False) -> PartRevision:
    """In review → released: its BOM version is released through catalog's bom_release with that
    effective date (today or later), so the ERP uses it for every date from then on and the previous
    version before. The part's other released revisions become superseded, unless ``keep_previous``
    (a customer's variant stays on B while C is the default)."""
    _require_role(user, Role.MANAGER)
    if effective_from is None:
        raise field_error("effective_from", _("Enter the date from which this revision is in force."),
                          Code.EFFECTIVE_DATE_REQUIRED)
    if effective_from < timezone.localdate():
        raise field_error("effective_from", _("The effective date cannot be in the past."), Code.EFFECTIVE_DATE_PAST)
    Part.objects.select_for_update().filter(pk=revision.part_id).first()
    revision = _lock(revision)
    _require_state(revision, (State.IN_REVIEW,))
    if revision.bom_id is not None and revision.part.item.item_type == Item.Type.COMPONENT \
            and not revision.bom.lines.exists():
        # a bought-in component's revision has no structure: its empty draft goes, nothing to release
        # (the catalog refuses to release an empty BOM; raw materials and services never get one)
        empty, revision.bom = revision.bom, None
        revision.save(update_fields=["bom"])
        empty.delete()
    if revision.bom_id is not None:
        with bom_guard_bypass():
            bom_release(bom=revision.bom, effective_from=effective_from, user=user)
    if not keep_previous:
        for previous in (PartRevision.objects.select_for_update()
                         .filter(part_id=revision.part_id, state=State.RELEASED).exclude(pk=revision.pk)):
            previous.state = State.SUPERSEDED
            previous.save(update_fields=["state"])
            _audit_state(previous, State.RELEASED, user, superseded_by=revision.revision)
    revision.state = State.RELEASED
    revision.effective_from = effective_from
    revision.released_at = timezone.now()
    revision.released_by = user if getattr(user, "is_authenticated", False) else None
    revision.save(update_fields=["state", "effective_from", "released_at", "released_by"])
    _audit_state(revision, State.IN_REVIEW, user, effective_from=effective_from)
    return revision


@transaction.atomic
def revision_obsolete(*, revision: PartRevision, user) -> PartRevision:
    """Any state but obsolete → obsolete; its BOM version is archived (the ERP stops using it)."""
    _require_role(user, Role.ADMIN)
    revision = _lock(revision)
    _require_state(revision, (State.IN_WORK, State.IN_REVIEW, State.RELEASED, State.SUPERSEDED))
    old = revision.state
    if revision.bom_id is not None and revision.bom.status != Bom.Status.ARCHIVED:
        with bom_guard_bypass():
            bom_archive(bom=revision.bom, user=user)
    revision.state = State.OBSOLETE
    revision.save(update_fields=["state"])
    _audit_state(revision, old, user)
    return revision


def catalog_bom_guard(bom, action: str) -> None:
    """Registered with the catalog (erp_modules.catalog.bom_guard, in PartsConfig.ready()): the catalog's BOM
    pages may not add or remove lines, release or archive the BOM version of a part revision; that goes
    through this module's services (and the change orders'), which call the catalog inside
    ``bom_guard_bypass()``. BOMs that belong to no part revision are the catalog's alone."""
    revision = PartRevision.objects.select_related("part").filter(bom_id=bom.pk).first()
    if revision is not None:
        raise ValidationError(
            _("This BOM version belongs to part revision %(revision)s (%(state)s): change it on the PDM pages "
              "(the revision, or its engineering change order).")
            % {"revision": str(revision), "state": revision.get_state_display()}, code=str(Code.BOM_OF_REVISION))
