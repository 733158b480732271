"""Writes of government data: apply a validated batch (new version on change), import a file drop,
pull from the centre's HTTP API, the nightly sync, and the sync runs that record each of them.

A batch is all-or-nothing: every row is cleaned and validated first (core.imports); if any row is
bad, the run is `rejected` with a report naming each bad row and column, and nothing is written.
Otherwise the whole batch is applied in one transaction, serialised per kind of record by an
advisory lock, and the run records how many records were new, changed and unchanged.

Nothing is lost without a word: a row that repeats an earlier row of the batch in every cell is
written once and noted in the run's report (`SyncRun.notes`); two rows of the same record (same key)
that differ reject the batch, naming both rows; and every column (API field) the import does not use
is listed in the notes (its values stay in each record's `raw` payload).

Once a batch is committed, the boards' credit flag of the platform enterprises whose credit codes
it added or changed is brought in step (`ecommerce.services.credit.boards_credit_refresh`, on commit: a batch
that is rejected or fails changes nothing there); the nightly sync does it for every enterprise at its end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.govdata.connector import ConnectorError, GovApiConnector, connector_from_settings
from api.govdata.importers import IMPORTERS, GovImporter, detect_kind, header_mapping
from api.govdata.models import Channel, SyncRun
from core.errors import job_error_text
from core.imports import ImportError_, import_validate, read_table
from ecommerce.services import boards_credit_refresh

logger = logging.getLogger(__name__)

CHUNK = 2000
ADVISORY_LOCK_BASE = 0x60D_0000  # + index of the kind: one lock per kind of record
KIND_ORDER = [SyncRun.Kind.REGISTRY, SyncRun.Kind.CREDIT_EVENTS, SyncRun.Kind.CREDIT_RATINGS]
FILE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    usccs: set[str] = field(default_factory=set, compare=False, repr=False)  # codes of new or changed records


# ---- hashing and applying ----------------------------------------------------------------------


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def content_hash(facts: dict) -> str:
    text = json.dumps({k: _plain(v) for k, v in facts.items()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _facts_of(record, names) -> dict:
    return {name: getattr(record, name) for name in names}


def _json_safe(raw: dict) -> dict:
    return {str(k): (_plain(v) if not isinstance(v, (str, int, float, bool, type(None), dict, list)) else v)
            for k, v in raw.items()}


def _fact_names(model) -> list[str]:
    base = {"id", "key", "version", "is_current", "superseded_at", "content_hash", "uscc", "channel",
            "source_record_id", "fetched_at", "raw", "sync_run", "created_at"}
    return [f.name for f in model._meta.concrete_fields if f.name not in base]


def records_apply(*, importer: GovImporter, rows: list[dict], channel: str, run: SyncRun | None,
                  fetched_at=None) -> Counts:
    """Write validated rows: a new key → version 1; different facts → the current version is closed
    and version n+1 written; the same facts → nothing. Call inside a transaction."""
    model = importer.model
    names = _fact_names(model)
    now = timezone.now()
    fetched_at = fetched_at or now
    counts = Counts()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        current = {r.key: r for r in model.objects.select_for_update().filter(
            key__in=[row["key"] for row in chunk], is_current=True)}
        closing: list[int] = []
        creating = []
        for row in chunk:
            previous = current.get(row["key"])
            facts = dict(row["facts"])
            if previous is not None:
                # a fact the source did not carry keeps its earlier value
                facts = {**_facts_of(previous, names), **facts}
            record = model(key=row["key"], is_current=True, uscc=row["uscc"], channel=channel,
                           source_record_id=row.get("source_record_id", ""), fetched_at=fetched_at,
                           raw=_json_safe(row.get("raw") or {}), sync_run=run, **facts)
            record.content_hash = content_hash(_facts_of(record, names))  # every fact, defaults included
            if previous is not None and previous.content_hash == record.content_hash:
                counts.unchanged += 1
                continue
            counts.usccs.add(record.uscc)
            if previous is None:
                counts.new += 1
                record.version = 1
            else:
                counts.changed += 1
                record.version = previous.version + 1
                closing.append(previous.pk)
            creating.append(record)
        if closing:
            model.objects.filter(pk__in=closing).update(is_current=False, superseded_at=now)
        for record in creating:
            record.full_clean(exclude=["sync_run", "raw", "former_names"], validate_unique=False,
                              validate_constraints=False)
        model.objects.bulk_create(creating, batch_size=500)
    return counts


def _boards_credit_on_commit(usccs: set[str]) -> None:
    """Once the batch is committed, set the boards' credit flag of the platform enterprises it touched.
    `robust`: a failure there is logged and never undoes or fails the government data (the nightly
    refresh catches up)."""
    if not usccs:
        return
    codes = set(usccs)

    def refresh():
        boards_credit_refresh(usccs=codes)

    transaction.on_commit(refresh, robust=True)


def boards_credit_refresh_all() -> int | None:
    """Every enterprise's boards credit flag from the government data (the end of the nightly sync).
    A failure is logged, not raised: the government data of the night is already written."""
    try:
        return boards_credit_refresh()
    except Exception:
        logger.exception("govdata: refreshing the boards' credit flags failed")
        return None


def _lock(kind: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_BASE + KIND_ORDER.index(kind)])


# ---- runs --------------------------------------------------------------------------------------


def sync_run_queue(*, kind: str, channel: str, user=None, parent: SyncRun | None = None, filename: str = "",
                   source_url: str = "") -> SyncRun:
    return SyncRun.objects.create(kind=kind, channel=channel, triggered_by=user if getattr(user, "pk", None) else None,
                                  parent=parent, filename=filename[:255], source_url=source_url[:500])


def _run_start(run: SyncRun) -> None:
    run.status = SyncRun.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])


def _run_finish(run: SyncRun, *, status: str, counts: Counts | None = None, errors: list[dict] | None = None,
                rejected: int = 0, rows_total: int = 0, message: str = "", notes: list[dict] | None = None) -> SyncRun:
    run.status = status
    run.finished_at = timezone.now()
    counts = counts or Counts()
    run.new_count, run.changed_count, run.unchanged_count = counts.new, counts.changed, counts.unchanged
    run.rejected_count = rejected
    run.rows_total = rows_total
    run.errors = (errors or [])[:1000]
    run.notes = (notes or [])[:1000]
    run.message = message[:2000]
    run.save()
    return run


@dataclass
class Checked:
    """A validated batch: the rows to apply, the errors (nothing is written if there is one), the notes."""

    importer: GovImporter
    rows: list[dict]
    errors: list[ImportError_]
    notes: list[ImportError_]
    total: int


def _numbering(*, from_api: bool):
    """How the report names a row: spreadsheet rows for a file (the header is row 1), records for the API."""
    if from_api:  # row 1 (the header) is no record: a problem of every record, reported as row 0
        return (lambda row: max(row - 1, 0)), (lambda n: _("record %(n)d") % {"n": n})
    return (lambda row: row), (lambda n: _("row %(n)d") % {"n": n})


def _cells(raw: dict) -> dict:
    """A row's cells as the source wrote them, in its order (surrounding spaces and empty cells ignored),
    each value as JSON text so that any two can be compared."""
    clean = {str(k).strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
    return {k: json.dumps(v, ensure_ascii=False, default=str) for k, v in clean.items() if v not in ("", None)}


def batch_repeats_collapse(rows: list[dict], *, from_api: bool = False
                           ) -> tuple[list[dict], list[ImportError_], list[ImportError_]]:
    """One row per record (key) in a batch: (rows kept, notes, errors). A row that repeats an earlier row in
    every cell (`raw`, as the source wrote it) is left out with a note naming both rows; the same record
    with any different value is an error naming both rows — which of the two is right is not ours to guess."""
    number, name = _numbering(from_api=from_api)
    first: dict[str, dict] = {}
    kept: list[dict] = []
    notes: list[ImportError_] = []
    errors: list[ImportError_] = []
    for row in rows:
        earlier = first.get(row["key"])
        if earlier is None:
            first[row["key"]] = row
            kept.append(row)
            continue
        column = "uniscid" if row["key"] == row["uscc"] or not row["key"].startswith("id:") else "recid"
        if _cells(earlier["raw"]) == _cells(row["raw"]):
            notes.append(ImportError_(row["_row"], "", _("The same as %(other)s in every cell: written once.")
                                      % {"other": name(number(earlier["_row"]))}))
            continue
        ours, theirs = _cells(row["raw"]), _cells(earlier["raw"])
        differ = [k for k in dict.fromkeys([*theirs, *ours]) if ours.get(k) != theirs.get(k)]
        errors.append(ImportError_(row["_row"], column, _(
            "The same record as %(other)s, with different values (%(columns)s): correct or remove one of the two.")
            % {"other": name(number(earlier["_row"])), "columns": ", ".join(differ)}))
    return kept, notes, errors


def unused_columns_notes(frame: pd.DataFrame, mapping: dict[str, str]) -> list[ImportError_]:
    """A note for every column of the source that the import does not use (a column with no header and
    no value, as spreadsheets leave at the right, is not a column)."""
    notes = []
    for position, header in enumerate(frame.columns, start=1):
        if header in mapping:
            continue
        unnamed = str(header).startswith("Unnamed: ")
        if unnamed and not any(str(v).strip() for v in frame[header].tolist()):
            continue
        label = _("column %(n)d, without a header") % {"n": position} if unnamed else str(header)
        notes.append(ImportError_(1, label, _(  # the header row (record numbers: 0, the whole pull)
            "Not used by this import: its values are kept only in each record's raw data, not in the registry "
            "or credit fields.")))
    return notes


def _validate_frame(frame: pd.DataFrame, kind: str, *, raws: list[dict] | None = None,
                    from_api: bool = False) -> Checked:
    originals = raws if raws is not None else frame.to_dict("records")  # as the source wrote them
    total = int((frame.astype(str).apply(lambda column: column.str.strip()) != "").any(axis=1).sum())
    mapping = header_mapping(frame, IMPORTERS[kind]())
    notes = unused_columns_notes(frame, mapping)
    frame = frame.rename(columns=mapping)
    importer = IMPORTERS[kind](present={c for c in frame.columns})
    rows, errors = import_validate(importer, frame)
    for row in rows:
        original = originals[row["_row"] - 2]
        row["raw"] = original if raws is not None else {k: v for k, v in original.items() if v not in ("", None)}
    rows, repeats, conflicts = batch_repeats_collapse(rows, from_api=from_api)
    errors = sorted(errors + conflicts, key=lambda e: (e.row, e.column))
    number, _name = _numbering(from_api=from_api)
    notes += repeats
    notes = [ImportError_(number(n.row), n.column, n.message) for n in notes]
    errors = [ImportError_(number(e.row), e.column, e.message) for e in errors]
    return Checked(importer=importer, rows=rows, errors=errors, notes=notes, total=total)


def _apply(run: SyncRun, *, checked: Checked, channel: str, fetched_at=None, from_api: bool = False) -> SyncRun:
    total, notes = checked.total, [n.as_dict() for n in checked.notes]
    if checked.errors:
        first_row = 0 if from_api else 1  # errors of the whole file (a missing column) are on the header row
        bad_rows = len({e.row for e in checked.errors if e.row > first_row}) or total
        report = [e.as_dict() for e in checked.errors]
        return _run_finish(run, status=SyncRun.Status.REJECTED, errors=report, rejected=bad_rows, rows_total=total,
                           notes=notes,
                           message=(_("%(n)d of %(total)d records have errors; nothing was written.") if from_api
                                    else _("%(n)d of %(total)d rows have errors; nothing was written."))
                           % {"n": bad_rows, "total": total})
    try:
        with transaction.atomic():
            _lock(checked.importer.kind)
            counts = records_apply(importer=checked.importer, rows=checked.rows, channel=channel, run=run,
                                   fetched_at=fetched_at)
            if run.parent_id is None:  # parts of the nightly sync: it sets every enterprise's card at its end
                _boards_credit_on_commit(counts.usccs)
    except Exception as exc:  # a database error: nothing of the batch is written
        logger.exception("govdata: applying run %s failed", run.pk)
        return _run_finish(run, status=SyncRun.Status.FAILED, rows_total=total, notes=notes,
                           errors=[{"row": 0, "column": "", "message": job_error_text(exc)}],
                           message=_("The batch could not be written: %(error)s") % {"error": job_error_text(exc)})
    return _run_finish(run, status=SyncRun.Status.SUCCEEDED, counts=counts, rows_total=total, notes=notes)


def file_import(*, content: bytes, filename: str, kind: str | None = None, user=None,
                run: SyncRun | None = None, parent: SyncRun | None = None) -> SyncRun:
    """Import one CSV/XLSX export of the centre (registry, credit events or ratings; detected from the
    headers unless `kind` is given). Returns the finished run."""
    try:
        frame = read_table(content, filename)
    except Exception as exc:  # unreadable file
        run = run or sync_run_queue(kind=kind or SyncRun.Kind.REGISTRY, channel=Channel.FILE, user=user,
                                    parent=parent, filename=filename)
        _run_start(run)
        return _run_finish(run, status=SyncRun.Status.REJECTED, message=str(exc)[:500],
                           errors=[{"row": 0, "column": "", "message": _("The file cannot be read: %(e)s")
                                    % {"e": str(exc)[:300]}}])
    kind = kind or detect_kind(frame)
    if run is None:
        run = sync_run_queue(kind=kind, channel=Channel.FILE, user=user, parent=parent, filename=filename)
    elif run.kind != kind:
        run.kind = kind
        run.save(update_fields=["kind"])
    run.file_sha256 = hashlib.sha256(content).hexdigest()
    run.filename = run.filename or filename[:255]
    run.save(update_fields=["file_sha256", "filename"])
    _run_start(run)
    return _apply(run, checked=_validate_frame(frame, kind), channel=Channel.FILE)


def _frame_from_records(records: list[dict]) -> pd.DataFrame:
    def as_text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (list, tuple)):
            return ";".join(str(v) for v in value)
        return str(value)

    return pd.DataFrame([{str(k): as_text(v) for k, v in record.items()} for record in records]).fillna("")


def api_sync(*, kind: str, connector: GovApiConnector | None = None, user=None, run: SyncRun | None = None,
             parent: SyncRun | None = None) -> SyncRun:
    """Pull every page of one kind of record from the centre's API, validate all, apply all or nothing."""
    connector = connector or connector_from_settings()
    if run is None:
        run = sync_run_queue(kind=kind, channel=Channel.API, user=user, parent=parent,
                             source_url=connector.endpoint_url(kind) if connector else "")
    _run_start(run)
    if connector is None:
        return _run_finish(run, status=SyncRun.Status.FAILED, message=_("No API address is configured."),
                           errors=[{"row": 0, "column": "", "message": _("GOVDATA_API_URL is not set.")}])
    fetched_at = timezone.now()
    try:
        records = connector.fetch_all(kind)
    except ConnectorError as exc:
        return _run_finish(run, status=SyncRun.Status.FAILED, message=str(exc),
                           errors=[{"row": 0, "column": "", "message": str(exc)}])
    if not records:
        return _run_finish(run, status=SyncRun.Status.SUCCEEDED)
    frame = _frame_from_records(records)
    # each record kept exactly as the API sent it; the report counts records, not spreadsheet rows
    checked = _validate_frame(frame, kind, raws=records, from_api=True)
    return _apply(run, checked=checked, channel=Channel.API, fetched_at=fetched_at, from_api=True)


