"""Pages of PDM parts: the parts list, making an item a part, a part with its revisions and their
actions, a revision with its multi-level BOM, where-used, and the numbering rules (admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.forms import StrictDateField, form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from pdm._web import action_post, form_post, found
from pdm.parts import selectors, services
from pdm.parts.forms import BomLineAddForm, BomLineRemoveForm, NumberingRuleForm, PartCreateForm, ReleaseForm
from pdm.parts.models import NumberingRule, Part, PartRevision
from tenants.models import Role

State = PartRevision.State


def _part(part_id: int) -> Part:
    return found(selectors.part_get(part_id=part_id))


def _revision(revision_id: int) -> PartRevision:
    return found(selectors.revision_get(revision_id=revision_id))


def _rule(rule_id: int) -> NumberingRule:
    return found(selectors.numbering_rule_get(rule_id=rule_id))


def _roles(request) -> dict:
    membership = request.membership
    return {"can_edit": membership.has_role(Role.CLERK), "can_release": membership.has_role(Role.MANAGER),
            "can_obsolete": membership.has_role(Role.ADMIN)}


# ---- parts --------------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def part_list(request):
    table = Table(
        request, selectors.part_list(), export_name="parts", default_sort="number",
        columns=[
            Column("number", gettext_lazy("Engineering number"), sort="number", link=lambda p: f"/pdm/parts/{p.pk}/"),
            Column("item.code", gettext_lazy("Item code"), sort="item__code"),
            Column("item.name", gettext_lazy("Name"), sort="item__name"),
            Column("current_revision", gettext_lazy("Current revision")),
            Column("current_state", gettext_lazy("State"), fmt=lambda v: State(v).label if v else ""),
            Column("revision_count", gettext_lazy("Revisions"), numeric=True),
        ],
        search_fields=["number", "item__code", "item__name"],
        filters=[Filter("current_state", gettext_lazy("State"), State.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "parts/part_list.html", {"table": table, **_roles(request)})


@role_required(Role.CLERK)
def part_new(request):
    initial = {}
    item_text = request.GET.get("item") or ""
    if request.method == "GET" and item_text.isascii() and item_text.isdigit() and len(item_text) < 12:
        initial["item"] = int(request.GET["item"])
    form = PartCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            part = services.part_create(item=data["item"], rule=data["rule"], number=data["number"],
                                        description=data["description"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(number)s is now a part.") % {"number": part.number})
            return redirect(f"/pdm/parts/{part.pk}/")
    return render(request, "parts/part_form.html", {"form": form}, status=400 if form.errors else 200)


def _part_page(request, part: Part, *, release_form=None, status=200):
    revisions = selectors.part_revisions(part=part)
    return render(request, "parts/part_detail.html", {
        "part": part, "revisions": revisions, "current": selectors.part_current_revision(part=part, revisions=revisions),
        "release_form": release_form or ReleaseForm(initial={"effective_from": timezone.localdate()}),
        "history": selectors.history_entries(obj=part), **_roles(request)}, status=status)


@role_required(Role.VIEWER)
def part_detail(request, part_id: int):
    return _part_page(request, _part(part_id))


@role_required(Role.VIEWER)
def part_where_used(request, part_id: int):
    part = _part(part_id)
    on_text = (request.GET.get("on") or "").strip()
    on = None
    if on_text:
        try:
            on = StrictDateField().clean(on_text)
        except ValidationError:
            on = None
    used = selectors.where_used(item=part.item, on=on)
    return render(request, "parts/where_used.html", {"part": part, "used": used, "on_text": on_text})


# ---- revisions ----------------------------------------------------------------------------------


@require_POST
@role_required(Role.CLERK)
def revision_start(request, part_id: int):
    part = _part(part_id)
    try:
        revision = services.revision_start(part=part, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect(f"/pdm/parts/{part.pk}/")
    messages.success(request, _("Revision %(rev)s started.") % {"rev": revision.revision})
    return redirect(f"/pdm/revisions/{revision.pk}/")


def _nodes(tree) -> list[dict]:
    """The tree's rows nested for the page: [{"row": TreeRow, "children": [...]}, …]."""
    roots, by_key = [], {}
    for row in tree.rows:
        node = {"row": row, "children": []}
        parent = by_key.get(row.key[:-1])
        (parent["children"] if parent is not None else roots).append(node)
        by_key[row.key] = node
    return roots


