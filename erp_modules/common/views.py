"""The import centre (/erp/imports/) and the ERP settings (/erp/settings/); the factory overview (/erp/) is
erp_modules.workspace's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.forms import form_errors_from
from core.imports import template_workbook
from core.permissions import role_refusal, role_required
from core.tables import Column, Table
from erp_modules.common import imports
from erp_modules.common.forms import ErpSettingsForm
from erp_modules.common.models import ImportJob
from erp_modules.common.selectors import audit_history
from erp_modules.common.services import ERP_SETTINGS_FIELDS, erp_settings_get, erp_settings_update
from tenants.models import Role


@role_required(Role.VIEWER)
def import_center(request):
    can_import = request.membership.has_role(Role.CLERK)
    errors = {}
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        try:
            job = imports.import_job_create(kind=request.POST.get("kind", ""), file=request.FILES.get("file"),
                                            user=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect(f"/erp/imports/{job.pk}/")
    table = Table(request, ImportJob.objects.all(), export_name="imports", default_sort="-created_at", columns=[
        Column("created_at", gettext_lazy("Uploaded"), sort="created_at", link=lambda j: f"/erp/imports/{j.pk}/"),
        Column("kind", gettext_lazy("Import of")),
        Column("original_name", gettext_lazy("File name")),
        Column("status_label", gettext_lazy("Status"), sort="status"),
        Column("total_rows", gettext_lazy("Rows"), numeric=True),
        Column("written_rows", gettext_lazy("Imported"), numeric=True),
        Column("error_count", gettext_lazy("Problems"), numeric=True),
    ])
    if table.wants_export:  # the list's Excel link (file names are typed by people: core.exports)
        return table.export_response()
    return render(request, "common/import_center.html", {
        "choices": imports.importer_choices(), "selected": request.GET.get("kind", ""), "errors": errors,
        "table": table, "can_import": can_import})


@role_required(Role.VIEWER)
def import_template(request, kind: str):
    try:
        importer = imports.importer_get(kind)
    except ValidationError:
        raise Http404
    response = HttpResponse(template_workbook(importer),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return response


def _job(job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@role_required(Role.VIEWER)
def import_detail(request, job_id: int):
    job = _job(job_id)
    problems = imports.import_problem_rows(job=job)
    table = Table(request, problems, export_name=f"import-{job.pk}-problems", page_size=50, columns=[
        Column("row", gettext_lazy("Row"), numeric=True), Column("header", gettext_lazy("Column")),
        Column("value", pgettext_lazy("import", "Value found")), Column("message", gettext_lazy("Problem")),
        Column("fix", pgettext_lazy("import", "How to fix it"))])
    if table.wants_export:
        return table.export_response()
    return render(request, "common/import_detail.html", {
        "job": job, "table": table, "progress": imports.import_progress(job=job),
        "title": imports.importer_get(job.kind).title,
        "rows_to_fix": len({p["row"] for p in problems if (p["row"] or 0) > 1})})


@role_required(Role.VIEWER)
def import_problems_download(request, job_id: int):
    """The rejected file with its problems, to correct and upload again (the same 404 for another's job)."""
    content = imports.import_problems_file(job=_job(job_id))
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="import-{job_id}-to-fix.xlsx"'
    return response


@role_required(Role.VIEWER)
def import_progress(request, job_id: int):
    """Polled by the page (htmx) every second while the job runs."""
    job = _job(job_id)
    progress = imports.import_progress(job=job)
    response = render(request, "common/_import_progress.html", {"job": job, "progress": progress})
    if not job.is_active:
        response["HX-Refresh"] = "true"  # show the result or the problem list
    return response


@role_required(Role.VIEWER)
def erp_settings(request):
    """Every member sees the settings; administrators and owners change them."""
    can_edit = request.membership.has_role(Role.ADMIN)
    current = erp_settings_get()
    form = ErpSettingsForm(request.POST if request.method == "POST" else None, current_vat_rate=current.vat_rate,
                           initial={"vat_rate": f"{current.vat_rate:.2f}",
                                    "over_receipt_tolerance_pct": f"{current.over_receipt_tolerance_pct.normalize():f}",
                                    "allow_partial_delivery": current.allow_partial_delivery,
                                    "currency": current.currency, "bank_name": current.bank_name,
                                    "bank_account": current.bank_account})
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        refusal = role_refusal(request, Role.ADMIN)
        if refusal:
            return refusal
        if form.is_valid():
            try:
                erp_settings_update(user=request.user, **{f: form.cleaned_data[f] for f in ERP_SETTINGS_FIELDS})
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("erp_settings")
    return render(request, "common/erp_settings.html", {
        "form": form, "can_edit": can_edit, "history": audit_history(obj=current)[:30]},
        status=400 if form.is_bound and form.errors else 200)
