"""Pages of tracking: the exception tasks (open first; a clerk resolves one with a note), the received
pushes (managers; filter by outcome, Excel export), a parcel's track, the own-truck driver's phone page,
and the aggregator's push callback (no log-in: the callback token names the subscription, the signature
proves the sender)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from core.throttle import client_ip, throttle_hit
from logistics.tracking import selectors, services, tasks
from logistics.tracking.forms import DriverEventForm, ResolveForm
from logistics.tracking.models import ExceptionTask, PushLog
from tenants.models import Role

MAX_PUSH_BODY = 1024 * 1024  # a whole track is at most ~100 KB
PUSH_RATE_LIMIT = 6000  # pushes per address and minute (the aggregator pushes from a few addresses)


def _found(obj):
    if obj is None:
        raise Http404
    return obj


# ---- exception tasks ----------------------------------------------------------------------------


def _parcel_link(parcel) -> str:
    return f"/logistics/tracking/parcels/{parcel.pk}/"


@role_required(Role.VIEWER)
def task_list(request):
    table = Table(
        request, selectors.exception_task_list(), export_name="exception-tasks",
        columns=[
            Column("opened_at", gettext_lazy("Opened at")),
            Column("parcel", gettext_lazy("Parcel"), link=lambda t: _parcel_link(t.parcel)),
            Column("parcel.shipment.number", gettext_lazy("Shipment")),
            Column("kind", gettext_lazy("Kind")),
            Column("detail", gettext_lazy("Detail")),
            Column("resolved_at", gettext_lazy("Resolved at")),
            Column("resolution", gettext_lazy("Resolution")),
        ],
        search_fields=["parcel__waybill_number", "parcel__shipment__number", "detail"],
        filters=[Filter("kind", gettext_lazy("Kind"), ExceptionTask.Kind.choices),
                 Filter("resolved_at__isnull", gettext_lazy("Open"),
                        [("true", gettext_lazy("open")), ("false", gettext_lazy("resolved"))])],
    )
    if table.wants_export:
        return table.export_response()
    open_tasks = [row.obj for row in table.rows if row.obj.resolved_at is None]
    return render(request, "tracking/task_list.html", {
        "table": table, "open_tasks": open_tasks, "resolve_form": ResolveForm(),
        "can_resolve": request.membership.has_role(Role.CLERK),
        "can_see_pushes": request.membership.has_role(Role.MANAGER), "open_count": selectors.open_exception_count()})


@require_POST
@role_required(Role.CLERK)
def task_resolve(request, task_id: int):
    task = _found(selectors.exception_task_get(task_id=task_id))
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.exception_task_resolve(task=task, resolution=form.cleaned_data["resolution"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The task is resolved."))
            return redirect("/logistics/tracking/")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("/logistics/tracking/")


# ---- received pushes ----------------------------------------------------------------------------


@role_required(Role.MANAGER)
def push_list(request):
    table = Table(
        request, selectors.push_log_list(), export_name="pushes",
        columns=[
            Column("received_at", gettext_lazy("Received at")),
            Column("outcome", gettext_lazy("Outcome")),
            Column("waybill_number", gettext_lazy("Waybill number"),
                   link=lambda p: _parcel_link(p.subscription.parcel) if p.subscription_id else None),
            Column("new_events", gettext_lazy("New events"), numeric=True),
            Column("remote_addr", gettext_lazy("From")),
            Column("detail", gettext_lazy("Detail")),
        ],
        search_fields=["waybill_number", "remote_addr", "detail"],
        filters=[Filter("outcome", gettext_lazy("Outcome"), PushLog.Outcome.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "tracking/push_list.html", {"table": table})


# ---- a parcel's track ---------------------------------------------------------------------------


@role_required(Role.VIEWER)
def parcel_track(request, parcel_id: int):
    parcel = _found(selectors.parcel_get(parcel_id=parcel_id))
    return render(request, "tracking/parcel_track.html", {
        "parcel": parcel, "events": selectors.parcel_events(parcel=parcel),
        "subscription": getattr(parcel, "subscription", None),
        "tasks": parcel.exception_tasks.order_by("-opened_at")})


# ---- the driver's page --------------------------------------------------------------------------


@role_required(Role.CLERK)
def driver(request):
    form = DriverEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.driver_event_add(parcel=data["parcel"], status=data["status"], note=data["note"],
                                      location=data["location"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved: %(parcel)s.") % {"parcel": form.fields["parcel"].label_from_instance(
                data["parcel"])})
            return redirect("/logistics/tracking/driver/")
    return render(request, "tracking/driver.html", {"form": form}, status=400 if form.errors else 200)


# ---- the aggregator's push callback -------------------------------------------------------------


def _reply(body: dict, status: int, **headers) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def push_callback(request, token: str):
    """POST param + sign (form-encoded as the aggregator sends them, or a JSON body with the same keys);
    answers the aggregator's JSON, never a page. TRACKING_PUSH_MODE "sync" (default) merges the push here;
    "worker" checks the signature, queues the raw push, answers 成功 and lets the worker merge in batches."""
    if request.method != "POST":
        return _reply({"result": False, "returnCode": "405", "message": "POST only"}, 405, Allow="POST")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PUSH_BODY:
        return _reply({"result": False, "returnCode": "400", "message": "body too large"}, 413)
    address = client_ip(request) or ""
    if not throttle_hit(scope="logistics-push", key=address, limit=PUSH_RATE_LIMIT, window=timedelta(minutes=1)):
        return _reply({"result": False, "returnCode": "500", "message": "too many requests"}, 429, **{"Retry-After": "60"})
    param = sign = None
    try:
        if (request.content_type or "").lower() == "application/json":
            data = json.loads(request.body or b"null")
            if isinstance(data, dict):
                param, sign = data.get("param"), data.get("sign")
        else:
            param, sign = request.POST.get("param"), request.POST.get("sign")
    except (ValueError, RequestDataTooBig, UnicodeDecodeError):
        param = sign = None  # logged as malformed by the service (when the token is known)
    if services.push_mode() == "worker":  # checked and queued now, merged by the worker in batches
        reply = services.push_enqueue(callback_token=token[:200], param=param, sign=sign, remote_addr=address)
        if reply.outcome == PushLog.Outcome.PENDING:
            transaction.on_commit(tasks.pushes_ingest_soon, robust=True)
    else:
        reply = services.push_receive(callback_token=token[:200], param=param, sign=sign, remote_addr=address)
    return _reply(reply.body, reply.http_status)
