"""The orchestration: `mrp_compute` prepares the inputs, plans level by level (low-level code
0 first, so an item is netted once, after all its parents), then assembles the results.

One level (`level_plan`) is: requirements of the level's items → kits passed to their
components → netting and lot sizing → planned orders → pegging → due and release dates →
explosion of made items into their components (requirements of lower levels) → item chart rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .arrays import day_to_date
from .bom import Bom, bom_prepare, explode
from .buckets import Buckets, buckets_make
from .contract import KIND_ORDER, PLAN_COLUMNS, MrpInputs, MrpResult
from .exceptions import exceptions_collect
from .items import Items, items_prepare, items_sourcing
from .netting import LevelNet, level_net, plan_rows
from .orders import orders_assemble
from .pegging import LevelOrders, due_dates, order_pegs, peg_level, receipts_use
from .supply_demand import Rows, demand_rows, demand_sources, on_hand_prepare, receipts_prepare


@dataclass(frozen=True)
class Run:
    """What every level reads: the items (with make / lead), the BOMs and levels, the calendar
    with its horizon, the independent demand sources, the receipts and on hand per item."""

    items: Items
    bom: Bom
    buckets: Buckets
    sources: pd.DataFrame
    receipts: pd.DataFrame
    on_hand: np.ndarray


@dataclass
class RunState:
    """What the levels accumulate: pending requirement rows (of lower levels), how much of each
    receipt is used, and per level the planned orders (dicts of arrays), their pegs, the item
    chart rows and the kit requirements without a kit BOM; next_key numbers the orders."""

    pending: list[Rows]
    receipt_used: np.ndarray
    orders: list[dict[str, np.ndarray]] = field(default_factory=list)
    pegs: list[pd.DataFrame] = field(default_factory=list)
    plans: list[pd.DataFrame] = field(default_factory=list)
    kit_missing: list[pd.DataFrame] = field(default_factory=list)
    next_key: int = 1


def run_prepare(inputs: MrpInputs, *, today: dt.date, bucket: str,
                report: Callable[[int, str], None]) -> Run:
    """Takes the inputs, today and the bucket kind; gives the `Run` (items, BOMs and levels,
    demand, supply, calendar)."""
    buckets = buckets_make(bucket, today)
    items = items_prepare(inputs.items)
    bom = bom_prepare(inputs.bom_lines, items=items, today_d=buckets.today_d)
    items = items_sourcing(items, has_bom=bom.has_bom)
    report(5, "levels")
    sources = demand_sources(inputs.demand, inputs.forecast, items=items, buckets=buckets)
    receipts = receipts_prepare(inputs.receipts, items=items, buckets=buckets)
    on_hand = on_hand_prepare(inputs.on_hand, items=items)
    buckets = buckets.horizon(demand_days=sources["date"].to_numpy(np.int64),
                              receipt_buckets=receipts["bucket"].to_numpy())
    return Run(items=items, bom=bom, buckets=buckets, sources=sources, receipts=receipts, on_hand=on_hand)


def kits_pass(run: Run, state: RunState, current: Rows) -> Rows:
    """Takes the level's requirement rows; gives them without the kits' rows. A kit is a phantom:
    its requirements go to its components (state.pending, same date and origin, through the kit)
    with the kit BOM in force then, or to state.kit_missing when there is none."""
    is_kit = run.items.is_kit
    kit_rows = current.take(is_kit[current.a["item"]])
    current = current.take(~is_kit[current.a["item"]])
    if len(kit_rows):
        k = kit_rows.a
        x = explode(run.bom, run.items, rows_item=k["item"], rows_qty=k["qty"],
                    on_days=np.maximum(k["need"], run.buckets.today_d))
        r = x.rows
        state.pending.append(Rows(item=x.comp, need=k["need"][r], qty=x.qty, kind=k["kind"][r], src=k["src"][r],
                                  origin=k["origin"][r], kit=np.where(k["kit"][r] >= 0, k["kit"][r], k["item"][r])))
        if len(x.missing):
            state.kit_missing.append(pd.DataFrame({"item": k["item"][x.missing], "qty": k["qty"][x.missing],
                                                   "day": np.maximum(k["need"][x.missing], run.buckets.today_d)}))
    return current


def level_orders(lv: LevelNet, state: RunState) -> LevelOrders:
    """Takes a level's netting; gives its planned orders (one per item × bucket with a planned
    quantity), numbered on from state.next_key."""
    li, lb = np.nonzero(lv.planned > 0)
    count = len(li)
    keys = np.arange(state.next_key, state.next_key + count, dtype=np.int64)
    state.next_key += count
    return LevelOrders(key=keys, item=lv.members[li], bucket=lb, qty=lv.planned[li, lb], net=lv.net[li, lb])


def made_explode(run: Run, state: RunState, orders: LevelOrders, *, release: np.ndarray,
                 origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Takes a level's orders with their release days and origins; explodes the made ones with
    the BOM version in force on their start date (a late order is made today), their components
    needed on the release date (state.pending). Gives (bom_id, missing_bom) per order."""
    count = len(orders)
    o_make = run.items.make[orders.item]
    bom_id = np.full(count, -1, dtype=np.int64)
    missing_bom = np.zeros(count, dtype=bool)
    if o_make.any():
        mk = np.nonzero(o_make)[0]
        x = explode(run.bom, run.items, rows_item=orders.item[mk], rows_qty=orders.qty[mk],
                    on_days=np.maximum(release[mk], run.buckets.today_d))
        bom_id[mk[x.found["row"].to_numpy(np.int64)]] = x.found["bom_id"].to_numpy(np.int64)
        missing_bom[mk[x.missing]] = True
        src_o = mk[x.rows]
        state.pending.append(Rows(item=x.comp, need=release[src_o], qty=x.qty, kind=np.full(len(x.rows), KIND_ORDER),
                                  src=orders.key[src_o], origin=origin[src_o], kit=np.full(len(x.rows), -1)))
    return bom_id, missing_bom


