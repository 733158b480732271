"""Writes of tracking: merging events into a parcel, receiving the aggregator's signed pushes (one or a
batch), the driver's updates and the clerk's exception tasks.

Merge protocol (one code path for pushes, polling, the driver and the clerk: ``_merge``)
-------------------------------------------------------------------------------------
1. The parcels concerned are locked (``SELECT … FOR UPDATE`` in id order; a push batch first locks its
   subscriptions, in id order, then the parcels: always that order, so no deadlock).
2. Events are identified by ``fingerprint = sha1(UTC ISO time + context)`` and inserted with
   ``INSERT … ON CONFLICT (parcel, fingerprint) DO NOTHING RETURNING``: the same push twice inserts nothing.
3. For each merge in arrival order (a push, a poll, a driver's note), the parcel's candidate status is the
   status of its newest event with a status, over every event it has (in the database and just sent),
   newest by (time, RANK, fingerprint): a total order, so the answer does not depend on the order the
   events arrived in. The parcel takes it through ``codes.status_advance`` (never a lower RANK, never out
   of delivered/returned); ``status_at`` is that event's time; ``last_event_at`` the newest event's time.
4. A parcel that enters problem/returning/refused gets an open ExceptionTask of that kind (at most one
   open per parcel and kind: a partial unique index, inserted with ON CONFLICT DO NOTHING).
5. The shipments of the parcels whose status changed are refreshed
   (``logistics.shipments.services.shipments_status_refresh``).

``pushes_ingest`` runs steps 1–5 once for a whole batch (one query for the subscriptions, one for the
parcels, one for their newest events, one insert of every event, one update of the parcels, one of the
subscriptions, one insert of the push log) and folds the pushes in memory in arrival order, so its result
is the result of ``push_receive`` called for each push in turn (tested, and checked by bench/tracking.py).

Notification: each new exception task (opened by ``exception_tasks_open``, one INSERT … ON CONFLICT DO NOTHING
RETURNING id) is announced after the commit by ``exception_tasks_notify``: claimed once (``notified_at``), then one
e-mail per member of role clerk and above; in the app, the badge of open tasks on the logistics menu
(templatetags/tracking_tags.py). The platform's in-site notifications (ecommerce.Notification) are the boards'.

Worker hand-off (TRACKING_PUSH_MODE=worker): ``push_enqueue`` checks the push in the request and stores it raw
(a PENDING PushLog); ``pushes_pending_ingest`` (the worker) runs the PENDING rows through ``pushes_ingest`` in
batches, completing each row instead of writing a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import field_error
from logistics.shipments.models import Parcel, ParcelStatus
from logistics.tracking.codes import EXCEPTION_KINDS, RANK, TERMINAL, status_advance, status_from_kuaidi100
from logistics.tracking.error_codes import TrackingErrorCode as Code
from logistics.tracking.models import ExceptionTask, PushLog, Subscription, TrackingEvent

from logistics.shipments.services import shipments_status_refresh
from tenants.models import ROLE_RANK, Membership, Role
from tenants.selectors import enterprise_base_url

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PARAM_CHARS = 512 * 1024  # a whole track of a few hundred nodes is ~100 KB
MAX_NODES = 2000
OK_REPLY = {"result": True, "returnCode": "200", "message": "成功"}
STATUS_VALUES = frozenset(ParcelStatus.values)
Outcome = PushLog.Outcome


# ---- shapes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventIn:
    """One tracking event as a source reports it. ``time`` is aware; ``status`` a ParcelStatus value or ""."""

    time: datetime
    context: str
    status: str = ""
    area_code: str = ""
    area_name: str = ""


@dataclass(frozen=True)
class MergeResult:
    new_events: int  # events that were not stored yet
    status_changed: bool
    status: str = ""  # the parcel's status after the merge


@dataclass(frozen=True)
class PushIn:
    """One push as received: the token of the callback URL, the form fields ``param`` and ``sign``."""

    callback_token: str
    param: object
    sign: object
    remote_addr: str = ""
    log_id: int | None = None  # a PENDING PushLog row (queued by push_enqueue) to complete instead of a new row


@dataclass(frozen=True)
class PushReply:
    outcome: str  # a PushLog.Outcome value
    body: dict  # the JSON the aggregator expects
    http_status: int = 200
    new_events: int = 0
    status_changed: bool = False


@dataclass
class BatchResult:
    replies: list[PushReply] = field(default_factory=list)
    new_events: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.replies if r.outcome == outcome)


# (time, context, status, area_code, area_name, fingerprint)
_Row = tuple


@dataclass
class _Work:
    parcel_id: int
    rows: list[_Row]
    source: str


@dataclass
class _Merged:
    new_events: int
    status_changed: bool
    status: str


def _fingerprint(time: datetime, context: str) -> str:
    return hashlib.sha1((time.astimezone(UTC).isoformat() + context).encode()).hexdigest()


def _row(time: datetime, context: str, status: str, area_code: str, area_name: str) -> _Row:
    context = context.strip()[:500]
    return (time, context, status, area_code.strip()[:12], area_name.strip()[:100], _fingerprint(time, context))


def _dedupe(rows: list[_Row]) -> list[_Row]:
    seen, unique = set(), []
    for row in rows:
        if row[5] not in seen:
            seen.add(row[5])
            unique.append(row)
    return unique


# ---- the merge -----------------------------------------------------------------------------------

_RANK_SQL = "CASE status " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in RANK.items()) + " ELSE 0 END"


def _merge(works: list[_Work]) -> list[_Merged]:
    """Steps 1–5 of the protocol for ``works`` in order (inside the caller's transaction)."""
    if not works:
        return []
    parcel_table = connection.ops.quote_name(Parcel._meta.db_table)
    event_table = connection.ops.quote_name(TrackingEvent._meta.db_table)
    parcel_ids = sorted({w.parcel_id for w in works})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, shipment_id, status, status_at, last_event_at FROM {parcel_table}"
                       " WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [parcel_ids])
        state = {r[0]: {"shipment": r[1], "status": r[2], "status_at": r[3], "last": r[4]} for r in cursor.fetchall()}
        cursor.execute(
            f"SELECT DISTINCT ON (parcel_id) parcel_id, time, status, fingerprint, context FROM {event_table}"
            f" WHERE parcel_id = ANY(%s) AND status <> '' ORDER BY parcel_id, time DESC, {_RANK_SQL} DESC,"
            ' fingerprint COLLATE "C" DESC', [parcel_ids])
        newest = {pid: ((time, RANK.get(status, 0), fp), status, context)
                  for pid, time, status, fp, context in cursor.fetchall()}
        values = []
        queued = set()
        for w in works:
            for time, context, status, area_code, area_name, fp in w.rows:
                if (w.parcel_id, fp) not in queued:
                    queued.add((w.parcel_id, fp))
                    values.append((w.parcel_id, time, context, status, area_code, area_name, w.source, fp))
        inserted = set()
        if values:
            cursor.execute(
                f"INSERT INTO {event_table} (parcel_id, time, context, status, area_code, area_name, source,"
                " fingerprint, received_at) SELECT u.p, u.t, u.c, u.s, u.ac, u.an, u.src, u.fp, %s FROM"
                " unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::text[],"
                " %s::text[], %s::text[]) AS u(p, t, c, s, ac, an, src, fp)"
                " ON CONFLICT (parcel_id, fingerprint) DO NOTHING RETURNING parcel_id, fingerprint",
                [timezone.now(), *(list(column) for column in zip(*values))])
            inserted = set(cursor.fetchall())

    claimed: set = set()
    dirty: set[int] = set()
    changed_shipments: set[int] = set()
    tasks: dict[tuple[int, str], str] = {}
    results = []
    for w in works:
        pid = w.parcel_id
        st = state.get(pid)
        if st is None:  # the parcel went away meanwhile
            results.append(_Merged(0, False, ""))
            continue
        new = 0
        best = newest.get(pid)
        latest = st["last"]
        for time, context, status, _ac, _an, fp in w.rows:
            key = (pid, fp)
            if key in inserted and key not in claimed:
                claimed.add(key)
                new += 1
            if status:
                rank_key = (time, RANK[status], fp)
                if best is None or rank_key > best[0]:
                    best = (rank_key, status, context)
            if latest is None or time > latest:
                latest = time
        if best is not None:
            newest[pid] = best
        before = st["status"]
        after = status_advance(before, best[1]) if best is not None else before
        changed = after != before
        if changed:
            st["status"], st["status_at"] = after, best[0][0]
            dirty.add(pid)
            changed_shipments.add(st["shipment"])
            if after in EXCEPTION_KINDS:
                tasks.setdefault((pid, EXCEPTION_KINDS[after]), best[2])
        if latest != st["last"]:
            st["last"] = latest
            dirty.add(pid)
        results.append(_Merged(new, changed, st["status"]))

    if dirty:
        ids = sorted(dirty)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {parcel_table} AS p SET status = u.s, status_at = u.sa, last_event_at = u.le FROM"
                " unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[]) AS u(id, s, sa, le)"
                " WHERE p.id = u.id",
                [ids, [state[i]["status"] for i in ids], [state[i]["status_at"] for i in ids],
                 [state[i]["last"] for i in ids]])
    if tasks:
        exception_tasks_open(tasks=[(pid, kind, detail) for (pid, kind), detail in tasks.items()])
    if changed_shipments:
        _shipments_refresh(changed_shipments)
    return results


