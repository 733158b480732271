"""The informatization office's pages (public host, /office/) and an enterprise's own view of its
figures (/office/my/<slug>/). Thin: parse input, call a service or selector, render.

Who sees what: office users (and platform administrators) see every office page, enrolled
enterprises one by one and all others only in suppressed aggregates; members of an enterprise
see that enterprise's own figures and nothing else; everyone else gets 403 (logged in) or the
log-in page."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.templatetags.db_extras import money
from tenants.models import Enterprise, Role
from tenants.views import role_required
from tenants.programs import selectors, services
from tenants.programs.adoption import criteria_text, reason_text
from tenants.programs.forms import (ApplyForm, CancelForm, ClawbackForm, DecisionForm, EnrolForm, GrantForm,
                                    MilestoneForm, PaymentForm, ProgrammeForm, ReportForm)
from tenants.programs.models import Enrolment, Milestone, MonthlyReport, Programme, Subsidy
from tenants.programs.tables import (applications_table, cohort_table, enrolled_table, evaluations_table,
                                     export_first, history_table, milestones_table, own_enrolments_table,
                                     programmes_table, reports_table, reversals_table, snapshots_table,
                                     subsidies_table)


def render(request, template: str, context: dict | None = None, status: int = 200):
    """django.shortcuts.render, except that a partial htmx reload (a table's search, sort or page,
    which core's _table.html also fires on ANY select's change on the page) does not consume the
    flash messages: they stay for the next full page."""
    response = django_render(request, template, context, status=status)
    if getattr(request, "htmx", False):
        messages.get_messages(request).used = False
    return response


def _login_redirect(request):
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


def office_required(view):
    """Office users and platform administrators only, and only on the public host."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "enterprise", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if not selectors.office_user(request.user):
            return render(request, "programs/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def member_page(view):
    """An enterprise's own figures: members of that enterprise only (anyone else: the same 404)."""

    @wraps(view)
    def wrapped(request, slug: str, *args, **kwargs):
        if getattr(request, "enterprise", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return _login_redirect(request)
        found = selectors.member_enterprise_get(user=request.user, slug=slug)
        if found is None:
            raise Http404
        request.own_enterprise, request.own_membership = found
        return view(request, slug, *args, **kwargs)

    return wrapped


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _programme(code: str) -> Programme:
    return get_object_or_404(Programme, code=code)


def _enrolment(pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("programme", "enterprise"), pk=pk)


# ---- dashboard -------------------------------------------------------------------------------


@office_required
def dashboard(request):
    programmes = list(selectors.programme_list())
    progress = {p.pk: selectors.programme_progress(programme=p, adopted=p.adopted_count) for p in programmes}
    targets = {p.pk: selectors.programme_target_text(p) for p in programmes}
    programme_tbl = programmes_table(request, selectors.programme_list(), progress=progress, targets=targets)
    enrolled_tbl = enrolled_table(request, selectors.enrolment_list(), export_name="enrolled-enterprises")
    exported = export_first(programme_tbl, enrolled_tbl)
    if exported is not None:
        return exported
    cards = [{"programme": p, "progress": progress[p.pk], "target": targets[p.pk],
              "chart": selectors.programme_progress_series(programme=p)} for p in programmes]
    budget_chart = {"type": "bar", "labels": [p.name for p in programmes], "series": [
        {"name": _("budget"), "values": [float(p.budget) for p in programmes]},
        {"name": _("granted"), "values": [float(p.granted_total) for p in programmes]},
        {"name": _("paid out"), "values": [float(p.paid_total) for p in programmes]}]}
    return render(request, "programs/dashboard.html", {
        "cards": cards, "programme_table": programme_tbl, "enrolled_table": enrolled_tbl,
        "budget_chart": budget_chart,
        "applications": selectors.enrolment_list(status=Enrolment.Status.APPLIED).count(),
    })


# ---- programme -------------------------------------------------------------------------------


def _programme_page(request, programme: Programme, *, enrol_form=None, status: int = 200):
    enrolled_tbl = enrolled_table(request, selectors.enrolment_list(programme=programme),
                                  export_name=f"{programme.code}-enrolled", with_programme=False)
    applications_tbl = applications_table(request, selectors.enrolment_list(programme=programme,
                                                                            status=Enrolment.Status.APPLIED),
                                          export_name=f"{programme.code}-applications")
    subsidies_tbl = subsidies_table(request, selectors.subsidy_list(programme=programme),
                                    export_name=f"{programme.code}-subsidies", with_programme=False)
    milestones_tbl = milestones_table(request, selectors.enrolment_list(programme=programme),
                                      export_name=f"{programme.code}-milestones")
    reversals_tbl = reversals_table(request, selectors.reversal_list(programme=programme),
                                    export_name=f"{programme.code}-reversals")
    history_tbl = history_table(request, selectors.programme_change_rows(programme=programme),
                                export_name=f"{programme.code}-history")
    exported = export_first(enrolled_tbl, applications_tbl, subsidies_tbl, milestones_tbl, reversals_tbl, history_tbl)
    if exported is not None:
        return exported
    return render(request, "programs/programme_detail.html", {
        "milestones_table": milestones_tbl, "reversals_table": reversals_tbl, "history_table": history_tbl,
        "programme": programme, "progress": selectors.programme_progress(programme=programme),
        "target": selectors.programme_target_text(programme),
        "chart": selectors.programme_progress_series(programme=programme),
        "criteria": criteria_text(programme.criteria),
        "enrolled_table": enrolled_tbl, "applications_table": applications_tbl, "subsidies_table": subsidies_tbl,
        "enrol_form": enrol_form or EnrolForm(programme=programme),
        "is_share": programme.target_kind == Programme.TargetKind.SHARE,
    }, status=status)


@office_required
def programme_detail(request, code: str):
    return _programme_page(request, _programme(code))


def _programme_form_page(request, *, programme: Programme | None):
    """New programme (programme None) or a programme's settings: the form, then the service."""
    code_locked = programme is not None and programme.enrolments.exists()
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_for(programme), code_locked=code_locked)
    if request.method == "POST":
        if form.is_valid():
            try:
                if programme is None:
                    saved = services.programme_create(actor=request.user, **form.programme_fields())
                else:
                    saved = services.programme_update(programme=programme, actor=request.user,
                                                      **form.programme_fields())
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, (_("Programme %(name)s created.") if programme is None
                                           else _("Programme %(name)s saved.")) % {"name": saved.name})
                return redirect("programs:programme_detail", code=saved.code)
    return render(request, "programs/programme_form.html", {
        "form": form, "programme": programme, "code_locked": code_locked,
    }, status=400 if request.method == "POST" else 200)