def level_plan(run: Run, state: RunState, lvl: int) -> bool:
    """Plans one level: takes its requirement rows out of state.pending, adds its planned orders,
    pegs and chart rows to `state` and its components' requirements to state.pending. Gives
    False when the level has no item to net (only kits or services)."""
    rows = Rows.concat(state.pending)
    here = run.bom.level[rows.a["item"]] == lvl
    current, state.pending = rows.take(here), [rows.take(~here)]
    current = kits_pass(run, state, current)
    items = run.items
    members = np.nonzero((run.bom.level == lvl) & ~items.is_kit & ~items.is_service)[0]
    if len(members) == 0:
        return False
    lv = level_net(current, members, items=items, on_hand=run.on_hand, receipts=run.receipts, buckets=run.buckets)
    orders = level_orders(lv, state)
    match = peg_level(current, lv, orders, items=items, on_hand=run.on_hand, receipts=run.receipts,
                      buckets=run.buckets)
    receipts_use(match, state.receipt_used)
    pegs = order_pegs(match, current, orders)
    state.pegs.append(pegs.pegs)
    due = due_dates(match, orders, buckets=run.buckets)
    release = due - items.lead[orders.item]
    bom_id, missing_bom = made_explode(run, state, orders, release=release, origin=pegs.origin)
    state.orders.append({
        "key": orders.key, "item": orders.item, "qty": orders.qty, "net": orders.net, "bucket": orders.bucket,
        "lvl": np.full(len(orders), lvl, dtype=np.int64), "origin": pegs.origin, "parent": pegs.parent,
        "kit": pegs.kit, "npeg": pegs.npeg, "due": due, "release": release, "bom_id": bom_id,
        "missing_bom": missing_bom})
    state.plans.append(plan_rows(lv, lvl, items=items, on_hand=run.on_hand))
    return True


def plans_frame(parts: list[pd.DataFrame], *, items: Items) -> pd.DataFrame:
    """Takes the item chart rows of every level; gives `MrpResult.plans` (item_id first)."""
    plans = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PLAN_COLUMNS)
    plans.insert(0, "item_id", items.ids[plans["item"].to_numpy(np.int64)] if len(plans) else [])
    return plans.drop(columns=["item"])


def result_assemble(run: Run, state: RunState, *, report: Callable[[int, str], None]) -> MrpResult:
    """Takes the prepared run and what its levels accumulated; gives the `MrpResult`."""
    items, bom = run.items, run.bom
    planned = orders_assemble(state.orders, state.pegs, sources=run.sources, items=items,
                              today_d=run.buckets.today_d)
    report(90, "exceptions")

    def day_of(column: str) -> np.ndarray:
        return np.concatenate([p[column] for p in state.orders]) if state.orders else np.zeros(0, np.int64)

    exceptions = exceptions_collect(planned=planned, release_days=day_of("release"), due_days=day_of("due"),
                                    receipts=run.receipts, receipt_used=state.receipt_used,
                                    kit_missing=state.kit_missing, cycles=bom.cycles, items=items)
    plans = plans_frame(state.plans, items=items)
    report(95, "done")
    return MrpResult(
        planned=planned, exceptions=exceptions, plans=plans,
        bucket_starts=[day_to_date(d) for d in run.buckets.starts.tolist()],
        levels=pd.Series(bom.level, index=items.ids, name="level"),
        cycles=[[items.codes[i] for i in path] for _u, _v, path in bom.cycles],
        stats={"items": items.n, "levels": bom.max_level + 1, "buckets": run.buckets.count,
               "bom_lines": len(bom.lines), "demands": len(run.sources), "receipts": len(run.receipts),
               "planned": len(planned)})


def mrp_compute(inputs: MrpInputs, *, today: dt.date, bucket: str = "week",
                progress: Callable[[int, str], None] | None = None) -> MrpResult:
    """Takes the inputs, today, the bucket kind ("week" or "day") and an optional progress
    callback (percent, stage); gives the plan as an `MrpResult`. Pure: reads nothing else,
    writes nothing."""
    if bucket not in ("week", "day"):
        raise ValueError("bucket must be 'week' or 'day'")
    report = progress or (lambda pct, stage: None)
    run = run_prepare(inputs, today=today, bucket=bucket, report=report)
    state = RunState(pending=[demand_rows(run.sources)], receipt_used=np.zeros(len(run.receipts)))
    levels = run.bom.max_level + 1
    for lvl in range(levels):
        if level_plan(run, state, lvl):
            report(10 + int(70 * (lvl + 1) / levels), f"level {lvl}")
    return result_assemble(run, state, report=report)
