"""The platform administrators' page of government data, on the public host under /platform/govdata/
(config/urls_public.py): how the data arrives — the data-exchange centre's API (GOVDATA_API_URL), the
exchange folder and the files waiting in it, the nightly sync — the last sync runs, and "sync now".
The office's page (views.py) keeps only what the office needs: the search, the flags, a file import.

Who: platform administrators only (``User.is_platform_admin``), as the billing admin pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.govdata import selectors, services
from api.govdata.connector import connector_from_settings
from api.govdata.forms import SyncForm
from api.govdata.models import Channel
from api.govdata.tasks import sync_run_execute
from billing.views_admin import platform_admin_required


@platform_admin_required
def dashboard(request):
    runs = Paginator(selectors.sync_run_list(), 25).get_page(request.GET.get("page"))
    connector = connector_from_settings()
    return render(request, "govdata/platform.html", {
        "runs": runs, "sync_form": SyncForm(), "api_url": connector.base_url if connector else "",
        "exchange_dir": services.exchange_dir(), "waiting_files": services.inbox_files(),
        "schedule": getattr(settings, "CELERY_BEAT_SCHEDULE", {}).get("govdata-nightly-sync"),
    })


@platform_admin_required
@require_POST
def sync_now(request):
    form = SyncForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to sync."))
        return redirect("govdata_platform:dashboard")
    run = services.sync_run_queue(kind=form.cleaned_data["kind"], channel=Channel.API, user=request.user)
    transaction.on_commit(lambda: sync_run_execute.delay(run.pk))
    messages.success(request, _("Sync #%(id)d is queued; this page shows its counts when it ends.") % {"id": run.pk})
    return redirect("govdata:run_detail", run_id=run.pk)