def exception_tasks_open(*, tasks: list[tuple[int, str, str]]) -> list[int]:
    """Open an ExceptionTask per (parcel id, kind, detail) unless one is open for that parcel and kind (one
    INSERT … ON CONFLICT DO NOTHING); the new ones are announced to the clerks after the commit, once each
    (``exception_tasks_notify``). Returns the new tasks' ids."""
    if not tasks:
        return []
    table = connection.ops.quote_name(ExceptionTask._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (parcel_id, kind, detail, opened_at, resolution) SELECT u.p, u.k, u.d, %s, ''"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(p, k, d) ON CONFLICT DO NOTHING RETURNING id",
            [timezone.now(), [t[0] for t in tasks], [t[1] for t in tasks], [(t[2] or "")[:500] for t in tasks]])
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        transaction.on_commit(lambda: exception_tasks_notify(task_ids=ids), robust=True)
    return ids


def exception_tasks_notify(*, task_ids: list[int] | None = None) -> int:
    """Tell the enterprise's clerks (role clerk and above: who may resolve a task, the owner included) about
    new exception tasks by e-mail, one message per person listing them. Each task is claimed first
    (``notified_at`` set where it is still empty, in one UPDATE), so it is announced once however often this
    runs; ``task_ids=None``: every open task not announced yet (the daily check's safety net). A failed send
    gives the claim back. The in-app side is the badge of open tasks in the logistics menu. Returns the number
    of tasks announced."""
    table = connection.ops.quote_name(ExceptionTask._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if task_ids is None:
            cursor.execute(f"UPDATE {table} SET notified_at = %s WHERE notified_at IS NULL AND resolved_at IS NULL"
                           " RETURNING id", [timezone.now()])
        else:
            cursor.execute(f"UPDATE {table} SET notified_at = %s WHERE notified_at IS NULL AND id = ANY(%s)"
                           " RETURNING id", [timezone.now(), list(task_ids)])
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return 0
    tasks = list(ExceptionTask.objects.filter(pk__in=claimed).select_related("parcel__shipment")
                 .order_by("opened_at", "pk"))
    enterprise = getattr(connection, "tenant", None)
    members = (Membership.objects.filter(enterprise_id=getattr(enterprise, "pk", None), user__is_active=True,
                                         role__in=[r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.CLERK]])
               .select_related("user").order_by("pk"))
    link = f"{enterprise_base_url(slug=enterprise.slug)}/logistics/tracking/" if enterprise is not None else ""
    messages = []
    for member in members:
        user = member.user
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext("%(count)d new tracking exception", "%(count)d new tracking exceptions",
                               len(tasks)) % {"count": len(tasks)}
            lines = [f"{t.parcel.shipment.number} / {t.parcel.waybill_number or t.parcel.seq}: "
                     f"{t.get_kind_display()} — {t.detail}" for t in tasks]
            body = "\n".join([_("These parcels need a clerk:"), "", *lines, "", link])
        messages.append((f"[数码桥] {enterprise.name if enterprise is not None else ''} {subject}", body, None,
                         [user.email]))
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        ExceptionTask.objects.filter(pk__in=claimed).update(notified_at=None)  # the daily check tries again
        logger.exception("tracking: the exception e-mail could not be sent")
        return 0
    return len(claimed)


