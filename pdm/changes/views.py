"""ECO pages: the list, a new ECO, one ECO (parts, BOM comparison, approvals, history) and its actions.

Viewers read; clerks raise, start, comment and advance; the member who raised an ECO or a manager changes
its title, reason, effective date and each part's disposition while it is open; managers move the
effective date of an applied ECO while it is still to come; the stage's rules say who approves or rejects
(checked by the service); managers apply; administrators cancel (it obsoletes the revisions the ECO started). An ECO of another enterprise is "not found", like a missing one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from pdm._web import action_post, form_post, found
from pdm.changes import selectors, services
from pdm.changes.forms import (DecisionForm, DispositionForm, EcoEditForm, EcoForm, EcoRuleForm, EcoRuleRemoveForm,
                                EcoStageForm, EcoTypeForm, EffectiveDateForm)
from pdm.changes.models import Eco, EcoStage
from tenants.models import Role


@role_required(Role.VIEWER)
def eco_list(request):
    stages = [(s.pk, f"{s.type.name} · {s.name}") for s in EcoStage.objects.select_related("type").order_by(
        "type__code", "sequence")]
    table = Table(
        request, selectors.eco_list(), export_name="ecos", default_sort="-number",
        columns=[
            Column("number", gettext_lazy("Number"), sort="number", link=lambda e: f"/pdm/ecos/{e.pk}/"),
            Column("title", gettext_lazy("Title"), sort="title"),
            Column("type.name", gettext_lazy("ECO type")),
            Column("stage.name", gettext_lazy("Stage")),
            Column("state", gettext_lazy("State"), sort="state"),
            Column("effective_date", gettext_lazy("Effective date"), sort="effective_date"),
        ],
        search_fields=["number", "title", "reason"],
        filters=[Filter("state", gettext_lazy("State"), Eco.State.choices),
                 Filter("stage", gettext_lazy("Stage"), stages, lookup="stage_id")],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "changes/eco_list.html", {"table": table,
                                                     "can_edit": request.membership.has_role(Role.CLERK),
                                                     "can_admin": request.membership.has_role(Role.ADMIN)})


@role_required(Role.CLERK)
def eco_new(request):
    form = EcoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        revisions = list(data["revisions"])
        try:
            eco = services.eco_create(eco_type=data["eco_type"], title=data["title"], reason=data["reason"],
                                      effective_date=data["effective_date"], revisions=revisions,
                                      dispositions={r.pk: data["disposition"] for r in revisions}, user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(number)s raised.") % {"number": eco.number})
            return redirect(f"/pdm/ecos/{eco.pk}/")
    return render(request, "changes/eco_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _get(eco_id: int) -> Eco:
    return found(selectors.eco_get(eco_id=eco_id))


def _detail(request, eco: Eco, decision_form: DecisionForm | None = None, status: int = 200,
            date_form: EffectiveDateForm | None = None, disposition_form: tuple[int, DispositionForm] | None = None):
    membership = request.membership
    affected = selectors.eco_bom_diffs(eco=eco)
    can_change = selectors.eco_user_can_change(eco=eco, user=request.user, role=membership.role)
    if can_change:  # each part's disposition as a small form (the one just refused keeps its errors)
        for d in affected:
            d.form = (disposition_form[1] if disposition_form and disposition_form[0] == d.affected.pk
                      else DispositionForm(initial={"affected": d.affected.pk, "disposition": d.affected.disposition},
                                           auto_id=f"id_part{d.affected.pk}_%s"))
    if disposition_form and not any(d.form is disposition_form[1] for d in affected):
        for errors in disposition_form[1].errors.values():  # a refusal that belongs to no part shown
            for message in errors:
                messages.error(request, message)
    return render(request, "changes/eco_detail.html", {
        "eco": eco,
        "affected": affected,
        "can_change": can_change,
        "can_move_date": selectors.eco_user_can_move_date(eco=eco, role=membership.role),
        "date_form": date_form or EffectiveDateForm(initial={"effective_date": eco.effective_date}),
        "rules": (rules := selectors.eco_stage_rules(eco=eco)),
        "approvals_complete": eco.state == Eco.State.IN_PROGRESS and not eco.stage.is_final and any(
            r.rule.requirement == r.rule.Requirement.MANDATORY for r in rules) and all(
            r.done for r in rules if r.rule.requirement == r.rule.Requirement.MANDATORY),
        "approvals": selectors.eco_approvals(eco=eco),
        "history": selectors.eco_history(eco=eco),
        "decision_form": decision_form or DecisionForm(),
        "can_edit": membership.has_role(Role.CLERK),
        "can_apply": membership.has_role(Role.MANAGER),
        "can_cancel": membership.has_role(Role.ADMIN),
        "can_approve": selectors.eco_user_can_approve(eco=eco, user=request.user, role=membership.role),
        "is_open": eco.state in Eco.OPEN_STATES,
        "conflicts": services.eco_conflicts(eco) if eco.state == Eco.State.IN_PROGRESS else [],
    }, status=status)


@role_required(Role.VIEWER)
def eco_detail(request, eco_id: int):
    return _detail(request, _get(eco_id))


@require_POST
@role_required(Role.CLERK)
def eco_decide(request, eco_id: int):
    eco = _get(eco_id)
    form = DecisionForm(request.POST)
    return form_post(
        request, form, lambda data: services.eco_decide(eco=eco, user=request.user, decision=data["decision"],
                                                        comment=data["comment"]),
        done=_("Recorded."), url=f"/pdm/ecos/{eco.pk}/",
    ) or _detail(request, _get(eco_id), decision_form=form, status=400)


def _action(request, eco_id: int, service, done: str):
    eco = _get(eco_id)
    return action_post(request, lambda: service(eco=eco, user=request.user), done=done, url=f"/pdm/ecos/{eco.pk}/")


@require_POST
@role_required(Role.CLERK)
def eco_start(request, eco_id: int):
    return _action(request, eco_id, services.eco_start, _("Started: the new revisions are in work."))


@require_POST
@role_required(Role.CLERK)
def eco_advance(request, eco_id: int):
    return _action(request, eco_id, services.eco_advance, _("Moved to the next stage."))


@require_POST
@role_required(Role.MANAGER)
def eco_apply(request, eco_id: int):
    return _action(request, eco_id, services.eco_apply,
                   _("Applied: the new revisions are released with the effective date."))


@role_required(Role.ADMIN)
def eco_types(request):
    """ECO types with their stages and approval rules; administrators add types, stages and rules here.
    Every form names what it changes by ids in its fields, looked up in this enterprise only."""
    enterprise = request.membership.enterprise
    forms = {"type": EcoTypeForm(prefix="type"), "stage": EcoStageForm(prefix="stage"),
             "rule": EcoRuleForm(prefix="rule", enterprise=enterprise)}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "type":
            form = forms["type"] = EcoTypeForm(request.POST, prefix="type")
            run = lambda d: services.eco_type_create(name=d["name"], code=d["code"], user=request.user)  # noqa: E731
        elif action == "stage":
            form = forms["stage"] = EcoStageForm(request.POST, prefix="stage")
            run = lambda d: services.eco_stage_add(  # noqa: E731
                eco_type=d["eco_type"], name=d["name"], sequence=d["sequence"], is_final=d["is_final"],
                allow_apply=d["allow_apply"], user=request.user)
        elif action == "rule":
            form = forms["rule"] = EcoRuleForm(request.POST, prefix="rule", enterprise=enterprise)
            run = lambda d: services.eco_rule_add(  # noqa: E731
                stage=d["stage"], approver=d["approver"], role=d["role"], requirement=d["requirement"],
                user=request.user)
        elif action == "rule_remove":
            form = EcoRuleRemoveForm(request.POST, prefix="remove")
            run = lambda d: services.eco_rule_remove(rule=d["rule"], user=request.user)  # noqa: E731
        else:
            form, run = None, None
        if form is not None and form.is_valid():
            try:
                run(form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("/pdm/ecos/types/")
        if form is not None and not form.is_valid() and action == "rule_remove":
            messages.error(request, _("That approval rule was not found."))
        status = 400
    return render(request, "changes/eco_types.html", {
        "types": selectors.eco_type_list(), "forms": forms}, status=status)


@require_POST
@role_required(Role.ADMIN)
def eco_cancel(request, eco_id: int):
    return _action(request, eco_id, services.eco_cancel,
                   _("Cancelled: the revisions it started are obsolete."))


@require_POST
@role_required(Role.CLERK)
def eco_rebase(request, eco_id: int):
    return _action(request, eco_id, services.eco_rebase,
                   _("Rebased: the draft BOMs start from the newest released versions, with this ECO's changes."))


@role_required(Role.CLERK)
def eco_edit(request, eco_id: int):
    """An open ECO's title, reason and effective date: its owner (who raised it) or a manager (the service
    refuses anyone else, and any ECO no longer open)."""
    eco = _get(eco_id)
    form = EcoEditForm(request.POST or None, initial={"title": eco.title, "reason": eco.reason,
                                                      "effective_date": eco.effective_date})
    if request.method == "POST":
        answer = form_post(request, form, lambda data: services.eco_update(
            eco=eco, title=data["title"], reason=data["reason"], effective_date=data["effective_date"],
            user=request.user), done=_("Saved."), url=f"/pdm/ecos/{eco.pk}/")
        if answer is not None:
            return answer
    elif not selectors.eco_user_can_change(eco=eco, user=request.user, role=request.membership.role):
        messages.error(request, _("Only the member who raised %(eco)s or a manager may change it, while it is open.")
                       % {"eco": eco.number})
        return redirect(f"/pdm/ecos/{eco.pk}/")
    return render(request, "changes/eco_edit.html", {"eco": eco, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
@role_required(Role.CLERK)
def eco_disposition(request, eco_id: int):
    """One affected part's disposition (use up / rework / scrap; the part named by the form's ``affected``)
    while the ECO is open: its owner or a manager."""
    eco = _get(eco_id)
    form = DispositionForm(request.POST)
    answer = form_post(
        request, form, lambda data: services.eco_disposition_set(eco=eco, affected_id=data["affected"],
                                                                 disposition=data["disposition"], user=request.user),
        done=_("Saved."), url=f"/pdm/ecos/{eco.pk}/")
    if answer is not None:
        return answer
    affected_id = form.cleaned_data.get("affected") if hasattr(form, "cleaned_data") else None
    if affected_id is not None:
        form.auto_id = f"id_part{affected_id}_%s"
    return _detail(request, _get(eco_id), disposition_form=(affected_id, form), status=400)


@require_POST
@role_required(Role.MANAGER)
def eco_effective_date(request, eco_id: int):
    """Move the effective date of an applied ECO whose date is still to come (managers)."""
    eco = _get(eco_id)
    form = EffectiveDateForm(request.POST)
    return form_post(
        request, form, lambda data: services.eco_effective_date_change(eco=eco, effective_date=data["effective_date"],
                                                                       user=request.user),
        done=_("The effective date is moved: the new revisions and their BOM versions take effect on it."),
        url=f"/pdm/ecos/{eco.pk}/",
    ) or _detail(request, _get(eco_id), date_form=form, status=400)