# ---- the exchange folder and the nightly sync --------------------------------------------------


def exchange_dir() -> Path:
    return Path(getattr(settings, "GOVDATA_EXCHANGE_DIR", None) or Path(settings.DATA_DIR) / "govdata" / "inbox")


def inbox_files() -> list[Path]:
    folder = exchange_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)


def inbox_import(*, user=None, parent: SyncRun | None = None) -> list[SyncRun]:
    """Import every file in the exchange folder, registry files first; each file goes to
    `done/` or `rejected/` beside the inbox (with its run id in the name) once imported."""
    runs = []
    folder = exchange_dir()
    for path in inbox_files():
        run = file_import(content=path.read_bytes(), filename=path.name, user=user, parent=parent)
        target = folder / ("done" if run.status == SyncRun.Status.SUCCEEDED else "rejected")
        target.mkdir(exist_ok=True)
        shutil.move(str(path), str(target / f"{timezone.localtime():%Y%m%d-%H%M%S}-run{run.pk}-{path.name}"))
        runs.append(run)
    return sorted(runs, key=lambda r: KIND_ORDER.index(r.kind))


def sync_nightly(*, user=None, run: SyncRun | None = None, connector: GovApiConnector | None = None) -> SyncRun:
    """The nightly sync: the files waiting in the exchange folder, then each kind from the API (when
    an API address is configured). The parent run adds up the counts of its parts."""
    run = run or sync_run_queue(kind=SyncRun.Kind.NIGHTLY, channel=Channel.API, user=user)
    _run_start(run)
    parts = inbox_import(user=user, parent=run)
    connector = connector or connector_from_settings()
    if connector is not None:
        for kind in KIND_ORDER:
            parts.append(api_sync(kind=kind, connector=connector, user=user, parent=run))
    counts = Counts(new=sum(p.new_count for p in parts), changed=sum(p.changed_count for p in parts),
                    unchanged=sum(p.unchanged_count for p in parts))
    errors = [{"row": e.get("row", 0), "column": e.get("column", ""),
               "message": f"#{p.pk} {p.filename or p.get_kind_display()}: {e.get('message', '')}"}
              for p in parts if p.status != SyncRun.Status.SUCCEEDED for e in (p.errors or [])[:20]]
    notes = [{"row": n.get("row", 0), "column": n.get("column", ""),
              "message": f"#{p.pk} {p.filename or p.get_kind_display()}: {n.get('message', '')}"}
             for p in parts for n in (p.notes or [])[:20]]
    failed = [p for p in parts if p.status != SyncRun.Status.SUCCEEDED]
    boards_credit_refresh_all()
    message = "" if parts else _("Nothing to do: no file in the exchange folder and no API address configured.")
    if failed:
        message = _("%(n)d of %(total)d parts did not succeed.") % {"n": len(failed), "total": len(parts)}
    return _run_finish(run, status=SyncRun.Status.FAILED if failed else SyncRun.Status.SUCCEEDED, counts=counts,
                       errors=errors, rejected=sum(p.rejected_count for p in parts),
                       rows_total=sum(p.rows_total for p in parts), message=message, notes=notes)


def sync_run_execute(*, run_id: int) -> SyncRun | None:
    """Run a queued run (the office's "sync now" button queues one; the Celery task executes it)."""
    run = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).first()
    if run is None:
        return None
    if run.kind == SyncRun.Kind.NIGHTLY:
        return sync_nightly(user=run.triggered_by, run=run)
    return api_sync(kind=run.kind, user=run.triggered_by, run=run)
