"""Tracking push ingestion speed: the aggregator's whole-track pushes (kuaidi100 shape, signed with
MD5(param + salt)) received through the callback's own processing (signature check, JSON parse, merge, the
shipments' status refresh: logistics.tracking.services.pushes_ingest, in batches, as the worker hand-off runs it)
against saving them event by event through the ORM (one TrackingEvent.objects.get_or_create and one parcel save
per event), plus the rate quote of 1,000 deliveries over 10 contracts (logistics.carriers: contracts_for_quoting +
quote_many).

    BENCH_DATA_DIR=/tmp/tracking-bench .venv/bin/python bench/tracking.py [--quick] [--batch N] [--sample N]
                                       [--db-reference] [--profile] [--without-shipments]

20,000 parcels (quick: 2,000) with push subscriptions; 5 pushes per parcel: 100,000 (quick: 10,000), each
the whole track so far, 20% of them a repeat of an earlier push (duplicates) and 10% swapped with the
parcel's previous push (out of order); about 10% of the tracks pass through 疑难 and 3% end refused (拒签),
the rest delivered. The pushes of all parcels are interleaved.

- pushes_per_s: every push through pushes_ingest in batches of --batch (1,000).
- same_state: the FULL final state of every parcel after the batch run (status, status_at, last_event_at,
  number of events, exception tasks, subscription state) equals the sequential reference: a pure in-memory fold
  of the pushes one at a time in arrival order, written from the merge protocol (never backwards, newest event
  by (time, rank, fingerprint), one task per exception status entered), not from the service's code. (The
  service fed one push at a time, push_receive, runs at ~40 pushes/s, 40 minutes at full size: --db-reference
  adds it and compares too.)
- ratio: pushes/s of pushes_ingest over pushes/s of the one-by-one ORM path, both on the same sample (the
  first --sample pushes, default 3,000, each in a fresh enterprise): the ORM path is too slow for 100,000.
- the worker hand-off (TRACKING_PUSH_MODE=worker) is measured on the same sample: the view's half
  (push_enqueue: signature check, raw push stored) one push at a time, then the worker's half
  (pushes_pending_ingest) in batches.

Uses DATABASE_URL if set, else an embedded PostgreSQL under BENCH_DATA_DIR (default .data/bench).
Works in its own database (<name>_bench_tracking), which it drops and recreates.
Last line: RESULT pushes_per_s=… ratio=… same_state=… quote_1000_s=…
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._common import bench_enterprise  # noqa: E402

PUSHES_PER_PARCEL = 5
STEPS = [  # (context, kuaidi100 state code)
    ("【宁波市】慈溪公司 已揽收", "1"), ("【宁波市】已发往 杭州转运中心", "0"), ("【杭州市】已到达 杭州转运中心", "0"),
    ("【杭州市】已发往 {city}", "0"), ("【{city}】快件已到达 营业部，派件员正在派件", "5"), ("【{city}】已签收，签收人：本人", "3"),
]
CITIES = ["上海市", "南京市", "苏州市", "合肥市", "福州市", "广州市", "深圳市", "武汉市", "成都市", "北京市"]


def _track(k: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The whole track of parcel k, oldest first: (time text in Asia/Shanghai, context, state code)."""
    city = CITIES[k % len(CITIES)]
    start = datetime(2026, 11, 20, 8, 0) + timedelta(minutes=(k * 37) % (60 * 24 * 5))
    steps = [(c.format(city=city), s) for c, s in STEPS]
    roll = rng.random()
    if roll < 0.10:  # a problem on the way, delivered in the end
        steps.insert(4, (f"【{city}】疑难件：收件人电话无人接听", "2"))
    elif roll < 0.13:  # refused
        steps[-1] = (f"【{city}】收件人拒签，快件将退回", "14")
    nodes, at = [], start
    for context, state in steps:
        at += timedelta(minutes=rng.randint(90, 600))
        nodes.append((at.strftime("%Y-%m-%d %H:%M:%S"), context, state))
    return nodes