def _shipments_refresh(shipment_ids: set[int]) -> None:
    """The shipments' statuses from their parcels' new statuses, all at once (logistics.shipments)."""
    if shipment_ids:
        shipments_status_refresh(shipment_ids=shipment_ids)


def _clean_events(events) -> list[_Row]:
    rows = []
    for n, event in enumerate(events):
        where = f"events[{n}]"
        if not isinstance(event, EventIn):
            raise field_error(where, _("Not a tracking event."), Code.EVENT_CONTEXT_REQUIRED)
        if not isinstance(event.time, datetime) or timezone.is_naive(event.time):
            raise field_error("time", _("The event needs a date and time."), Code.EVENT_TIME_REQUIRED)
        if event.time > timezone.now() + timedelta(days=1):
            raise field_error("time", _("The event's time is in the future."), Code.EVENT_TIME_FUTURE)
        context = event.context if isinstance(event.context, str) else ""
        if not context.strip() or "\x00" in context:
            raise field_error("context", _("Describe the event."), Code.EVENT_CONTEXT_REQUIRED)
        if event.status not in STATUS_VALUES and event.status != "":
            raise field_error("status", _("Not a parcel status."), Code.EVENT_STATUS_INVALID)
        area_code = event.area_code if isinstance(event.area_code, str) else ""
        area_name = event.area_name if isinstance(event.area_name, str) else ""
        rows.append(_row(event.time, context, event.status, area_code.replace("\x00", ""),
                         area_name.replace("\x00", "")))
    return _dedupe(rows)


