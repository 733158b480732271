"""Office pages of government data (public host): search by credit code or name, the flagged enterprises,
one enterprise's records, a file import and its report. The connector's settings, the exchange folder and
the sync runs are on the platform administrators' page (views_platform.py, /platform/govdata/).
Thin: parse input, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api.govdata import selectors, services
from api.govdata.forms import UploadForm
from api.govdata.importers import IMPORTERS
from core.imports import template_workbook
from core.uscc import normalize_uscc
from office.permissions import office_required


@office_required
def dashboard(request):
    """The office's page: search by credit code or name, the flagged enterprises, a file to import.
    How the data arrives (the centre's API, the exchange folder, the nightly sync) is the platform
    administrators' page (views_platform.py)."""
    query = request.GET.get("q", "").strip()
    hits = None
    if query:
        hits = Paginator(selectors.enterprise_search_codes(query=query), 25).get_page(request.GET.get("page"))
        hits.object_list = selectors.enterprise_search_hits(hits.object_list)
    return render(request, "govdata/dashboard.html", {
        "query": query, "hits": hits, "flags": selectors.office_flags(), "upload_form": UploadForm(),
        "kinds": [(k, IMPORTERS[k].title) for k in IMPORTERS],
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

