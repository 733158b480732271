"""An enterprise's own figures and programmes, for its members: at /office/my/<slug>/ on the public
host and at /programmes/ on the enterprise's own host (office/urls_tenant.py); owners and admins
apply to programmes there."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.permissions import forbidden, role_required
from office import selectors, services
from office.forms import ApplyForm
from office.tables import export_first, own_enrolments_table
from office.views.base import login_redirect, member_page, render
from office.views.figures import figures_context
from tenants.models import Role


def my_enterprises(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    enterprises = list(selectors.enterprises_for_member(user=request.user))
    if len(enterprises) == 1:
        return redirect("office:my_enterprise", slug=enterprises[0].slug)
    return render(request, "office/my_list.html", {"enterprises": enterprises})


def _my_page(request, *, apply_form=None, status: int = 200, apply_url: str | None = None):
    enterprise, membership = request.own_enterprise, request.own_membership
    table, context = figures_context(request, enterprise, f"my-figures-{enterprise.slug}")
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
        "apply_url": apply_url or reverse("office:my_apply", args=[enterprise.slug]),
    })
    return render(request, "office/my_enterprise.html", context, status=status)


@member_page
def my_enterprise(request, slug: str):
    return _my_page(request)


def _apply(request, *, done_url: str, apply_url: str | None = None):
    enterprise = request.own_enterprise
    if not request.own_membership.has_role(Role.ADMIN):
        return forbidden(request, required=request.own_membership.role_label(Role.ADMIN))
    form = ApplyForm(request.POST, enterprise=enterprise)
    if form.is_valid():
        try:
            services.enrolment_apply(programme=form.cleaned_data["programme"], enterprise=enterprise,
                                     actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Application sent; the informatization office will decide."))
            return HttpResponseRedirect(done_url)
    return _my_page(request, apply_form=form, status=400, apply_url=apply_url)


@member_page
@require_POST
def my_apply(request, slug: str):
    return _apply(request, done_url=reverse("office:my_enterprise", args=[slug]))


# ---- the same page on the enterprise's own host (office/urls_tenant.py) ---------------------------


def _own_host(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.own_enterprise, request.own_membership = request.enterprise, request.membership
        return view(request, *args, **kwargs)

    return role_required(Role.VIEWER)(wrapped)


@_own_host
def own_figures(request):
    return _my_page(request, apply_url=reverse("office_tenant:apply"))


@require_POST
@_own_host
def own_apply(request):
    return _apply(request, done_url=reverse("office_tenant:figures"), apply_url=reverse("office_tenant:apply"))