@transaction.atomic
def events_merge(*, parcel: Parcel, events: list[EventIn], source: str) -> MergeResult:
    """Merge ``events`` of ``parcel`` reported by ``source`` (a TrackingEvent.Source value): new ones stored,
    known ones ignored, the status advanced (see the protocol above). ``parcel`` is updated in place."""
    if source not in TrackingEvent.Source.values:
        raise field_error("source", _("Unknown source of tracking events."), Code.SOURCE_INVALID)
    rows = _clean_events(events)
    merged = _merge([_Work(parcel.pk, rows, source)])[0]
    fresh = Parcel.objects.filter(pk=parcel.pk).values("status", "status_at", "last_event_at").first()
    if fresh:
        parcel.status, parcel.status_at, parcel.last_event_at = (fresh["status"], fresh["status_at"],
                                                                 fresh["last_event_at"])
    return MergeResult(new_events=merged.new_events, status_changed=merged.status_changed, status=merged.status)


# ---- pushes --------------------------------------------------------------------------------------

_TIME = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")


class _Malformed(Exception):
    pass


def _text(value, what: str, *, required: bool = False, limit: int = 500) -> str:
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and what in ("areaCode", "status"):
        value = str(value)
    if not isinstance(value, str):
        raise _Malformed(f"{what}: not text")
    if "\x00" in value:
        raise _Malformed(f"{what}: NUL character")
    if required and not value.strip():
        raise _Malformed(f"{what}: empty")
    return value[:limit]


def _time(value) -> datetime:
    if not isinstance(value, str):
        raise _Malformed("time: not text")
    match = _TIME.fullmatch(value.strip())
    if not match:
        raise _Malformed("time: not YYYY-MM-DD HH:MM:SS")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    if not 2000 <= y <= 2100:
        raise _Malformed("time: year out of range")
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)
    except ValueError:
        raise _Malformed("time: impossible date") from None


@dataclass
class _Parsed:
    status: str  # polling | shutdown | abort | updateall
    message: str
    waybill: str
    rows: list[_Row]
    detail: str


