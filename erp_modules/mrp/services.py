"""Writes of MRP: requesting and executing a run, converting planned orders, the master schedule.

A run is a core.jobs background job. Runs never overlap, per enterprise, by two locks of different jobs:
- a unique partial index (`mrprun_one_active`: at most one row queued or running in the schema)
  makes a second request fail at the database, whatever the timing — the hard guarantee;
- the worker holds a PostgreSQL session advisory lock (keyed by the schema) while it computes.
  The database drops it when the worker's connection dies, so a "running" row whose lock is
  free belongs to a dead worker: the next request marks it failed instead of waiting forever
  (a stale-row check by time alone would either block too long or cut a slow run short).

A run is computed outside any transaction and written in one transaction at the end: the run row
is set "done" first (which locks it), then its planned orders, exceptions and item plans are
streamed in with COPY. If anything fails, that transaction rolls back and the run is marked
failed: the previous run's results stay the ones shown.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import pandas as pd
from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from core.jobs import job_execute, job_request
from erp_modules.catalog.models import Item
from erp_modules.mrp import engine, selectors
from erp_modules.mrp.error_codes import MrpErrorCode as Code
from erp_modules.mrp.models import MasterScheduleEntry, MrpException, MrpItemPlan, MrpRun, PlannedOrder
from erp_modules.production.services import work_order_create
from erp_modules.purchasing.services import purchase_order_create

log = logging.getLogger(__name__)



def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    return field_error(field, message, code) if field else ValidationError(message, code=str(code))


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


# ---- request and execute (the job skeleton is core.jobs) ---------------------------------------


def mrp_run_request(*, user=None, bucket: str = MrpRun.Bucket.WEEK) -> MrpRun:
    """Queue a run for the current enterprise (the Celery task is sent when this commits).
    Refused with code run_in_progress while another run is queued or running."""
    if bucket not in MrpRun.Bucket.values:
        raise _error(_("Choose weeks or days as time buckets."), Code.BUCKET, "bucket")
    def busy(active: MrpRun | None) -> ValidationError:
        if active is None:  # another request won the race (mrprun_one_active)
            return _error(_("Another MRP run has just started; wait for it to finish."), Code.RUN_IN_PROGRESS)
        return _error(_("MRP run #%(n)d is already %(status)s; wait for it to finish.")
                      % {"n": active.pk, "status": active.get_status_display()}, Code.RUN_IN_PROGRESS)

    return job_request(MrpRun, user=user, enqueue=mrp_run_task.delay, busy_error=busy,
                       bucket=bucket, parameters={"bucket": bucket})


def mrp_run_execute(*, run_id: int) -> MrpRun | None:
    """Compute a queued run (what the Celery task does). Idempotent: a run that is already done
    or failed, or that another worker is computing, is left alone."""
    return job_execute(MrpRun, job_id=run_id, work=_run_compute)


@shared_task(name="mrp.run")
def mrp_run_task(run_id: int) -> str | None:
    """One MRP run of the enterprise whose schema the task was queued in (tenant-schemas-celery)."""
    run = mrp_run_execute(run_id=run_id)
    return run.status if run else None


def _run_compute(run: MrpRun, publish) -> None:
    """Read, compute, then write the results in one transaction that first marks the run done; if
    anything fails it rolls back (core.jobs marks the run failed) and the last results stay."""
    started = time.perf_counter()
    publish(1, "reading")
    today = timezone.localdate()
    inputs = selectors.mrp_inputs_read(today=today)
    read_s = time.perf_counter() - started
    publish(5, "computing")
    result = engine.mrp_compute(inputs, today=today, bucket=run.bucket,
                                progress=lambda pct, stage: publish(5 + pct * 80 // 100, stage))
    compute_s = time.perf_counter() - started - read_s
    publish(85, "writing")
    with transaction.atomic():
        # lock the run row first: it cannot disappear before the results are committed
        if MrpRun.objects.filter(pk=run.pk).update(status=MrpRun.Status.DONE, stage="writing") != 1:
            raise RuntimeError("the run was deleted while it computed")
        _write_results(run_id=run.pk, result=result)
        write_s = time.perf_counter() - started - read_s - compute_s
        stats = {**result.stats, "read_s": round(read_s, 3), "compute_s": round(compute_s, 3),
                 "write_s": round(write_s, 3), "cycles": result.cycles}
        MrpRun.objects.filter(pk=run.pk).update(
            progress=100, stage="done", plan_date=today,
            bucket_starts=[d.isoformat() for d in result.bucket_starts], stats=stats,
            planned_count=len(result.planned), exception_count=len(result.exceptions),
            finished_at=timezone.now(), error="")


_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
COPY_CHUNK = 4_000


def _copy(model, columns: list[tuple[str, object, list]]) -> int:
    """Bulk insert with PostgreSQL COPY (text format) in the caller's transaction. `columns`:
    (field name, formatter, values) — a formatter (the _col_* helpers) turns a slice of values into
    COPY text. Rows are formatted and sent chunk by chunk, so the server stores one chunk while
    the next is formatted. Used instead of bulk_create for a run's results: Django 5.2's
    bulk_create quotes its UNNEST arrays in Python (about 0.6 ms per planned order here, 40 s for
    a 70,000-order plan); COPY takes about a second for the same rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c, _f, _v in columns)
    total = len(columns[0][2]) if columns else 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for start in range(0, total, COPY_CHUNK):
                parts = [fmt(values[start:start + COPY_CHUNK]) for _c, fmt, values in columns]
                copy.write("\n".join("\t".join(row) for row in zip(*parts)) + "\n")
    return total


