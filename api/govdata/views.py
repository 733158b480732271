"""Office pages of government data (public host). Thin: parse input, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.govdata import selectors, services
from api.govdata.connector import connector_from_settings
from api.govdata.forms import SyncForm, UploadForm
from api.govdata.importers import IMPORTERS
from api.govdata.models import Channel
from api.govdata.tasks import sync_run_execute
from core.imports import template_workbook
from core.uscc import normalize_uscc
from office.permissions import office_required


@office_required
def dashboard(request):
    runs = Paginator(selectors.sync_run_list(), 25).get_page(request.GET.get("page"))
    connector = connector_from_settings()
    return render(request, "govdata/dashboard.html", {
        "runs": runs, "flags": selectors.office_flags(), "upload_form": UploadForm(), "sync_form": SyncForm(),
        "api_url": connector.base_url if connector else "", "exchange_dir": services.exchange_dir(),
        "waiting_files": services.inbox_files(), "kinds": [(k, IMPORTERS[k].title) for k in IMPORTERS],
    })


@office_required
def run_detail(request, run_id: int):
    run = selectors.sync_run_get(run_id=run_id)
    if run is None:
        raise Http404
    template = "govdata/_run_status.html" if request.htmx else "govdata/run_detail.html"
    return render(request, template, {"run": run, "children": run.children.order_by("id")})


@office_required
@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("govdata:dashboard")
    upload_file = form.cleaned_data["file"]
    run = services.file_import(content=upload_file.read(), filename=upload_file.name,
                               kind=form.cleaned_data["kind"] or None, user=request.user)
    return redirect("govdata:run_detail", run_id=run.pk)


@office_required
@require_POST
def sync_now(request):
    form = SyncForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to sync."))
        return redirect("govdata:dashboard")
    kind = form.cleaned_data["kind"]
    run = services.sync_run_queue(kind=kind, channel=Channel.API, user=request.user)
    transaction.on_commit(lambda: sync_run_execute.delay(run.pk))
    messages.success(request, _("Sync #%(id)d is queued; this page shows its counts when it ends.") % {"id": run.pk})
    return redirect("govdata:run_detail", run_id=run.pk)


@office_required
def enterprise_detail(request, uscc: str):
    uscc = normalize_uscc(uscc)
    history = list(selectors.registry_history(uscc=uscc))
    events = list(selectors.credit_events_for(uscc=uscc, include_history=True))
    ratings = list(selectors.credit_ratings_for(uscc=uscc, include_history=True))
    enterprise = selectors.linked_enterprise(uscc=uscc)
    if not history and not events and not ratings and enterprise is None:
        raise Http404
    return render(request, "govdata/enterprise_detail.html", {
        "uscc": uscc, "registry": next((r for r in history if r.is_current), None), "history": history,
        "events": events, "ratings": ratings, "badge": selectors.credit_badge_for(uscc), "linked": enterprise,
    })


@office_required
def template_download(request, kind: str):
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Http404
    response = HttpResponse(template_workbook(importer()),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="govdata-{kind}.xlsx"'
    return response