def _parse(param: str) -> _Parsed:
    try:
        data = json.loads(param)
    except (ValueError, RecursionError):
        raise _Malformed("param: not JSON") from None
    if not isinstance(data, dict):
        raise _Malformed("param: not an object")
    push_status = _text(data.get("status"), "push status", required=True, limit=20)
    message = _text(data.get("message"), "message", limit=300)
    last = data.get("lastResult")
    if last is None:
        last = {}
    if not isinstance(last, dict):
        raise _Malformed("lastResult: not an object")
    waybill = _text(last.get("nu"), "nu", limit=32).strip()
    track_status = status_from_kuaidi100(last.get("state"))
    nodes = last.get("data")
    if nodes is None:
        nodes = []
    if not isinstance(nodes, list):
        raise _Malformed("data: not a list")
    if len(nodes) > MAX_NODES:
        raise _Malformed("data: too many nodes")
    rows = []
    for node in nodes:
        if not isinstance(node, dict):
            raise _Malformed("data: a node is not an object")
        context = _text(node.get("context"), "context", required=True, limit=2000)
        raw_time = node.get("time") if node.get("time") not in (None, "") else node.get("ftime")
        time = _time(raw_time)
        status_value = node.get("statusCode") if node.get("statusCode") not in (None, "") else node.get("status")
        status = status_from_kuaidi100(status_value) if isinstance(status_value, (str, int)) else ""
        if status_value is not None and not isinstance(status_value, (str, int)):
            raise _Malformed("status: not text")
        rows.append(_row(time, context, status, _text(node.get("areaCode"), "areaCode", limit=12),
                         _text(node.get("areaName"), "areaName", limit=100)))
    rows = _dedupe(rows)
    if track_status and rows:
        newest = max(range(len(rows)), key=lambda i: (rows[i][0], rows[i][5]))
        if not rows[newest][2]:  # without resultv2 the nodes carry no status: the track's state is the newest's
            time, context, _s, area_code, area_name, fp = rows[newest]
            rows[newest] = (time, context, track_status, area_code, area_name, fp)
    detail = ""
    if data.get("comNew") and data.get("comNew") != data.get("comOld"):
        detail = (f"carrier code corrected: {_text(data.get('comOld'), 'comOld', limit=40)} → "
                  f"{_text(data.get('comNew'), 'comNew', limit=40)}")
    return _Parsed(push_status, message, waybill, rows, detail)


def sign_param(param: str, salt: str) -> str:
    """The signature the aggregator sends with ``param``: upper(md5(param + salt))."""
    return hashlib.md5((param + salt).encode()).hexdigest().upper()


def _next_state(state: str, push_status: str) -> str:
    """The subscription's state after a push: shutdown is final (until subscribed again), abort asks for a
    new subscription, the first polling push confirms a pending one."""
    if push_status == "shutdown":
        return Subscription.State.SHUTDOWN
    if state == Subscription.State.SHUTDOWN:
        return state
    if push_status == "abort":
        return Subscription.State.ABORTED
    if push_status in ("polling", "updateall") and state == Subscription.State.PENDING:
        return Subscription.State.ACTIVE
    return state


def _refused(outcome: str, message: str) -> PushReply:
    code, http = {Outcome.MALFORMED: ("400", 400), Outcome.FORGED: ("500", 403),
                  Outcome.UNKNOWN: ("500", 404)}[outcome]
    return PushReply(outcome=outcome, body={"result": False, "returnCode": code, "message": message},
                     http_status=http)


def _clean_log_text(value, limit: int) -> str:
    return (value if isinstance(value, str) else "").replace("\x00", "")[:limit]