def _col_text(values) -> list[str]:
    """Text for COPY: backslash, tab, newline and carriage return escaped (checked once per column:
    generated texts rarely contain any, so most columns pass through untouched)."""
    values = [str(v) for v in values]
    joined = "".join(values)
    if "\\" not in joined and "\t" not in joined and "\n" not in joined and "\r" not in joined:
        return values
    return [v.translate(_ESCAPE) for v in values]


def _col_int(values) -> list[str]:
    return [NULL if v is None or v is pd.NA or v != v else str(int(v)) for v in values]


def _col_num(values) -> list[str]:
    return [NULL if v is None or v != v else repr(round(float(v), 4)) for v in values]


def _col_date(values) -> list[str]:
    return [NULL if v is None or v != v else v.isoformat() for v in values]


def _col_bool(values) -> list[str]:
    return ["t" if v else "f" for v in values]


def _col_same(value: str):
    return lambda values: [value] * len(values)


def _col_plain(values) -> list[str]:
    return values


def _write_results(*, run_id: int, result: engine.MrpResult) -> None:
    p = result.planned
    run = _col_same(str(run_id))
    _copy(PlannedOrder, [
        ("run", run, p["key"].tolist()), ("key", _col_int, p["key"].tolist()),
        ("item", _col_int, p["item_id"].tolist()), ("order_type", _col_plain, p["order_type"].tolist()),
        ("quantity", _col_num, p["quantity"].tolist()), ("net_quantity", _col_num, p["net_quantity"].tolist()),
        ("release_date", _col_date, p["release_date"].tolist()), ("due_date", _col_date, p["due_date"].tolist()),
        ("level", _col_int, p["level"].tolist()),
        ("lead_time_days", _col_int, p["lead_time_days"].clip(lower=0).tolist()),
        ("supplier", _col_int, p["supplier_id"].tolist()), ("bom", _col_int, p["bom_id"].tolist()),
        ("parent_key", _col_int, p["parent_key"].tolist()), ("reason_zh", _col_text, p["reason_zh"].tolist()),
        ("reason_en", _col_text, p["reason_en"].tolist()), ("is_late", _col_bool, p["is_late"].tolist()),
        ("missing_bom", _col_bool, p["missing_bom"].tolist()),
        ("missing_lead_time", _col_bool, p["missing_lead_time"].tolist()),
        ("pegging", _col_text, p["pegging"].tolist()), ("converted_ref", _col_same(""), p["key"].tolist())])
    e = result.exceptions
    _copy(MrpException, [
        ("run", run, e["kind"].tolist()), ("item", _col_int, e["item_id"].tolist()),
        ("kind", _col_plain, e["kind"].tolist()), ("reference", _col_text, e["ref"].fillna("").tolist()),
        ("quantity", _col_num, e["quantity"].tolist()), ("date", _col_date, e["date"].tolist()),
        ("message_zh", _col_text, e["message_zh"].tolist()), ("message_en", _col_text, e["message_en"].tolist())])
    plans = result.plans
    series = [json.dumps({"gross": g.tolist(), "receipts": r.tolist(), "planned": q.tolist(), "projected": j.tolist()})
              for g, r, q, j in zip(plans["gross"], plans["receipts"], plans["planned"], plans["projected"])]
    _copy(MrpItemPlan, [
        ("run", run, series), ("item", _col_int, plans["item_id"].tolist()),
        ("level", _col_int, plans["level"].tolist()),
        ("on_hand", _col_num, plans["on_hand"].tolist()), ("safety_stock", _col_num, plans["safety_stock"].tolist()),
        ("series", _col_text, series)])