def _param(waybill: str, nodes, push_status: str = "polling") -> str:
    data = [{"context": c, "time": t, "ftime": t, "status": s, "areaCode": "", "areaName": ""}
            for t, c, s in reversed(nodes)]
    return json.dumps({"status": push_status, "billstatus": "got", "message": "", "autoCheck": "0", "comOld": "",
                       "comNew": "", "lastResult": {"message": "ok", "state": nodes[-1][2], "status": "200",
                                                    "condition": "F00", "ischeck": "1" if nodes[-1][2] == "3" else "0",
                                                    "com": "zhongtong", "nu": waybill, "data": data}},
                      ensure_ascii=False)


def _sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()


def world(n_parcels: int, seed: int = 14):
    """The parcels (waybill, token, salt) and the interleaved pushes [(token, param, sign)]."""
    rng = random.Random(seed)
    parcels, per_parcel = [], []
    for k in range(n_parcels):
        waybill, token, salt = f"7531{k:08d}", f"bench-{k:06d}-{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}"
        parcels.append((waybill, token, salt))
        nodes = _track(k, rng)
        lengths = sorted(rng.sample(range(1, len(nodes) + 1), PUSHES_PER_PARCEL - 1))
        lengths[-1] = len(nodes)  # the last push carries the whole track
        pushes = [_param(waybill, nodes[:n], "shutdown" if n == len(nodes) and rng.random() < 0.5 else "polling")
                  for n in lengths]
        pushes.insert(rng.randint(1, len(pushes)), pushes[rng.randrange(len(pushes))])  # a duplicate (20%)
        per_parcel.append([(token, p, _sign(p, salt)) for p in pushes])
    rounds = [[] for _ in range(PUSHES_PER_PARCEL)]
    for pushes in per_parcel:
        for i, push in enumerate(pushes):
            rounds[i].append(push)
    ordered = []
    for r in rounds:
        rng.shuffle(r)
        ordered.extend(r)
    # 10% out of order: swapped with the same parcel's previous push
    last_of: dict[str, int] = {}
    swaps = 0
    for i, push in enumerate(ordered):
        j = last_of.get(push[0])
        if j is not None and rng.random() < 0.125:  # ~10% of all pushes have a previous one to swap with
            ordered[i], ordered[j] = ordered[j], ordered[i]
            swaps += 1
        last_of[push[0]] = i
    return parcels, ordered, swaps


def populate(parcels) -> None:
    """Shipments with one parcel each and their push subscriptions, bulk-inserted in the current schema."""
    from logistics.shipments.models import Parcel, Shipment
    from logistics.tracking.models import Subscription

    shipments = Shipment.objects.bulk_create(
        [Shipment(number=f"SH{k:07d}", status=Shipment.Status.BOOKED) for k in range(len(parcels))], batch_size=5000)
    made = Parcel.objects.bulk_create([Parcel(shipment=s, seq=1, waybill_number=w)
                                       for s, (w, _t, _s) in zip(shipments, parcels)], batch_size=5000)
    Subscription.objects.bulk_create([Subscription(parcel=p, state=Subscription.State.ACTIVE, callback_token=t, salt=s)
                                      for p, (_w, t, s) in zip(made, parcels)], batch_size=5000)


def final_state() -> dict:
    from django.db.models import Count

    from logistics.shipments.models import Parcel
    from logistics.tracking.models import ExceptionTask, Subscription, TrackingEvent

    events = dict(TrackingEvent.objects.values("parcel__waybill_number").annotate(n=Count("id"))
                  .values_list("parcel__waybill_number", "n"))
    tasks = {}
    for waybill, kind in ExceptionTask.objects.values_list("parcel__waybill_number", "kind"):
        tasks.setdefault(waybill, []).append(kind)
    subs = dict(Subscription.objects.values_list("parcel__waybill_number", "state"))
    return {w: (status, status_at, last, events.get(w, 0), sorted(tasks.get(w, [])), subs.get(w))
            for w, status, status_at, last in Parcel.objects.values_list("waybill_number", "status", "status_at",
                                                                        "last_event_at")}