@transaction.atomic
def pushes_ingest(*, items: list[PushIn]) -> BatchResult:
    """Receive many pushes at once, with the result of ``push_receive`` for each in turn (see the protocol
    at the top): a constant number of queries for the whole batch."""
    now = timezone.now()
    tokens = {p.callback_token for p in items if isinstance(p.callback_token, str) and 0 < len(p.callback_token) <= 64
              and "\x00" not in p.callback_token}
    subs = {}
    if tokens:
        for sub in (Subscription.objects.select_for_update(of=("self",)).filter(callback_token__in=tokens)
                    .select_related("parcel").order_by("pk")):
            subs[sub.callback_token] = sub
    logs: list[PushLog] = []
    works: list[_Work] = []
    plan: list = []  # per item: (PushReply) or (sub, parsed, index into works)
    for item in items:
        param = item.param
        remote = _clean_log_text(item.remote_addr, 64)
        sub = subs.get(item.callback_token) if isinstance(item.callback_token, str) else None
        body_sha1 = hashlib.sha1(param.encode("utf-8", "replace")).hexdigest() if isinstance(param, str) else ""
        if sub is None:
            logs.append(PushLog(outcome=Outcome.UNKNOWN, remote_addr=remote, body_sha1=body_sha1,
                                detail="unknown callback token"))
            plan.append(_refused(Outcome.UNKNOWN, _("unknown subscription")))
            continue
        if not isinstance(param, str) or not isinstance(item.sign, str) or len(param) > MAX_PARAM_CHARS \
                or "\x00" in param or len(item.sign) > 64:
            logs.append(PushLog(subscription=sub, outcome=Outcome.MALFORMED, remote_addr=remote, body_sha1=body_sha1,
                                detail="param/sign missing, not text, NUL or too large"))
            plan.append(_refused(Outcome.MALFORMED, _("malformed push")))
            continue
        if not hmac.compare_digest(sign_param(param, sub.salt).encode(), item.sign.strip().upper().encode("utf-8")):
            logs.append(PushLog(subscription=sub, outcome=Outcome.FORGED, remote_addr=remote, body_sha1=body_sha1,
                                detail="signature does not match"))
            plan.append(_refused(Outcome.FORGED, _("bad signature")))
            continue
        try:
            parsed = _parse(param)
            waybill = sub.parcel.waybill_number
            if parsed.waybill and waybill and parsed.waybill.upper() != waybill.upper():
                raise _Malformed(f"nu {parsed.waybill[:32]} is not the subscribed waybill")
        except _Malformed as problem:
            logs.append(PushLog(subscription=sub, outcome=Outcome.MALFORMED, remote_addr=remote, body_sha1=body_sha1,
                                detail=_clean_log_text(str(problem), 300)))
            plan.append(_refused(Outcome.MALFORMED, _("malformed push")))
            continue
        log = PushLog(subscription=sub, outcome=Outcome.ACCEPTED, remote_addr=remote, body_sha1=body_sha1,
                      waybill_number=parsed.waybill[:32], detail=parsed.detail[:300])
        logs.append(log)
        plan.append((sub, parsed, len(works), log))
        works.append(_Work(sub.parcel_id, parsed.rows, TrackingEvent.Source.PUSH))

    for item, log in zip(items, logs, strict=True):  # each item has exactly one log; a queued push completes its row
        if item.log_id is not None:
            log.pk = item.log_id

    merged = _merge(works)
    result = BatchResult()
    touched: dict[int, Subscription] = {}
    for entry in plan:
        if isinstance(entry, PushReply):
            result.replies.append(entry)
            continue
        sub, parsed, index, log = entry
        outcome = merged[index]
        state = _next_state(sub.state, parsed.status)
        state_changed = state != sub.state
        if state_changed and state == Subscription.State.ABORTED:  # resubscribed later (subscriptions_poll_due)
            sub.next_poll_at = now + timedelta(minutes=int(getattr(settings, "TRACKING_RESUBSCRIBE_MINUTES", 30)))
        sub.state = state
        sub.last_push_at = now
        if parsed.status == "abort":
            sub.last_error = parsed.message[:300]
        if outcome.new_events:
            sub.resubscriptions = 0  # news again: a later abort starts a fresh count
        touched[sub.pk] = sub
        log.new_events = outcome.new_events
        if not (outcome.new_events or outcome.status_changed or state_changed):
            log.outcome = Outcome.DUPLICATE
        result.new_events += outcome.new_events
        result.replies.append(PushReply(outcome=log.outcome, body=dict(OK_REPLY), new_events=outcome.new_events,
                                        status_changed=outcome.status_changed))
    if touched:
        ids = sorted(touched)
        table = connection.ops.quote_name(Subscription._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET state = u.st, last_push_at = u.lp, last_error = u.le, next_poll_at = u.np,"
                " resubscriptions = u.rs FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::text[],"
                " %s::timestamptz[], %s::int[]) AS u(id, st, lp, le, np, rs) WHERE s.id = u.id",
                [ids, [touched[i].state for i in ids], [touched[i].last_push_at for i in ids],
                 [touched[i].last_error for i in ids], [touched[i].next_poll_at for i in ids],
                 [touched[i].resubscriptions for i in ids]])
    queued = [log for log in logs if log.pk is not None]  # before bulk_create gives the new rows their ids
    PushLog.objects.bulk_create([log for log in logs if log.pk is None], batch_size=2000)
    if queued:
        for log in queued:
            log.param, log.sign = "", ""
        PushLog.objects.bulk_update(queued, ["subscription", "outcome", "waybill_number", "new_events", "detail",
                                             "param", "sign"], batch_size=1000)
    return result


def push_mode() -> str:
    """TRACKING_PUSH_MODE: "sync" (default: the callback merges the push in the request) or "worker" (the
    callback checks the signature, queues the raw push and answers at once; the worker ingests in batches)."""
    return "worker" if getattr(settings, "TRACKING_PUSH_MODE", "sync") == "worker" else "sync"