# ---- conversion into real orders ---------------------------------------------------------------


@transaction.atomic
def planned_orders_convert(*, run: MrpRun, order_ids: list[int], user=None) -> dict:
    """Turn selected planned orders of the latest run into draft purchase orders (one per supplier,
    a line per planned order, expected on its due date) and draft work orders (one per planned
    order, with the BOM version the plan exploded, from release to due date). All or nothing:
    any problem is reported (every one, by item) and nothing is created."""
    latest = selectors.run_latest_done()
    if latest is None or latest.pk != run.pk:
        raise _error(_("Only the planned orders of the latest finished run can be converted."),
                     Code.NOT_LATEST_RUN)
    orders = list(PlannedOrder.objects.select_for_update(of=("self",)).filter(run=run, pk__in=order_ids)
                  .select_related("item", "supplier", "bom").order_by("due_date", "key"))
    if not orders:
        raise _error(_("Select at least one planned order."), Code.NOTHING_SELECTED)
    problems: list[ValidationError] = []
    for order in orders:
        where = f"{order.item.code} ({order.due_date.isoformat()})"
        if order.converted_ref:
            problems.append(_error(_("%(order)s was already converted into %(ref)s.")
                                   % {"order": where, "ref": order.converted_ref}, Code.ALREADY_CONVERTED))
        elif order.order_type == PlannedOrder.Type.BUY and order.supplier_id is None:
            problems.append(_error(_("%(order)s has no supplier: add the item to a supplier's purchase price list.")
                                   % {"order": where}, Code.NO_SUPPLIER))
        elif order.order_type == PlannedOrder.Type.MAKE and order.bom_id is None:
            problems.append(_error(_("%(order)s has no bill of materials to make it with.") % {"order": where},
                                   Code.NO_BOM))
    if problems:
        raise ValidationError(problems)
    note = _("From MRP run #%(n)d") % {"n": run.pk}
    now = timezone.now()
    created_pos, created_wos = [], []
    by_supplier: dict[int, list[PlannedOrder]] = defaultdict(list)
    for order in orders:
        if order.order_type == PlannedOrder.Type.BUY:
            by_supplier[order.supplier_id].append(order)
    for group in by_supplier.values():
        po = purchase_order_create(
            supplier=group[0].supplier, expected_date=min(o.due_date for o in group), note=note, user=user,
            lines=[{"item": o.item, "quantity": o.quantity, "expected_date": o.due_date} for o in group])
        created_pos.append(po)
        for o in group:
            o.converted_ref, o.converted_at = po.number, now
    for order in orders:
        if order.order_type == PlannedOrder.Type.MAKE:
            wo = work_order_create(item=order.item, quantity=order.quantity, bom=order.bom,
                                   planned_start=order.release_date, planned_end=order.due_date, note=note, user=user)
            created_wos.append(wo)
            order.converted_ref, order.converted_at = wo.number, now
    PlannedOrder.objects.bulk_update(orders, ["converted_ref", "converted_at"])
    return {"purchase_orders": created_pos, "work_orders": created_wos}


# ---- master schedule ---------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def master_schedule_set(*, item: Item | None, week: date | None, quantity, note: str = "",
                        user=None) -> MasterScheduleEntry | None:
    """Set the planned quantity of an item for the week containing `week` (0 removes it)."""
    if item is None:
        raise _error(_("Choose an item."), Code.ITEM, "item")
    if item.item_type == Item.Type.SERVICE:
        raise _error(_("Services are not planned."), Code.ITEM, "item")
    if week is None:
        raise _error(_("Give the week (any day of it)."), Code.WEEK, "week")
    try:
        quantity = Decimal(str(quantity).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _error(_("Give a quantity of zero or more."), Code.QUANTITY, "quantity")
    if not quantity.is_finite() or quantity < 0:
        raise _error(_("Give a quantity of zero or more."), Code.QUANTITY, "quantity")
    monday = _monday(week)
    if quantity == 0:
        MasterScheduleEntry.objects.filter(item=item, week_start=monday).delete()
        return None
    entry, _created = MasterScheduleEntry.objects.select_for_update().get_or_create(
        item=item, week_start=monday, defaults={"quantity": quantity})
    entry.quantity, entry.note, entry.updated_by = quantity, (note or "").strip()[:200], _user(user)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def master_schedule_delete(*, entry: MasterScheduleEntry) -> None:
    entry.delete()