def _revision_page(request, revision: PartRevision, *, release_form=None, line_form=None, status=200):
    tree = selectors.bom_tree(bom=revision.bom) if revision.bom_id else None
    based_on = revision.based_on
    diff = selectors.bom_diff(old_bom=based_on.bom, new_bom=revision.bom) \
        if based_on is not None and based_on.bom_id and revision.bom_id else None
    return render(request, "parts/revision_detail.html", {
        "revision": revision, "part": revision.part, "tree": tree, "nodes": _nodes(tree) if tree else [], "diff": diff,
        "release_form": release_form or ReleaseForm(initial={"effective_from": timezone.localdate()}),
        "line_form": line_form or BomLineAddForm(), "editable": revision.state == State.IN_WORK,
        "history": selectors.history_entries(obj=revision), **_roles(request)}, status=status)


@role_required(Role.VIEWER)
def revision_detail(request, revision_id: int):
    return _revision_page(request, _revision(revision_id))


def _transition(request, revision_id: int, service):
    revision = _revision(revision_id)
    return action_post(request, lambda: service(revision=revision, user=request.user),
                       done=_("Revision %(rev)s saved.") % {"rev": revision}, url=f"/pdm/revisions/{revision.pk}/")


@require_POST
@role_required(Role.CLERK)
def revision_submit(request, revision_id: int):
    return _transition(request, revision_id, services.revision_submit)


@require_POST
@role_required(Role.MANAGER)
def revision_return(request, revision_id: int):
    return _transition(request, revision_id, services.revision_return)


@require_POST
@role_required(Role.ADMIN)
def revision_obsolete(request, revision_id: int):
    return _transition(request, revision_id, services.revision_obsolete)


@require_POST
@role_required(Role.MANAGER)
def revision_release(request, revision_id: int):
    revision = _revision(revision_id)
    form = ReleaseForm(request.POST)
    return form_post(
        request, form, lambda data: services.revision_release(
            revision=revision, effective_from=data["effective_from"], keep_previous=data["keep_previous"],
            user=request.user),
        done=_("Revision %(rev)s released.") % {"rev": revision}, url=f"/pdm/revisions/{revision.pk}/",
    ) or _revision_page(request, revision, release_form=form, status=400)


@require_POST
@role_required(Role.CLERK)
def revision_line_add(request, revision_id: int):
    revision = _revision(revision_id)
    form = BomLineAddForm(request.POST)
    return form_post(
        request, form, lambda data: services.revision_bom_line_add(revision=revision, user=request.user, **data),
        done=_("Line added."), url=f"/pdm/revisions/{revision.pk}/",
    ) or _revision_page(request, revision, line_form=form, status=400)


@require_POST
@role_required(Role.CLERK)
def revision_line_remove(request, revision_id: int):
    revision = _revision(revision_id)
    form = BomLineRemoveForm(request.POST)
    if form.is_valid():
        return action_post(request, lambda: services.revision_bom_line_remove(
            revision=revision, line_id=form.cleaned_data["line"], user=request.user),
            done=_("Line removed."), url=f"/pdm/revisions/{revision.pk}/")
    messages.error(request, _("That line is not on this revision's bill of materials."))
    return redirect(f"/pdm/revisions/{revision.pk}/")


# ---- numbering rules ----------------------------------------------------------------------------


@role_required(Role.ADMIN)
def rule_list(request, rule_id: int | None = None):
    rule = _rule(rule_id) if rule_id else None
    initial = {f: getattr(rule, f) for f in NumberingRuleForm.base_fields} if rule else None
    if rule:
        initial["category"] = rule.category_id
    form = NumberingRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                rule = services.numbering_rule_create(user=request.user, **form.cleaned_data)
            else:
                rule = services.numbering_rule_update(rule=rule, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Numbering rule %(name)s saved.") % {"name": rule.name})
            return redirect("/pdm/rules/")
    return render(request, "parts/rule_list.html", {"rules": selectors.numbering_rule_list(), "form": form,
                                                    "rule": rule}, status=400 if form.errors else 200)