@office_required
def programme_new(request):
    return _programme_form_page(request, programme=None)


@office_required
def programme_edit(request, code: str):
    return _programme_form_page(request, programme=_programme(code))


@office_required
@require_POST
def programme_enrol(request, code: str):
    programme = _programme(code)
    form = EnrolForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            enrolment = services.enrolment_enrol(programme=programme, enterprise=form.cleaned_data["enterprise"],
                                                 actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("%(name)s is enrolled in %(programme)s.") % {
                "name": enrolment.enterprise.name, "programme": programme.name})
            return redirect("programs:programme_detail", code=programme.code)
    return _programme_page(request, programme, enrol_form=form, status=400)


@office_required
@require_POST
def programme_enrol_eligible(request, code: str):
    programme = _programme(code)
    try:
        count = services.programme_enrol_eligible(programme=programme, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(n)d eligible enterprises enrolled.") % {"n": count})
    return redirect("programs:programme_detail", code=programme.code)


# ---- enrolment -------------------------------------------------------------------------------


def _enrolment_page(request, enrolment: Enrolment, *, grant_form=None, milestone_errors=None,
                    reversal: dict | None = None, status: int = 200):
    subsidies_tbl = subsidies_table(request, selectors.subsidy_list().filter(enrolment=enrolment),
                                    export_name=f"enrolment-{enrolment.pk}-subsidies", with_programme=False)
    evaluations_tbl = evaluations_table(request, enrolment.adoption_records.all(),
                                        export_name=f"enrolment-{enrolment.pk}-evaluations")
    reversals_tbl = reversals_table(request, selectors.reversal_list(enrolment=enrolment),
                                    export_name=f"enrolment-{enrolment.pk}-reversals", with_enterprise=False)
    exported = export_first(subsidies_tbl, evaluations_tbl, reversals_tbl)
    if exported is not None:
        return exported
    existing = {m.kind: m for m in enrolment.milestones.all()}
    milestones = [{"kind": kind, "label": Milestone.Kind(kind).label, "m": existing.get(kind)}
                  for kind in Milestone.ORDER]
    return render(request, "programs/enrolment_detail.html", {
        "enrolment": enrolment, "programme": enrolment.programme, "company": enrolment.enterprise,
        "why": [(r, reason_text(r)) for r in enrolment.adoption_reasons or []],
        "milestones": milestones, "milestone_errors": milestone_errors,
        "subsidies_table": subsidies_tbl, "reversals_table": reversals_tbl,
        "subsidies": list(selectors.subsidy_list().filter(enrolment=enrolment).prefetch_related("payments")),
        # a refused cancellation or clawback: {"subsidy": pk, "action": "cancel" | "clawback", "form": form}
        "reversal": reversal or {},
        "grant_form": grant_form or GrantForm(), "payment_form": PaymentForm(), "decision_form": DecisionForm(),
        "evaluations_table": evaluations_tbl, "enrolled": enrolment.status == Enrolment.Status.ENROLLED,
        "today": timezone.localdate(),
    }, status=status)


@office_required
def enrolment_detail(request, pk: int):
    return _enrolment_page(request, _enrolment(pk))


@office_required
@require_POST
def enrolment_decide(request, pk: int):
    enrolment = _enrolment(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_decide(enrolment=enrolment, actor=request.user,
                                      approve=form.cleaned_data["decision"] == "approve",
                                      note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("programs:enrolment_detail", pk=enrolment.pk)


@office_required
@require_POST
def enrolment_withdraw(request, pk: int):
    enrolment = _enrolment(pk)
    try:
        services.enrolment_withdraw(enrolment=enrolment, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(name)s is withdrawn from the programme.") % {"name": enrolment.enterprise.name})
    return redirect("programs:enrolment_detail", pk=enrolment.pk)


@office_required
@require_POST
def milestone_save(request, pk: int):
    enrolment = _enrolment(pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_record(enrolment=enrolment, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect("programs:enrolment_detail", pk=enrolment.pk)
    return _enrolment_page(request, enrolment, milestone_errors=form.errors, status=400)


@office_required
@require_POST
def subsidy_grant(request, pk: int):
    enrolment = _enrolment(pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            services.subsidy_grant(enrolment=enrolment, actor=request.user, amount=form.cleaned_data["amount"],
                                   purpose=form.cleaned_data["purpose"], granted_on=form.cleaned_data["granted_on"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Subsidy granted."))
            return redirect("programs:enrolment_detail", pk=enrolment.pk)
    return _enrolment_page(request, enrolment, grant_form=form, status=400)


@office_required
@require_POST
def subsidy_pay(request, pk: int):
    subsidy = get_object_or_404(Subsidy, pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.subsidy_pay(subsidy=subsidy, actor=request.user, amount=form.cleaned_data["amount"],
                                 paid_on=form.cleaned_data["paid_on"], reference=form.cleaned_data["reference"])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Payment recorded."))
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                                          if f in form.fields) or _("Check the payment."))
    return redirect("programs:enrolment_detail", pk=subsidy.enrolment_id)


def _reversal(request, pk: int, *, action: str):
    subsidy = get_object_or_404(Subsidy, pk=pk)
    form = (CancelForm if action == "cancel" else ClawbackForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "cancel":
                reversal = services.subsidy_cancel(subsidy=subsidy, actor=request.user, reason=data["reason"],
                                                   reversed_on=data["reversed_on"])
                messages.success(request, _("Grant cancelled: %(amount)s went back to the budget.") % {
                    "amount": money(reversal.budget_returned)})
            else:
                reversal = services.subsidy_payment_reverse(
                    subsidy=subsidy, actor=request.user, reason=data["reason"], amount=data["amount"],
                    reversed_on=data["reversed_on"], reference=data["reference"])
                messages.success(request, _("Clawback of %(amount)s recorded.") % {
                    "amount": money(reversal.paid_back)})
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            return redirect("programs:enrolment_detail", pk=subsidy.enrolment_id)
    return _enrolment_page(request, _enrolment(subsidy.enrolment_id), status=400,
                           reversal={"subsidy": subsidy.pk, "action": action, "form": form})


@office_required
@require_POST
def subsidy_cancel(request, pk: int):
    return _reversal(request, pk, action="cancel")


@office_required
@require_POST
def subsidy_payment_reverse(request, pk: int):
    return _reversal(request, pk, action="clawback")


# ---- one enterprise, the city ----------------------------------------------------------------


def _figures_context(request, enterprise: Enterprise, export_name: str):
    snapshots = list(selectors.snapshot_list(enterprise=enterprise))
    table = snapshots_table(request, selectors.snapshot_list(enterprise=enterprise, days=366),
                            export_name=export_name)
    return table, {"snapshots": snapshots, "latest": snapshots[-1] if snapshots else None,
                   "charts": selectors.snapshot_charts(snapshots=snapshots), "snapshot_table": table}


@office_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    if not selectors.enterprise_visible_to_office(enterprise=enterprise):
        raise Http404  # not enrolled: only in the aggregates
    table, context = _figures_context(request, enterprise, f"figures-{enterprise.slug}")
    if table.wants_export:
        return table.export_response()
    context.update({"company": enterprise,
                    "enrolments": enterprise.programme_enrolments.select_related("programme").order_by("programme")})
    return render(request, "programs/enterprise_detail.html", context)


@office_required
def city(request):
    as_of = timezone.localdate()
    sectors = selectors.city_figures(by="sector", as_of=as_of)
    towns = selectors.city_figures(by="town", as_of=as_of)
    sector_tbl = cohort_table(request, sectors, export_name="city-by-industry", group_label=_("Industry"))
    town_tbl = cohort_table(request, towns, export_name="city-by-town", group_label=_("Town"))
    exported = export_first(sector_tbl, town_tbl)
    if exported is not None:
        return exported

    def bar(cohort):
        rows = [r for r in cohort.rows if not r.suppressed]
        return {"type": "bar", "labels": [r.label for r in rows], "series": [
            {"name": _("enterprises"), "values": [r.enterprises for r in rows]},
            {"name": _("active (30 days)"), "values": [r.active for r in rows]}]}

    return render(request, "programs/city.html", {
        "sectors": sectors, "towns": towns, "sector_table": sector_tbl, "town_table": town_tbl,
        "sector_chart": bar(sectors), "town_chart": bar(towns),
        "series": selectors.city_activity_series(until=as_of), "min_cohort": selectors.MIN_COHORT,
    })


# ---- reports ---------------------------------------------------------------------------------


@office_required
def reports(request):
    form = ReportForm(request.POST or None, initial={"month": services.previous_month().strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.monthly_report_request(month=form.cleaned_data["month"], actor=request.user)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The report for %(month)s is being prepared; refresh in a moment.") % {
                "month": report.month.strftime("%Y-%m")})
            return redirect("programs:reports")
    table = reports_table(request, selectors.report_list())
    if table.wants_export:
        return table.export_response()
    return render(request, "programs/reports.html", {"form": form, "table": table})


@office_required
def report_download(request, pk: int, fmt: str):
    report = get_object_or_404(MonthlyReport, pk=pk, status=MonthlyReport.Status.DONE)
    name = f"digital-bridge-report-{report.month:%Y-%m}"
    if fmt == "pdf":
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(bytes(report.xlsx),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# ---- an enterprise's own figures -------------------------------------------------------------


def my_enterprises(request):
    if not request.user.is_authenticated:
        return _login_redirect(request)
    enterprises = list(selectors.enterprises_for_member(user=request.user))
    if len(enterprises) == 1:
        return redirect("programs:my_enterprise", slug=enterprises[0].slug)
    return render(request, "programs/my_list.html", {"enterprises": enterprises})


def _my_page(request, *, apply_form=None, status: int = 200, apply_url: str | None = None):
    enterprise, membership = request.own_enterprise, request.own_membership
    table, context = _figures_context(request, enterprise, f"my-figures-{enterprise.slug}")
    enrolments_tbl = own_enrolments_table(request, selectors.own_enrolment_list(enterprise=enterprise),
                                          export_name=f"my-programmes-{enterprise.slug}")
    exported = export_first(table, enrolments_tbl)
    if exported is not None:
        return exported
    can_apply = membership.has_role(Role.ADMIN)
    context.update({
        "company": enterprise, "enrolments_table": enrolments_tbl, "can_apply": can_apply,
        "apply_form": (apply_form or ApplyForm(enterprise=enterprise)) if can_apply else None,
        "benchmark": selectors.own_benchmark(enterprise=enterprise), "min_cohort": selectors.MIN_COHORT,
        "apply_url": apply_url or reverse("programs:my_apply", args=[enterprise.slug]),
    })
    return render(request, "programs/my_enterprise.html", context, status=status)


@member_page
def my_enterprise(request, slug: str):
    return _my_page(request)


def _apply(request, *, done_url: str, apply_url: str | None = None):
    enterprise = request.own_enterprise
    if not request.own_membership.has_role(Role.ADMIN):
        return render(request, "programs/forbidden.html", status=403)
    form = ApplyForm(request.POST, enterprise=enterprise)
    if form.is_valid():
        try:
            services.enrolment_apply(programme=form.cleaned_data["programme"], enterprise=enterprise,
                                     actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Application sent; the informatization office will decide."))
            return HttpResponseRedirect(done_url)
    return _my_page(request, apply_form=form, status=400, apply_url=apply_url)


@member_page
@require_POST
def my_apply(request, slug: str):
    return _apply(request, done_url=reverse("programs:my_enterprise", args=[slug]))


# ---- the same page on the enterprise's own host (tenants/programs/urls_tenant.py) --------------


def _own_host(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.own_enterprise, request.own_membership = request.enterprise, request.membership
        return view(request, *args, **kwargs)

    return role_required(Role.VIEWER)(wrapped)


@_own_host
def own_figures(request):
    return _my_page(request, apply_url=reverse("programs_tenant:apply"))


@require_POST
@_own_host
def own_apply(request):
    return _apply(request, done_url=reverse("programs_tenant:figures"), apply_url=reverse("programs_tenant:apply"))