def baseline(pushes) -> float:
    """The same pushes saved event by event through the ORM; returns seconds."""
    from logistics.shipments.models import Parcel
    from logistics.tracking.codes import status_advance, status_from_kuaidi100
    from logistics.tracking.models import PushLog, Subscription, TrackingEvent
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    started = time.perf_counter()
    for token, param, sign in pushes:
        sub = Subscription.objects.get(callback_token=token)
        if _sign(param, sub.salt) != sign:
            continue
        data = json.loads(param)
        new = 0
        for node in data["lastResult"]["data"]:
            when = datetime.strptime(node["time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
            fp = hashlib.sha1((when.astimezone(UTC).isoformat() + node["context"]).encode()).hexdigest()
            status = status_from_kuaidi100(node.get("status"))
            _event, created = TrackingEvent.objects.get_or_create(
                parcel_id=sub.parcel_id, fingerprint=fp,
                defaults={"time": when, "context": node["context"], "status": status, "source": "push"})
            new += created
            parcel = Parcel.objects.get(pk=sub.parcel_id)
            if parcel.last_event_at is None or when > parcel.last_event_at:
                parcel.last_event_at = when
                parcel.status = status_advance(parcel.status, status)
            parcel.save()
        PushLog.objects.create(subscription=sub, outcome="accepted" if new else "duplicate", new_events=new)
    return time.perf_counter() - started


def quote_bench() -> tuple[float, int]:
    """10 contracts (one per carrier, a zone per group of provinces) and 1,000 deliveries to quote."""
    from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
    from logistics.carriers.quotes import QuoteRequest, quote_many
    from logistics.carriers.regions import cities, provinces
    from logistics.carriers.selectors import contracts_for_quoting

    rng = random.Random(5)
    provs = provinces()
    for n, code in enumerate(["SF", "ZTO", "YTO", "YD", "STO", "JD", "JTSD", "EMS", "DBL", "OWN"]):
        carrier = Carrier.objects.create(code=f"Q{code}", name=f"报价 {code}")
        contract = Contract.objects.create(carrier=carrier, name="2026 协议价", volumetric_divisor=6000 + 1000 * (n % 3),
                                           min_charge=Decimal("5"), fuel_surcharge_pct=Decimal(n % 4),
                                           free_over=Decimal("5000") if n % 2 else None)
        for z in range(4):
            zone = Zone.objects.create(contract=contract, name=f"{z + 1} 区", first_weight_kg=Decimal("1"),
                                       first_price=Decimal(8 + z * 4 + n), step_kg=Decimal("1"),
                                       step_price=Decimal(2 + z + n % 3), promised_days=1 + z)
            ZoneRegion.objects.bulk_create([ZoneRegion(zone=zone, code=p.code, name=p.name)
                                            for i, p in enumerate(provs) if i % 4 == z])
    requests = []
    for k in range(1000):
        province = provs[k % len(provs)]
        city_list = cities(province.code)
        city = city_list[k % len(city_list)].code if city_list else None
        requests.append(QuoteRequest(province_code=province.code, city_code=city,
                                     parcels=[(Decimal(rng.randint(1, 300)) / 10, Decimal(40), Decimal(30),
                                               Decimal(rng.randint(10, 60)))] * rng.randint(1, 3),
                                     goods_value=Decimal(rng.randint(100, 8000))))
    started = time.perf_counter()
    cards = contracts_for_quoting()
    results = quote_many(requests, cards)
    seconds = time.perf_counter() - started
    return seconds, sum(len(r) for r in results)


def reference_fold(pushes) -> dict:
    """The sequential reference, a pure in-memory fold of the pushes in arrival order, written from the merge
    protocol (logistics.tracking.services) without its code: per parcel the set of event fingerprints, the
    newest event with a status by (time, rank, fingerprint), the status taken through codes.status_advance
    (never backwards, never out of delivered/returned), status_at = that event's time when the status
    changes, last_event_at = the newest event's time, an exception task per exception status entered, and
    the subscription's state (active, shutdown after a "shutdown" push). Returns final_state()'s shape."""
    from zoneinfo import ZoneInfo

    from logistics.tracking.codes import EXCEPTION_KINDS, RANK, status_advance, status_from_kuaidi100

    tz = ZoneInfo("Asia/Shanghai")
    parcels: dict[str, dict] = {}
    for _token, param, _sign_text in pushes:
        data = json.loads(param)
        last = data["lastResult"]
        p = parcels.setdefault(last["nu"], {"fps": set(), "best": None, "status": "created", "status_at": None,
                                            "last": None, "tasks": set(), "sub": "active"})
        for node in last["data"]:
            when = datetime.strptime(node["time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
            fp = hashlib.sha1((when.astimezone(UTC).isoformat() + node["context"]).encode()).hexdigest()
            p["fps"].add(fp)
            status = status_from_kuaidi100(node["status"])
            if status and (p["best"] is None or (when, RANK[status], fp) > p["best"][0]):
                p["best"] = ((when, RANK[status], fp), status)
            if p["last"] is None or when > p["last"]:
                p["last"] = when
        if p["best"] is not None:
            after = status_advance(p["status"], p["best"][1])
            if after != p["status"]:
                p["status"], p["status_at"] = after, p["best"][0][0]
                if after in EXCEPTION_KINDS:
                    p["tasks"].add(EXCEPTION_KINDS[after])
        if data["status"] == "shutdown":
            p["sub"] = "shutdown"
    return {w: (p["status"], p["status_at"], p["last"], len(p["fps"]), sorted(p["tasks"]), p["sub"])
            for w, p in parcels.items()}


def ingest(pushes, batch: int) -> float:
    """The callback's processing path in batches (pushes_ingest); seconds."""
    from logistics.tracking.services import PushIn, pushes_ingest

    started = time.perf_counter()
    for i in range(0, len(pushes), batch):
        pushes_ingest(items=[PushIn(t, p, s, "10.0.0.1") for t, p, s in pushes[i:i + batch]])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 parcels, 10,000 pushes")
    parser.add_argument("--batch", type=int, default=1000, help="pushes per pushes_ingest call")
    parser.add_argument("--sample", type=int, default=3000,
                        help="pushes of the ORM baseline, measured against the batch path on the same pushes")
    parser.add_argument("--db-reference", action="store_true",
                        help="also run push_receive for each push in turn in a copy and compare (slow: ~40/s)")
    parser.add_argument("--profile", action="store_true", help="cProfile the batch path, print the top 30")
    parser.add_argument("--without-shipments", action="store_true",
                        help="diagnostic: skip refreshing the shipments' status (logistics.shipments) to see "
                             "the tracking app's own cost")
    args = parser.parse_args()
    n_parcels = 2000 if args.quick else 20000
    fast_ent, server = bench_enterprise(db_name="bench_tracking", name="基准企业 物流", slug="trackbench",
                                        org_body="00005454")
    from django.db import connection
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from core.uscc import uscc_make
    from logistics.tracking.models import PushLog
    from logistics.tracking.services import push_receive
    from tenants import services as tenant_services
    from tenants.models import User

    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the exception e-mails, kept in memory
    if args.without_shipments:
        import logistics.tracking.services as tracking_services

        tracking_services._shipments_refresh = lambda shipment_ids: None
        print("diagnostic run: the shipments' status is NOT refreshed")
    owner = User.objects.get(email="bench@example.test")

    def another(slug: str, body: str, label: str):
        return tenant_services.enterprise_provision(name=f"基准企业 物流{label}", slug=slug,
                                                    uscc=uscc_make(org_body=body), industry="3854", owner=owner)

    base_ent, sample_ent = another("trackbase", "00005456", "基线"), another("tracksample", "00005457", "样本")
    worker_ent = another("trackworker", "00005458", "队列")
    ref_ent = another("trackref", "00005455", "参照") if args.db_reference else None
    t0 = time.perf_counter()
    parcels, pushes, swaps = world(n_parcels)
    for ent in (e for e in (fast_ent, base_ent, sample_ent, worker_ent, ref_ent) if e is not None):
        with tenant_context(ent):
            populate(parcels)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    print(f"{len(parcels):,} parcels per enterprise and {len(pushes):,} signed pushes generated in "
          f"{time.perf_counter() - t0:.1f}s ({swaps:,} swapped out of order)")

    # -- the callback's processing, in batches, every push -------------------------------------------
    with tenant_context(fast_ent):
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        fast_s = ingest(pushes, args.batch)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        outcomes = dict(PushLog.objects.values("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
        fast_state = final_state()
    rate = len(pushes) / fast_s
    print(f"pushes_ingest (batches of {args.batch:,}): {len(pushes):,} pushes in {fast_s:.1f}s = {rate:,.0f} pushes/s; "
          f"outcomes {outcomes}")

    # -- the sequential reference: an in-memory fold of every push in arrival order ------------------
    started = time.perf_counter()
    ref_state = reference_fold(pushes)
    for waybill, _token, _salt in parcels:  # parcels no push reached (none here, but say so if any)
        ref_state.setdefault(waybill, ("created", None, None, 0, [], "active"))
    same = int(ref_state == fast_state)
    differ = [w for w in ref_state if ref_state[w] != fast_state.get(w)]
    print(f"sequential reference (in-memory fold of all {len(pushes):,} pushes in order, "
          f"{time.perf_counter() - started:.1f}s): same final parcel states: "
          f"{'yes' if same else f'NO ({len(differ)} differ, e.g. {differ[:1]})'}")
    if differ:
        print(f"  batch: {fast_state.get(differ[0])}\n  fold:  {ref_state[differ[0]]}")
    statuses = {}
    for state in fast_state.values():
        statuses[state[0]] = statuses.get(state[0], 0) + 1
    print(f"final statuses: {statuses}")

    if ref_ent is not None:  # push_receive one by one (the batch path fed one push at a time)
        with tenant_context(ref_ent):
            started = time.perf_counter()
            for t, p, s in pushes:
                push_receive(callback_token=t, param=p, sign=s, remote_addr="10.0.0.1")
            seq_s = time.perf_counter() - started
            db_same = int(final_state() == fast_state)
        same = same and db_same
        print(f"push_receive one by one: {len(pushes) / seq_s:,.0f} pushes/s; same final states: {db_same}")

    # -- the baseline: event by event through the ORM, and the batch path, on the same sample ----------
    subset = min(len(pushes), args.sample)
    with tenant_context(base_ent):
        base_s = baseline(pushes[:subset])
    with tenant_context(sample_ent):
        sample_s = ingest(pushes[:subset], args.batch)
    with tenant_context(worker_ent):  # TRACKING_PUSH_MODE=worker: the view's half one by one, the worker's in batches
        from logistics.tracking.services import push_enqueue, pushes_pending_ingest

        started = time.perf_counter()
        for t, p, s in pushes[:subset]:
            push_enqueue(callback_token=t, param=p, sign=s, remote_addr="10.0.0.1")
        enqueue_s = time.perf_counter() - started
        started = time.perf_counter()
        pushes_pending_ingest(batch=args.batch)
        drain_s = time.perf_counter() - started
    print(f"worker hand-off on the sample: the view's half (signature check, store raw) {subset / enqueue_s:,.0f} "
          f"pushes/s; the worker's half (pushes_pending_ingest) {subset / drain_s:,.0f} pushes/s; sync batch path "
          f"{subset / sample_s:,.0f} pushes/s")
    base_rate, sample_rate = subset / base_s, subset / sample_s
    ratio = sample_rate / base_rate
    print(f"sample of the first {subset:,} pushes: ORM get_or_create + parcel save per event {base_rate:,.0f} pushes/s, "
          f"pushes_ingest {sample_rate:,.0f} pushes/s: ratio {ratio:.1f}x "
          f"(full run / ORM: {rate / base_rate:.1f}x)")

    # -- the rate quote ----------------------------------------------------------------------------
    quote_s, n_quotes = float("nan"), 0
    with tenant_context(fast_ent):
        try:
            quote_s, n_quotes = quote_bench()
            print(f"quote: 1,000 deliveries over 10 contracts in {quote_s * 1000:.0f} ms ({n_quotes:,} quotes)")
        except ImportError as exc:
            print(f"quote: not measured ({exc})")

    print("\ntargets: >= 1,000 pushes/s, ratio >= 10x, same_state=1, quote < 1 s. ratio = pushes/s of pushes_ingest "
          "over pushes/s of the one-by-one ORM path on the same sample; same_state compares ALL final parcel states "
          "of the batch run with the in-memory sequential fold")
    print(f"RESULT pushes_per_s={rate:.0f} ratio={ratio:.1f} same_state={same} quote_1000_s={quote_s:.3f} "
          f"baseline_pushes_per_s={base_rate:.0f} sample={subset} worker_view_per_s={subset / enqueue_s:.0f} "
          f"worker_ingest_per_s={subset / drain_s:.0f} parcels={len(parcels)} pushes={len(pushes)} "
          f"shipments_refreshed={0 if args.without_shipments else 1}")
    connection.close()
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