def push_enqueue(*, callback_token: str, param, sign, remote_addr: str = "") -> PushReply:
    """The callback's half of the worker hand-off: the subscription found by its token and the signature
    checked (forged, unknown and malformed pushes are refused and logged exactly as ``push_receive`` does),
    then the raw push stored as a PENDING PushLog and answered 成功 at once; the worker completes it with
    ``pushes_pending_ingest`` (queued after the commit by the caller, see tasks.tracking_pushes_ingest)."""
    remote = _clean_log_text(remote_addr, 64)
    token_ok = isinstance(callback_token, str) and 0 < len(callback_token) <= 64 and "\x00" not in callback_token
    sub = Subscription.objects.filter(callback_token=callback_token).only("pk", "salt").first() if token_ok else None
    well_formed = (isinstance(param, str) and isinstance(sign, str) and len(param) <= MAX_PARAM_CHARS
                   and "\x00" not in param and len(sign) <= 64)
    if sub is None or not well_formed \
            or not hmac.compare_digest(sign_param(param, sub.salt).encode(), sign.strip().upper().encode("utf-8")):
        return push_receive(callback_token=callback_token, param=param, sign=sign, remote_addr=remote_addr)
    body_sha1 = hashlib.sha1(param.encode("utf-8", "replace")).hexdigest()
    PushLog.objects.create(subscription_id=sub.pk, outcome=Outcome.PENDING, remote_addr=remote, body_sha1=body_sha1,
                           param=param, sign=sign.strip()[:64])
    return PushReply(outcome=Outcome.PENDING, body=dict(OK_REPLY))


def pushes_pending_ingest(*, batch: int = 1000, limit: int | None = None) -> int:
    """The worker's half: the PENDING pushes, oldest first, through ``pushes_ingest`` in batches (each batch its
    own transaction, rows taken with SKIP LOCKED so two workers never take the same push). Returns how many."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with transaction.atomic():
            rows = list(PushLog.objects.select_for_update(skip_locked=True, of=("self",)).filter(outcome=Outcome.PENDING)
                        .order_by("pk").values_list("pk", "subscription__callback_token", "param", "sign",
                                                    "remote_addr")[:size])
            if not rows:
                break
            pushes_ingest(items=[PushIn(token or "", param, sign, remote, log_id=pk)
                                 for pk, token, param, sign, remote in rows])
        done += len(rows)
    return done


def push_receive(*, callback_token: str, param: str, sign: str, remote_addr: str = "") -> PushReply:
    """Receive one push of the aggregator (form fields ``param`` and ``sign`` = upper(md5(param + salt)))
    on the callback URL named by ``callback_token``. Forged, unknown and malformed pushes are logged and
    refused, nothing else is written; an accepted one is merged; the same push again is a DUPLICATE."""
    return pushes_ingest(items=[PushIn(callback_token, param, sign, remote_addr)]).replies[0]


# ---- the driver and the clerk --------------------------------------------------------------------


@transaction.atomic
def driver_event_add(*, parcel: Parcel, status: str, note: str, location: str = "",
                     time: datetime | None = None) -> MergeResult:
    """An own truck's driver reports where the parcel is (and optionally a new status)."""
    if parcel.status in TERMINAL:
        raise field_error("parcel", _("This parcel is already delivered or returned."), Code.PARCEL_FINISHED)
    note = (note or "").strip()
    if not note and status in STATUS_VALUES:
        note = str(ParcelStatus(status).label)
    event = EventIn(time=time or timezone.now(), context=note, status=status or "", area_name=location or "")
    return events_merge(parcel=parcel, events=[event], source=TrackingEvent.Source.DRIVER)


@transaction.atomic
def exception_task_resolve(*, task: ExceptionTask, resolution: str, user) -> ExceptionTask:
    """Close an open exception task with what was done about it."""
    task = ExceptionTask.objects.select_for_update().get(pk=task.pk)
    if task.resolved_at is not None:
        raise field_error("resolution", _("This task is already resolved."), Code.TASK_RESOLVED)
    resolution = (resolution or "").strip()
    if not resolution:
        raise field_error("resolution", _("Say what was done about it."), Code.RESOLUTION_REQUIRED)
    task.resolution = resolution[:300]
    task.resolved_at = timezone.now()
    task.resolved_by = user
    task.full_clean()
    task.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return task
