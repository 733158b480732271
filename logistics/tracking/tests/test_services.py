"""Pushes as the aggregator sends them: signature, idempotence, reordering, abort/shutdown, batches."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing import codes
from logistics.shipments.models import ParcelStatus as S
from logistics.tracking import services
from logistics.tracking.codes import status_advance, status_from_kuaidi100
from logistics.tracking.models import ExceptionTask, PushLog, Subscription, TrackingEvent
from logistics.tracking.services import EventIn, PushIn, events_merge, push_receive, pushes_ingest
from logistics.tracking.tests.factories import TRACK, make_parcel, push_param, signed

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _state(parcel):
    parcel.refresh_from_db()
    return parcel.status, parcel.status_at, parcel.last_event_at, parcel.events.count()


def test_codes_map_kuaidi100_states_and_rank_never_goes_back():
    assert [status_from_kuaidi100(c) for c in (0, "1", "2", "3", "4", "5", "6", "7", "10", "14", "签收", "x", None)] == [
        S.IN_TRANSIT, S.PICKED_UP, S.PROBLEM, S.DELIVERED, S.RETURNED, S.OUT_FOR_DELIVERY, S.RETURNING,
        S.IN_TRANSIT, S.IN_TRANSIT, S.REFUSED, S.DELIVERED, "", ""]
    assert status_advance(S.OUT_FOR_DELIVERY, S.IN_TRANSIT) == S.OUT_FOR_DELIVERY
    assert status_advance(S.PROBLEM, S.REFUSED) == S.REFUSED  # exceptions replace one another
    assert status_advance(S.PROBLEM, S.DELIVERED) == S.DELIVERED
    assert status_advance(S.DELIVERED, S.RETURNED) == S.DELIVERED  # terminal
    assert status_advance(S.CREATED, "") == S.CREATED


def test_a_signed_push_is_merged_and_a_forged_one_is_logged_and_writes_nothing(erp):
    parcel = make_parcel()
    reply = push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK[:3])),
                         remote_addr="10.0.0.9")
    assert (reply.outcome, reply.body, reply.new_events) == (
        "accepted", {"result": True, "returnCode": "200", "message": "成功"}, 3)
    status, status_at, last, count = _state(parcel)
    assert (status, count) == (S.IN_TRANSIT, 3)
    assert status_at == last == datetime(2026, 12, 2, 4, 30, tzinfo=SH)
    event = parcel.events.first()
    assert (event.context, event.source, event.status) == (TRACK[2][1], "push", S.IN_TRANSIT)
    # a forged push (the right token, a wrong signature) changes nothing but the log
    forged = signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK))
    forged["sign"] = services.sign_param(forged["param"], "not-the-salt")
    before = (_state(parcel), Subscription.objects.get(pk=parcel.subscription.pk).last_push_at)
    reply = push_receive(**forged, remote_addr="6.6.6.6")
    assert (reply.outcome, reply.body["result"], reply.http_status) == ("forged", False, 403)
    assert (_state(parcel), Subscription.objects.get(pk=parcel.subscription.pk).last_push_at) == before
    log = PushLog.objects.order_by("-id").first()
    assert (log.outcome, log.remote_addr, log.subscription_id, log.new_events) == ("forged", "6.6.6.6",
                                                                                   parcel.subscription.pk, 0)
    assert ExceptionTask.objects.count() == 0


def test_the_same_push_twice_is_a_duplicate_and_changes_nothing(erp):
    parcel = make_parcel()
    push = signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK[:4]))
    assert push_receive(**push).outcome == "accepted"
    after_first = _state(parcel)
    reply = push_receive(**push)
    assert (reply.outcome, reply.new_events, reply.body["result"]) == ("duplicate", 0, True)
    assert _state(parcel) == after_first
    assert list(PushLog.objects.order_by("id").values_list("outcome", "new_events")) == [("accepted", 4),
                                                                                         ("duplicate", 0)]


def test_pushes_out_of_order_never_move_the_status_back(erp):
    parcel = make_parcel()
    token = lambda nodes, **kw: signed(parcel, push_param(waybill=parcel.waybill_number, nodes=nodes, **kw))  # noqa
    push_receive(**token(TRACK[:4]))
    assert _state(parcel)[0] == S.OUT_FOR_DELIVERY
    # an older track arrives late: known events, nothing new, status kept
    assert push_receive(**token(TRACK[:2])).outcome == "duplicate"
    assert _state(parcel)[0] == S.OUT_FOR_DELIVERY
    # the full track: delivered (terminal)
    push_receive(**token(TRACK))
    delivered = _state(parcel)
    assert delivered[0] == S.DELIVERED
    # a later node saying "in transit" (a replay with a different text) never leaves delivered
    late = TRACK + [("2026-12-03 08:00:00", "【上海市】在途中", "0")]
    assert push_receive(**token(late)).new_events == 1
    assert _state(parcel)[0] == S.DELIVERED
    # the merge is by time, not by arrival: a node older than the newest, with a higher rank, does not win
    other = make_parcel()
    nodes = [("2026-12-01 10:00:00", "疑难件：地址不详", "2"), ("2026-12-01 12:00:00", "已发往 杭州", "0")]
    push_receive(**signed(other, push_param(waybill=other.waybill_number, nodes=nodes[1:])))
    push_receive(**signed(other, push_param(waybill=other.waybill_number, nodes=nodes)))
    assert _state(other)[0] == S.IN_TRANSIT and ExceptionTask.objects.filter(parcel=other).count() == 0


def test_abort_and_shutdown_change_the_subscription(erp):
    parcel = make_parcel()
    abort = push_param(waybill=parcel.waybill_number, nodes=[], push_status="abort", message="3天查询无记录")
    reply = push_receive(**signed(parcel, abort))
    sub = Subscription.objects.get(parcel=parcel)
    assert (reply.outcome, sub.state, sub.last_error) == ("accepted", Subscription.State.ABORTED, "3天查询无记录")
    assert sub.last_push_at is not None
    shutdown = push_param(waybill=parcel.waybill_number, nodes=TRACK, push_status="shutdown", state="3")
    assert push_receive(**signed(parcel, shutdown)).new_events == 5
    sub.refresh_from_db()
    assert (sub.state, _state(parcel)[0]) == (Subscription.State.SHUTDOWN, S.DELIVERED)
    # an old polling push replayed after the shutdown does not reopen it
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK[:2])))
    sub.refresh_from_db()
    assert sub.state == Subscription.State.SHUTDOWN


MALFORMED = [
    "{not json", "[]", '{"status": 5}', '{"status": "polling", "lastResult": []}',
    '{"status": "polling", "lastResult": {"data": {"a": 1}}}',
    '{"status": "polling", "lastResult": {"data": [{"context": "x", "time": "2026-02-30 10:00:00"}]}}',
    '{"status": "polling", "lastResult": {"data": [{"context": "x", "time": "NaN"}]}}',
    '{"status": "polling", "lastResult": {"data": [{"context": "a\\u0000b", "time": "2026-12-01 10:00:00"}]}}',
    '{"status": "polling", "lastResult": {"data": [{"context": ["x"], "time": "2026-12-01 10:00:00"}]}}',
    '{"status": "polling", "lastResult": {"data": [{"context": "x", "time": "2026-12-01 10:00:00", "status": {}}]}}',
    '{"status": "polling", "lastResult": {"nu": "OTHER123", "data": []}}',
    "[" * 100000 + "]" * 100000,
]


def test_malformed_params_are_logged_and_write_nothing(erp):
    parcel = make_parcel()
    for param in MALFORMED:
        reply = push_receive(**signed(parcel, param))
        assert (reply.outcome, reply.body["result"], reply.body["returnCode"]) == ("malformed", False, "400"), param
    assert _state(parcel) == (S.CREATED, None, None, 0)
    assert set(PushLog.objects.values_list("outcome", flat=True)) == {"malformed"}
    assert PushLog.objects.count() == len(MALFORMED)


def test_non_text_fields_and_unknown_tokens_are_refused(erp):
    parcel = make_parcel()
    sub = parcel.subscription
    assert push_receive(callback_token=sub.callback_token, param=None, sign=None).outcome == "malformed"
    assert push_receive(callback_token=sub.callback_token, param="x" * 600_000, sign="A").outcome == "malformed"
    assert push_receive(callback_token="nobody", param="{}", sign="A").outcome == "unknown"
    assert push_receive(callback_token="a\x00b", param="{}", sign="A").outcome == "unknown"
    assert list(PushLog.objects.order_by("id").values_list("outcome", flat=True)) == [
        "malformed", "malformed", "unknown", "unknown"]


def test_an_exception_opens_one_task_and_resolving_lets_a_new_one_open(erp, owner):
    parcel = make_parcel()
    problem = TRACK[:2] + [("2026-12-02 10:00:00", "疑难件：收件人电话无人接听", "2")]
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=problem)))
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=problem)))
    task = ExceptionTask.objects.get()
    assert (task.kind, task.detail, _state(parcel)[0]) == ("problem", "疑难件：收件人电话无人接听", S.PROBLEM)
    # refused later: a second kind of task, still one per kind
    refused = problem + [("2026-12-02 18:00:00", "收件人拒签", "14")]
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=refused)))
    assert sorted(ExceptionTask.objects.values_list("kind", flat=True)) == ["problem", "refused"]
    services.exception_task_resolve(task=task, resolution="已联系收件人", user=owner)
    with pytest.raises(ValidationError) as error:
        services.exception_task_resolve(task=task, resolution="again", user=owner)
    assert codes(error.value) == ["task_resolved"]


def test_events_merge_validates_and_is_idempotent(erp):
    parcel = make_parcel(subscribe=False)
    when = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    result = events_merge(parcel=parcel, events=[EventIn(when, "装车", S.PICKED_UP, "330282", "慈溪"),
                                                 EventIn(when, "装车", S.PICKED_UP)], source="poll")
    assert (result.new_events, result.status_changed, result.status, parcel.status) == (1, True, S.PICKED_UP,
                                                                                        S.PICKED_UP)
    assert events_merge(parcel=parcel, events=[EventIn(when, "装车", S.PICKED_UP)], source="poll").new_events == 0
    for bad, code in [(EventIn(datetime(2026, 12, 1), "x"), "event_time_required"),
                      (EventIn(when, "  "), "event_context_required"),
                      (EventIn(when, "x", "lost"), "event_status_invalid")]:
        with pytest.raises(ValidationError) as error:
            events_merge(parcel=parcel, events=[bad], source="poll")
        assert codes(error.value) == [code]
    assert TrackingEvent.objects.count() == 1


def _world(n: int):
    """n parcels with the same tracks: problem, refusal, delivery, abort, shutdown, out of order, twice."""
    parcels = [make_parcel() for _ in range(n)]
    pushes = []
    problem = TRACK[:3] + [("2026-12-02 10:00:00", "疑难件", "2"), ("2026-12-02 12:00:00", "重新派送", "5")]
    for k, parcel in enumerate(parcels):
        w = parcel.waybill_number
        tracks = [TRACK[:2], TRACK[:4], TRACK[:1], TRACK[:4], TRACK]  # out of order and a duplicate
        if k % 3 == 1:
            tracks = [problem[:4], problem, problem[:4] + [("2026-12-02 13:00:00", "拒签", "14")]]
        for nodes in tracks:
            pushes.append((parcel, push_param(waybill=w, nodes=nodes)))
        if k % 3 == 2:
            pushes.append((parcel, push_param(waybill=w, nodes=[], push_status="abort", message="60天无变化")))
            pushes.append((parcel, push_param(waybill=w, nodes=TRACK, push_status="shutdown", state="3")))
    # interleave the parcels, keeping each parcel's order
    position, seen = [], {}
    for parcel, _param in pushes:
        seen[parcel.pk] = seen.get(parcel.pk, -1) + 1
        position.append(seen[parcel.pk])
    pushes = [p for _n, p in sorted(zip(position, pushes), key=lambda pair: pair[0])]
    return parcels, pushes


def _snapshot(parcels):
    out = []
    for p in parcels:
        p.refresh_from_db()
        sub = Subscription.objects.get(parcel=p)
        out.append((p.status, p.status_at, p.last_event_at,
                    sorted(p.events.values_list("fingerprint", "status")),
                    sorted(ExceptionTask.objects.filter(parcel=p).values_list("kind", "detail")),
                    sub.state, sub.last_error))
    return out


def test_a_batch_ends_exactly_as_the_same_pushes_one_by_one(erp):
    batch_parcels, batch_pushes = _world(6)
    seq_parcels, seq_pushes = _world(6)
    forged = signed(batch_parcels[0], batch_pushes[0][1]) | {"sign": "0" * 32}
    items = [PushIn(**signed(p, param)) for p, param in batch_pushes] + [PushIn(**forged)]
    with CaptureQueriesContext(connection) as captured:
        result = pushes_ingest(items=items)
    # the tracking tables are read and written a constant number of times for the whole batch (subscriptions,
    # newest events, insert of the events, subscriptions, tasks, push log); the shipments' refresh is theirs
    assert len([q for q in captured.captured_queries if "logistics_tracking_" in q["sql"]]) == 6
    replies = [push_receive(**signed(p, param)) for p, param in seq_pushes] + [push_receive(**(
        signed(seq_parcels[0], seq_pushes[0][1]) | {"sign": "0" * 32}))]
    assert [(r.outcome, r.new_events, r.status_changed) for r in result.replies] == [
        (r.outcome, r.new_events, r.status_changed) for r in replies]
    assert _snapshot(batch_parcels) == _snapshot(seq_parcels)
    assert {r.outcome for r in replies} == {"accepted", "duplicate", "forged"}
    assert {s[0] for s in _snapshot(seq_parcels)} == {S.DELIVERED, S.REFUSED}
