"""The MRP engine: a pure function over pandas DataFrames (no ORM, no Django, no I/O).

    result = mrp_compute(MrpInputs(items=..., bom_lines=..., demand=..., receipts=..., on_hand=...,
                                   forecast=...), today=date(2025, 5, 6), bucket="week")

How it plans (set-based; the only Python loops are over BOM levels and time buckets, each step
working on every item of the level at once with numpy):

1. Low-level codes. Every item gets the length of the longest BOM path from a top item to it
   (Kahn layering over the edges of every BOM version still in force in the horizon), so an item
   used at several levels is netted once, after all its parents. A cycle is not looped: the lines
   that close it are dropped and reported (exception "cycle" with the path).
2. Independent demand: open sales order lines, components still to issue to open work orders,
   and the master schedule / forecast per item × week, which open sales orders of the same
   week consume (only the part of the forecast not yet ordered is added).
3. Per level, per item × bucket (day or week), gross to net:
       available = projected on hand (previous bucket) + scheduled receipts − gross requirement
       if available < safety stock: planned = lot size(safety stock − available)
   lot size: lot-for-lot, raised to the minimum order quantity, rounded up to the order multiple,
   then up to the unit's decimals. The loop runs over buckets, vectorised over the level's items.
4. A planned order is due at the start of its bucket (today for the first bucket) and released
   lead time days earlier (the supplier's price-list lead time for bought items when it has one,
   else the item's). A made item is exploded with the BOM version in force on its start date
   (a late order, released "before today", is made today, as production does); its components
   are needed on the release date, rounded up to their unit's decimals per BOM line.
5. Kits are phantoms: never netted nor planned; their requirements pass straight to their
   components on the same date (with the kit BOM in force then).
6. Pegging: per item, requirements (safety stock first, then by date) are matched to supplies
   (on hand, then receipts and planned orders by date) first-in first-out on cumulative quantity,
   which is consistent with the netting above. A planned order keeps the requirements it covers
   (a demand line, or a parent planned order for dependent demand); receipt quantities that cover
   nothing are "excess supply".

All quantities are float64 in the item's unit; dates are handled as integer day numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

EPS = 1e-9  # quantities below this are zero
STEP_TOL = 1e-6  # tolerance (in units of the smallest step) when rounding up
KIND_SS, KIND_SO, KIND_WO, KIND_MPS, KIND_ORDER = 0, 1, 2, 3, 4
KIND_NAMES = {KIND_SS: "ss", KIND_SO: "so", KIND_WO: "wo", KIND_MPS: "mps", KIND_ORDER: "order"}
MAKE_TYPES = ("finished", "subassembly")
EPOCH = dt.date(1970, 1, 1)
FAR = 10 ** 7  # a day number far in the future (open-ended validity)


# ---- inputs and outputs ----------------------------------------------------------------------


@dataclass
class MrpInputs:
    """What the engine reads. Column names are the contract (extra columns are ignored).

    items:     item_id, code, item_type, lead_time_days, safety_stock, min_order_qty, order_multiple,
               decimals; optional uom_zh, uom_en, supplier_id, supplier_lead_time (NaN = none)
    bom_lines: bom_id, parent_id, component_id, qty_per (per 1 parent, scrap included),
               valid_from, valid_to (inclusive; NaT = open-ended)  — component lines only
    demand:    item_id, date, quantity, kind ("so" | "wo"), ref, line
    receipts:  item_id, date, quantity, kind ("po" | "wo"), ref, line
    on_hand:   item_id, quantity
    forecast:  item_id, week_start, quantity   (master schedule / forecast per item × week)
    """

    items: pd.DataFrame
    bom_lines: pd.DataFrame
    demand: pd.DataFrame
    receipts: pd.DataFrame
    on_hand: pd.DataFrame
    forecast: pd.DataFrame | None = None


@dataclass
class MrpResult:
    """planned: one row per planned order (see `_PLANNED_COLUMNS`), pegging as JSON text (see
    `_pegging_json`), ready to store.
    exceptions: item_id (or None), kind, ref, quantity, date, message_zh, message_en.
    plans: per item with activity: item_id, level, on_hand, safety_stock and the per-bucket lists
    gross, receipts, planned, projected. levels: low-level code per item_id."""

    planned: pd.DataFrame
    exceptions: pd.DataFrame
    plans: pd.DataFrame
    bucket_starts: list[dt.date]
    levels: pd.Series
    cycles: list[list[str]] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


_PLANNED_COLUMNS = ["key", "item_id", "order_type", "quantity", "net_quantity", "release_date", "due_date",
                    "bucket", "level", "lead_time_days", "supplier_id", "bom_id", "is_late", "missing_bom",
                    "missing_lead_time", "reason_zh", "reason_en", "pegging", "parent_key"]
_EXCEPTION_COLUMNS = ["item_id", "kind", "ref", "quantity", "date", "message_zh", "message_en"]


# ---- small helpers ---------------------------------------------------------------------------


def _days(values) -> np.ndarray:
    """Dates (date objects, strings, datetime64) → int64 day numbers since 1970-01-01."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return pd.to_datetime(pd.Series(values).reset_index(drop=True)).to_numpy("datetime64[D]").astype(np.int64)


def _days_or_far(values) -> np.ndarray:
    """Like _days, with missing dates (open-ended) as FAR."""
    series = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    missing = series.isna().to_numpy()
    days = series.fillna(pd.Timestamp("2000-01-01")).to_numpy("datetime64[D]").astype(np.int64)
    return np.where(missing, FAR, days)


def _date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _ceil_step(quantity: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Round up to the unit's step (scale = 10 ** decimals), tolerating float noise."""
    return np.ceil(quantity * scale - STEP_TOL) / scale


def _fmt(quantity: float) -> str:
    """120 · 12.5 · 0.333 (up to 4 decimals, no trailing zeros)."""
    text = f"{quantity:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _group_starts(keys: np.ndarray) -> np.ndarray:
    return np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)


def _group_cumsum(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each run of equal keys (keys sorted)."""
    if len(values) == 0:
        return values.astype(float)
    total = np.cumsum(values)
    starts = _group_starts(keys)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    return total - (total - values)[first]


def fifo_match(req_item, req_qty, sup_item, sup_qty):
    """First-in first-out matching of requirements to supplies on cumulative quantity, per item.
    Both sides are sorted by (item, time). Returns (req_index, sup_index, quantity) of every
    overlap: which supply covers which requirement, and how much.

    Every end of a requirement or a supply is a cut point; between two consecutive cut points of
    an item exactly one requirement and one supply are "open": the next requirement end and the
    next supply end at or after the cut (found with a reversed running minimum, no search)."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    nr, ns = len(req_qty), len(sup_qty)
    if nr == 0 or ns == 0:
        return empty
    req_item, sup_item = np.asarray(req_item, np.int64), np.asarray(sup_item, np.int64)
    item = np.concatenate([req_item, sup_item])
    pos = np.concatenate([_group_cumsum(req_item, np.asarray(req_qty, float)),
                          _group_cumsum(sup_item, np.asarray(sup_qty, float))])
    is_req = np.r_[np.ones(nr, dtype=bool), np.zeros(ns, dtype=bool)]
    own = np.r_[np.arange(nr), np.arange(ns)]
    order = np.lexsort((~is_req, pos, item))
    item, pos, is_req, own = item[order], pos[order], is_req[order], own[order]
    big = np.iinfo(np.int64).max
    # the next requirement / supply (by index; indices grow with (item, position)) at or after each cut
    next_req = np.minimum.accumulate(np.where(is_req, own, big)[::-1])[::-1]
    next_sup = np.minimum.accumulate(np.where(~is_req, own, big)[::-1])[::-1]
    prev = np.r_[0.0, pos[:-1]]
    prev[_group_starts(item)] = 0.0
    seg = pos - prev
    ok = (seg > EPS) & (next_req < big) & (next_sup < big)
    r = np.where(ok, next_req, 0)
    s = np.where(ok, next_sup, 0)
    ok &= (req_item[np.minimum(r, nr - 1)] == item) & (sup_item[np.minimum(s, ns - 1)] == item)
    return r[ok], s[ok], seg[ok]


def _iso_week(day: int) -> str:
    year, week, _ = _date(day).isocalendar()
    return f"{year}-W{week:02d}"


# ---- low-level codes -------------------------------------------------------------------------


def low_level_codes(n: int, parent: np.ndarray, child: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kahn layering: level[i] = longest path from a root to i. Returns (level, in_cycle) where
    in_cycle marks items that could not be layered (on or below a cycle); their level is -1."""
    level = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return level, np.zeros(0, dtype=bool)
    indeg = np.bincount(child, minlength=n) if len(child) else np.zeros(n, dtype=np.int64)
    active = np.ones(len(parent), dtype=bool)
    current = np.nonzero(indeg == 0)[0]
    depth = 0
    while current.size:
        level[current] = depth
        is_current = np.zeros(n, dtype=bool)
        is_current[current] = True
        removed = active & is_current[parent]
        active &= ~removed
        decrement = np.bincount(child[removed], minlength=n)
        indeg = indeg - decrement
        current = np.nonzero((indeg == 0) & (decrement > 0))[0]
        depth += 1
    return level, level < 0


def _find_cycles(parent: np.ndarray, child: np.ndarray, in_cycle: np.ndarray) -> list[tuple[int, int, list[int]]]:
    """Depth-first search over the (small) part that could not be layered: each back edge
    (u → v with v on the stack) closes a cycle. Returns (u, v, path v → … → u → v)."""
    mask = in_cycle[parent] & in_cycle[child]
    adjacency: dict[int, list[int]] = {}
    for p, c in sorted(zip(parent[mask].tolist(), child[mask].tolist())):
        adjacency.setdefault(p, []).append(c)
    state: dict[int, int] = {}  # 1 on stack, 2 done
    found = []
    for root in sorted(adjacency):
        if state.get(root):
            continue
        stack = [(root, iter(adjacency.get(root, [])))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                found.append((node, nxt, path[path.index(nxt):] + [nxt]))
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(adjacency.get(nxt, []))))
                path.append(nxt)
    return found


# ---- the computation -------------------------------------------------------------------------


class _Rows:
    """Requirement rows as parallel numpy arrays (faster to concatenate than DataFrames)."""

    FIELDS = {"item": np.int64, "need": np.int64, "qty": float, "kind": np.int64, "src": np.int64,
              "origin": np.int64, "kit": np.int64}

    def __init__(self, **arrays):
        self.a = {k: np.asarray(arrays.get(k, np.zeros(0)), dtype=t) for k, t in self.FIELDS.items()}

    def __len__(self):
        return len(self.a["qty"])

    def take(self, mask) -> "_Rows":
        return _Rows(**{k: v[mask] for k, v in self.a.items()})

    @staticmethod
    def concat(parts: list["_Rows"]) -> "_Rows":
        parts = [p for p in parts if len(p)]
        if not parts:
            return _Rows()
        return _Rows(**{k: np.concatenate([p.a[k] for p in parts]) for k in _Rows.FIELDS})


def mrp_compute(inputs: MrpInputs, *, today: dt.date, bucket: str = "week",
                progress: Callable[[int, str], None] | None = None) -> MrpResult:
    if bucket not in ("week", "day"):
        raise ValueError("bucket must be 'week' or 'day'")
    report = progress or (lambda pct, stage: None)
    today_d = (today - EPOCH).days
    monday0 = today_d - today.weekday()

    # -- items ------------------------------------------------------------------------------
    items = inputs.items.sort_values("item_id", ignore_index=True)
    n = len(items)
    ids = items["item_id"].to_numpy(np.int64)
    index = pd.Index(ids)
    codes = items["code"].astype(str).to_numpy(object)
    itype = items["item_type"].astype(str).to_numpy(object)
    is_kit = itype == "kit"
    is_service = itype == "service"
    ss = items["safety_stock"].to_numpy(float)
    moq = items["min_order_qty"].to_numpy(float)
    mult = items["order_multiple"].to_numpy(float)
    scale = 10.0 ** np.minimum(items["decimals"].to_numpy(np.int64), 4)
    item_lt = items["lead_time_days"].fillna(0).to_numpy(np.int64)
    supplier = (items["supplier_id"] if "supplier_id" in items else pd.Series(np.nan, index=items.index))
    supplier = pd.to_numeric(supplier, errors="coerce").to_numpy(float)
    sup_lt = (items["supplier_lead_time"] if "supplier_lead_time" in items else pd.Series(np.nan, index=items.index))
    sup_lt = pd.to_numeric(sup_lt, errors="coerce").to_numpy(float)
    uom_zh = (items["uom_zh"] if "uom_zh" in items else pd.Series("", index=items.index)).fillna("").to_numpy(object)
    uom_en = (items["uom_en"] if "uom_en" in items else pd.Series("", index=items.index)).fillna("").to_numpy(object)

    def idx(values) -> np.ndarray:
        return index.get_indexer(np.asarray(values, dtype=np.int64)) if len(values) else np.zeros(0, np.int64)

    # -- BOM lines in force in the horizon --------------------------------------------------
    bl = inputs.bom_lines
    bl = pd.DataFrame({
        "bom_id": bl["bom_id"].to_numpy(np.int64), "parent": idx(bl["parent_id"]), "comp": idx(bl["component_id"]),
        "qty_per": bl["qty_per"].to_numpy(float),
        "vf": _days(bl["valid_from"]),
        "vt": _days_or_far(bl["valid_to"]),
    })
    bl = bl[(bl["parent"] >= 0) & (bl["comp"] >= 0)]
    has_bom = np.zeros(n, dtype=bool)
    has_bom[bl["parent"].to_numpy()] = True
    bl = bl[(bl["vt"] >= today_d) & ~is_service[bl["comp"].to_numpy()] & (bl["qty_per"] > 0)]
    make = ~is_kit & ~is_service & (has_bom | np.isin(itype, MAKE_TYPES))
    lead = np.where(~make & ~np.isnan(sup_lt), np.nan_to_num(sup_lt), item_lt).astype(np.int64)

    # -- low-level codes, cycles --------------------------------------------------------------
    edges = bl[["parent", "comp"]].drop_duplicates()
    ep, ec = edges["parent"].to_numpy(np.int64), edges["comp"].to_numpy(np.int64)
    level, in_cycle = low_level_codes(n, ep, ec)
    cycles_found = []
    if in_cycle.any():
        cycles_found = _find_cycles(ep, ec, in_cycle)
        closing = {(u, v) for u, v, _ in cycles_found}
        keep = np.array([(p, c) not in closing for p, c in zip(bl["parent"].tolist(), bl["comp"].tolist())],
                        dtype=bool)
        bl = bl[keep]
        edges = bl[["parent", "comp"]].drop_duplicates()
        ep, ec = edges["parent"].to_numpy(np.int64), edges["comp"].to_numpy(np.int64)
        level, _still = low_level_codes(n, ep, ec)
    max_level = int(level.max()) if n else -1
    # version lookup table: one row per BOM version, for merge_asof on the start date
    versions = (bl[["parent", "bom_id", "vf", "vt"]].drop_duplicates("bom_id")
                .sort_values("vf", kind="mergesort", ignore_index=True))
    lines_by_bom = bl[["bom_id", "comp", "qty_per"]].reset_index(drop=True)
    report(5, "levels")

    # -- buckets ------------------------------------------------------------------------------
    if bucket == "week":
        def bucket_of(days):
            return np.maximum(0, (np.asarray(days, dtype=np.int64) - monday0) // 7)

        def start_of(k):
            k = np.asarray(k, dtype=np.int64)
            return np.where(k == 0, today_d, monday0 + 7 * k)
    else:
        def bucket_of(days):
            return np.maximum(0, np.asarray(days, dtype=np.int64) - today_d)

        def start_of(k):
            return today_d + np.asarray(k, dtype=np.int64)

    # -- independent demand (the top demands, which pegging points back to) ---------------------
    dem = inputs.demand
    d_item = idx(dem["item_id"]) if len(dem) else np.zeros(0, np.int64)
    sources = pd.DataFrame({
        "item": d_item, "date": _days(dem["date"]) if len(dem) else np.zeros(0, np.int64),
        "qty": dem["quantity"].to_numpy(float) if len(dem) else np.zeros(0),
        "kind": (dem["kind"].map({"so": KIND_SO, "wo": KIND_WO}).fillna(KIND_SO).to_numpy(np.int64)
                 if len(dem) else np.zeros(0, np.int64)),
        "ref": dem["ref"].astype(str).to_numpy(object) if len(dem) else np.zeros(0, object),
        "line": (pd.to_numeric(dem["line"], errors="coerce").fillna(0).to_numpy(np.int64)
                 if len(dem) else np.zeros(0, np.int64)),
    })
    sources = sources[(sources["item"] >= 0) & (sources["qty"] > EPS)]
    sources = sources[~is_service[sources["item"].to_numpy()]] if len(sources) else sources
    fc = inputs.forecast
    if fc is not None and len(fc):
        f = pd.DataFrame({"item": idx(fc["item_id"]), "week": _days(fc["week_start"]),
                          "qty": fc["quantity"].to_numpy(float)})
        f["week"] = f["week"] - ((f["week"] + 3) % 7)  # the Monday of that week (1970-01-01 was a Thursday)
        f = f[(f["item"] >= 0) & (f["week"] >= monday0)].groupby(["item", "week"], as_index=False)["qty"].sum()
        so = sources[sources["kind"] == KIND_SO]
        ordered = (pd.DataFrame({"item": so["item"], "week": so["date"] - ((so["date"] + 3) % 7), "o": so["qty"]})
                   .groupby(["item", "week"], as_index=False)["o"].sum())
        f = f.merge(ordered, on=["item", "week"], how="left").fillna({"o": 0.0})
        f["qty"] = f["qty"] - f["o"]  # open orders of the week consume its forecast
        f = f[f["qty"] > EPS]
        mps = pd.DataFrame({"item": f["item"].to_numpy(np.int64),
                            "date": np.maximum(f["week"].to_numpy(np.int64), today_d),
                            "qty": f["qty"].to_numpy(float), "kind": KIND_MPS,
                            "ref": [_iso_week(w) for w in f["week"].tolist()], "line": 0})
        sources = pd.concat([sources, mps], ignore_index=True)
    sources = sources.reset_index(drop=True)
    src_item = sources["item"].to_numpy(np.int64)
    src_date = sources["date"].to_numpy(np.int64)
    pending = [_Rows(item=src_item, need=src_date, qty=sources["qty"].to_numpy(float),
                     kind=sources["kind"].to_numpy(np.int64), src=np.arange(len(sources)),
                     origin=np.arange(len(sources)), kit=np.full(len(sources), -1))]

    # -- supply ---------------------------------------------------------------------------------
    rec = inputs.receipts
    receipts = pd.DataFrame({
        "item": idx(rec["item_id"]) if len(rec) else np.zeros(0, np.int64),
        "date": _days(rec["date"]) if len(rec) else np.zeros(0, np.int64),
        "qty": rec["quantity"].to_numpy(float) if len(rec) else np.zeros(0),
        "kind": rec["kind"].astype(str).to_numpy(object) if len(rec) else np.zeros(0, object),
        "ref": rec["ref"].astype(str).to_numpy(object) if len(rec) else np.zeros(0, object),
        "line": (pd.to_numeric(rec["line"], errors="coerce").fillna(0).to_numpy(np.int64)
                 if len(rec) else np.zeros(0, np.int64)),
    })
    receipts = receipts[(receipts["item"] >= 0) & (receipts["qty"] > EPS)]
    receipts = receipts[~(is_service | is_kit)[receipts["item"].to_numpy()]].reset_index(drop=True)  # not stocked
    receipts["bucket"] = bucket_of(receipts["date"].to_numpy())
    oh = np.zeros(n)
    if len(inputs.on_hand):
        oh_idx = idx(inputs.on_hand["item_id"])
        ok = oh_idx >= 0
        np.add.at(oh, oh_idx[ok], inputs.on_hand["quantity"].to_numpy(float)[ok])
    oh[is_kit | is_service] = 0.0

    last = [0]
    if len(sources):
        last.append(int(bucket_of(src_date).max()))
    if len(receipts):
        last.append(int(receipts["bucket"].max()))
    n_buckets = max(last) + 1
    starts = start_of(np.arange(n_buckets))

    # -- level by level -----------------------------------------------------------------------
    planned_parts: list[dict] = []
    peg_parts: list[pd.DataFrame] = []
    plan_parts: list[pd.DataFrame] = []
    receipt_used = np.zeros(len(receipts))
    kit_missing: list[pd.DataFrame] = []
    next_key = 1

    def explode(rows_item, rows_date, rows_qty, on_days):
        """(row position, bom_id, component, component quantity) for each row whose item has a BOM
        version in force on its date; rows without one come back in `missing`."""
        probe = pd.DataFrame({"parent": rows_item, "vf": on_days, "row": np.arange(len(rows_item))})
        probe = probe.sort_values("vf", kind="mergesort")
        found = pd.merge_asof(probe, versions[["parent", "vf", "bom_id", "vt"]].rename(columns={"vf": "vf"}),
                              on="vf", by="parent", direction="backward")
        ok = found["bom_id"].notna() & (found["vt"].fillna(-1) >= found["vf"])
        missing = found.loc[~ok, "row"].to_numpy(np.int64)
        found = found[ok][["row", "bom_id"]].astype(np.int64)
        exploded = found.merge(lines_by_bom, on="bom_id", how="inner")
        rows = exploded["row"].to_numpy(np.int64)
        qty = rows_qty[rows] * exploded["qty_per"].to_numpy(float)
        comp = exploded["comp"].to_numpy(np.int64)
        qty = np.where(is_kit[comp], qty, _ceil_step(qty, scale[comp]))
        return rows, exploded["bom_id"].to_numpy(np.int64), comp, qty, missing, found

    for lvl in range(max_level + 1):
        rows = _Rows.concat(pending)
        here = level[rows.a["item"]] == lvl
        current, pending = rows.take(here), [rows.take(~here)]

        # kits: pass their requirements straight to their components
        kit_rows = current.take(is_kit[current.a["item"]])
        current = current.take(~is_kit[current.a["item"]])
        if len(kit_rows):
            k = kit_rows.a
            r, _bom, comp, qty, missing, _f = explode(k["item"], k["need"], k["qty"], np.maximum(k["need"], today_d))
            pending.append(_Rows(item=comp, need=k["need"][r], qty=qty, kind=k["kind"][r], src=k["src"][r],
                                 origin=k["origin"][r], kit=np.where(k["kit"][r] >= 0, k["kit"][r], k["item"][r])))
            if len(missing):
                kit_missing.append(pd.DataFrame({"item": k["item"][missing], "qty": k["qty"][missing],
                                                 "day": np.maximum(k["need"][missing], today_d)}))

        members = np.nonzero((level == lvl) & ~is_kit & ~is_service)[0]
        m = len(members)
        if m == 0:
            continue
        loc = np.full(n, -1, dtype=np.int64)
        loc[members] = np.arange(m)
        c = current.a
        c_bucket = bucket_of(c["need"])
        gross = np.zeros((m, n_buckets))
        np.add.at(gross, (loc[c["item"]], c_bucket), c["qty"])
        rmask = loc[receipts["item"].to_numpy()] >= 0 if len(receipts) else np.zeros(0, dtype=bool)
        lev_rec = receipts[rmask]
        sched = np.zeros((m, n_buckets))
        np.add.at(sched, (loc[lev_rec["item"].to_numpy()], lev_rec["bucket"].to_numpy()), lev_rec["qty"].to_numpy())
        l_ss, l_moq, l_mult, l_scale = ss[members], moq[members], mult[members], scale[members]
        planned = np.zeros((m, n_buckets))
        net = np.zeros((m, n_buckets))
        projected = np.zeros((m, n_buckets))
        pab = oh[members].copy()
        for t in range(n_buckets):
            available = pab + sched[:, t] - gross[:, t]
            short = l_ss - available
            need = short > EPS
            if need.any():
                q = _ceil_step(np.where(need, short, 0.0), l_scale)
                q = np.maximum(q, l_moq)
                q = np.where(l_mult > 0, np.ceil(q / np.where(l_mult > 0, l_mult, 1) - STEP_TOL) * l_mult, q)
                q = np.where(need, _ceil_step(q, l_scale), 0.0)
                planned[:, t] = q
                net[:, t] = np.where(need, short, 0.0)
                available = available + q
            pab = available
            projected[:, t] = pab

        # planned orders of the level
        li, lb = np.nonzero(planned > 0)
        o_item = members[li]
        count = len(li)
        keys = np.arange(next_key, next_key + count, dtype=np.int64)
        next_key += count
        due = starts[lb]
        release = due - lead[o_item]
        orders = {"key": keys, "item": o_item, "qty": planned[li, lb], "net": net[li, lb], "bucket": lb,
                  "due": due, "release": release, "lvl": np.full(count, lvl, dtype=np.int64)}

        # pegging: requirements (safety stock first) × supplies (on hand, receipts, planned) FIFO
        ss_items = members[l_ss > EPS]
        req_item = np.concatenate([ss_items, c["item"]])
        req_sort_bucket = np.concatenate([np.full(len(ss_items), -1), c_bucket])
        req_need = np.concatenate([np.full(len(ss_items), -1), c["need"]])
        req_qty = np.concatenate([ss[ss_items], c["qty"]])
        req_row = np.concatenate([np.full(len(ss_items), -1), np.arange(len(current))])
        r_order = np.lexsort((req_row, req_need, req_sort_bucket, req_item))
        oh_items = members[oh[members] > EPS]
        rec_pos = np.nonzero(rmask)[0]
        sup_item = np.concatenate([oh_items, lev_rec["item"].to_numpy(np.int64), o_item])
        sup_bucket = np.concatenate([np.full(len(oh_items), -1), lev_rec["bucket"].to_numpy(np.int64), lb])
        sup_rank = np.concatenate([np.zeros(len(oh_items)), np.ones(len(lev_rec)), np.full(count, 2)])
        sup_date = np.concatenate([np.zeros(len(oh_items)), lev_rec["date"].to_numpy(np.int64), due])
        sup_qty = np.concatenate([oh[oh_items], lev_rec["qty"].to_numpy(float), orders["qty"]])
        sup_kind = np.concatenate([np.zeros(len(oh_items)), np.ones(len(lev_rec)), np.full(count, 2)]).astype(int)
        sup_ref = np.concatenate([np.full(len(oh_items), -1), rec_pos, np.arange(count)])
        s_order = np.lexsort((sup_date, sup_rank, sup_bucket, sup_item))
        ri, si, q = fifo_match(req_item[r_order], req_qty[r_order], sup_item[s_order], sup_qty[s_order])
        ri, si = r_order[ri], s_order[si]
        to_receipt = sup_kind[si] == 1
        np.add.at(receipt_used, sup_ref[si[to_receipt]], q[to_receipt])
        to_order = sup_kind[si] == 2
        row = req_row[ri[to_order]]
        is_ss = row < 0
        safe_row = np.where(is_ss, 0, row)
        pegs = pd.DataFrame({
            "o": sup_ref[si[to_order]], "qty": q[to_order],
            "kind": np.where(is_ss, KIND_SS, c["kind"][safe_row] if len(current) else 0),
            "src": np.where(is_ss, -1, c["src"][safe_row] if len(current) else -1),
            "origin": np.where(is_ss, -1, c["origin"][safe_row] if len(current) else -1),
            "kit": np.where(is_ss, -1, c["kit"][safe_row] if len(current) else -1),
            "need": np.where(is_ss, -1, c["need"][safe_row] if len(current) else -1),
            "seq": np.nonzero(to_order)[0],
        })
        pegs = (pegs.groupby(["o", "kind", "src", "kit"], as_index=False, sort=False)
                .agg(qty=("qty", "sum"), origin=("origin", "first"), need=("need", "min"), seq=("seq", "min")))
        pegs = pegs.sort_values(["o", "seq"], kind="mergesort", ignore_index=True)
        # the first demand an order serves (safety stock only if it serves nothing else)
        real = pegs[pegs["kind"] != KIND_SS]
        first = real.drop_duplicates("o")
        o_origin = np.full(count, -1, dtype=np.int64)
        o_parent = np.full(count, -1, dtype=np.int64)
        o_kit = np.full(count, -1, dtype=np.int64)
        o_npeg = np.bincount(real["o"].to_numpy(np.int64), minlength=count) if count else np.zeros(0, np.int64)
        fo = first["o"].to_numpy(np.int64)
        o_origin[fo] = first["origin"].to_numpy(np.int64)
        o_parent[fo] = np.where(first["kind"].to_numpy() == KIND_ORDER, first["src"].to_numpy(np.int64), -1)
        o_kit[fo] = first["kit"].to_numpy(np.int64)
        orders.update(origin=o_origin, parent=o_parent, kit=o_kit, npeg=o_npeg)
        pegs["key"] = keys[pegs["o"].to_numpy(np.int64)] if count else pegs["o"]
        peg_parts.append(pegs)

        # explode made items into their components (BOM in force on the start date)
        o_make = make[o_item]
        bom_id = np.full(count, -1, dtype=np.int64)
        missing_bom = np.zeros(count, dtype=bool)
        if o_make.any():
            mk = np.nonzero(o_make)[0]
            r, boms, comp, qty, missing, found = explode(
                o_item[mk], release[mk], orders["qty"][mk], np.maximum(release[mk], today_d))
            bom_id[mk[found["row"].to_numpy(np.int64)]] = found["bom_id"].to_numpy(np.int64)
            missing_bom[mk[missing]] = True
            src_o = mk[r]
            pending.append(_Rows(item=comp, need=release[src_o], qty=qty, kind=np.full(len(r), KIND_ORDER),
                                 src=keys[src_o], origin=o_origin[src_o], kit=np.full(len(r), -1)))
        orders.update(make=o_make, bom_id=bom_id, missing_bom=missing_bom)
        planned_parts.append(orders)

        active = (gross.any(axis=1) | sched.any(axis=1) | planned.any(axis=1) | (np.abs(oh[members]) > EPS)
                  | (l_ss > EPS))
        act = np.nonzero(active)[0]
        plan_parts.append(pd.DataFrame({
            "item": members[act], "level": lvl, "on_hand": oh[members][act], "safety_stock": l_ss[act],
            "gross": list(np.round(gross[act], 4)), "receipts": list(np.round(sched[act], 4)),
            "planned": list(np.round(planned[act], 4)), "projected": list(np.round(projected[act], 4))}))
        report(10 + int(70 * (lvl + 1) / (max_level + 1)), f"level {lvl}")

    planned = _assemble_orders(planned_parts, peg_parts, sources=sources, ids=ids, codes=codes, make=make,
                               supplier=supplier, lead=lead, uom_zh=uom_zh, uom_en=uom_en, moq=moq, mult=mult,
                               today_d=today_d)
    report(90, "exceptions")
    day_of = (lambda col: np.concatenate([p[col] for p in planned_parts]) if planned_parts
              else np.zeros(0, np.int64))
    exceptions = _exceptions(planned=planned, release_days=day_of("release"), due_days=day_of("due"),
                             receipts=receipts, receipt_used=receipt_used,
                             kit_missing=kit_missing, cycles=cycles_found, ids=ids, codes=codes, today_d=today_d,
                             uom_zh=uom_zh, uom_en=uom_en, index=index)
    plans = (pd.concat(plan_parts, ignore_index=True) if plan_parts else
             pd.DataFrame(columns=["item", "level", "on_hand", "safety_stock", "gross", "receipts", "planned",
                                   "projected"]))
    plans.insert(0, "item_id", ids[plans["item"].to_numpy(np.int64)] if len(plans) else [])
    plans = plans.drop(columns=["item"])
    report(95, "done")
    return MrpResult(
        planned=planned, exceptions=exceptions, plans=plans,
        bucket_starts=[_date(d) for d in starts.tolist()],
        levels=pd.Series(level, index=ids, name="level"),
        cycles=[[codes[i] for i in path] for _u, _v, path in cycles_found],
        stats={"items": n, "levels": max_level + 1, "buckets": n_buckets, "bom_lines": len(bl),
               "demands": len(sources), "receipts": len(receipts), "planned": len(planned)})


# ---- assembling the output (vectorised: one planned order is one element, never a Python call) ---


def _fmt_list(values) -> list[str]:
    """Quantities as short text: 120 · 12.5 · 0.333."""
    values = np.round(np.asarray(values, dtype=float), 4)
    whole = (np.abs(values - np.round(values)) < 1e-9).tolist()
    ints = np.round(values).astype(np.int64).tolist()
    return [str(i) if w else _fmt(v) for i, w, v in zip(ints, whole, values.tolist())]


def _fmt_many(values) -> np.ndarray:
    return _obj(_fmt_list(values))


def _dates_many(days: np.ndarray) -> np.ndarray:
    """Day numbers → datetime.date objects."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(object)


def _iso_list(days) -> list[str]:
    """Day numbers → "YYYY-MM-DD" (formatted once per distinct day)."""
    days = np.asarray(days, dtype=np.int64)
    if not len(days):
        return []
    unique, inverse = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(unique.astype("datetime64[D]")).tolist()
    return [text[i] for i in inverse.tolist()]


def _iso_many(days) -> np.ndarray:
    return _obj(_iso_list(days))


def _obj(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _demand_phrase(kind: int, ref: str, line: int) -> tuple[str, str]:
    if kind == KIND_SO:
        return f"需求 {ref} 第 {line} 行", f"Demand {ref} line {line}"
    if kind == KIND_WO:
        return f"工单 {ref} 用料", f"Work order {ref} materials"
    if kind == KIND_MPS:
        return f"主计划 {ref}", f"Master schedule {ref}"
    return "安全库存", "Safety stock"


def _assemble_orders(parts, peg_parts, *, sources, ids, codes, make, supplier, lead, uom_zh, uom_en, moq, mult,
                     today_d) -> pd.DataFrame:
    if not parts or not sum(len(p["key"]) for p in parts):
        return pd.DataFrame(columns=_PLANNED_COLUMNS)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    count = len(cat["key"])
    item, qty, net, origin, kit, npeg = cat["item"], cat["qty"], cat["net"], cat["origin"], cat["kit"], cat["npeg"]
    lt = lead[item]
    pos_of_key = np.full(int(cat["key"].max()) + 1, -1, dtype=np.int64)
    pos_of_key[cat["key"]] = np.arange(count)
    codes_o = _obj(codes)
    # the chain of parents from the top demand down to each order's direct parent, level by level
    chain = np.full(count, "", dtype=object)
    parent_pos = np.where(cat["parent"] >= 0, pos_of_key[np.maximum(cat["parent"], 0)], -1)
    for lvl in np.unique(cat["lvl"]).tolist():
        sel = np.nonzero((cat["lvl"] == lvl) & (parent_pos >= 0))[0]
        if len(sel):
            p = parent_pos[sel]
            above = chain[p]
            chain[sel] = np.where(above == "", codes_o[item[p]], above + " → " + codes_o[item[p]])
    via = chain.copy()
    has_kit = kit >= 0
    via[has_kit] = np.where(via[has_kit] == "", codes_o[kit[has_kit]], via[has_kit] + " → " + codes_o[kit[has_kit]])
    # the first demand served, as a phrase (per source, then picked per order)
    phrases = [_demand_phrase(k, r, ln) for k, r, ln in zip(sources["kind"].tolist(), sources["ref"].tolist(),
                                                              sources["line"].tolist())]
    phrases.append(("安全库存", "Safety stock"))  # origin -1: the last one
    first = [phrases[o] for o in origin.tolist()]
    rules_zh, rules_en = _lot_rules(moq, mult)
    unit_en = [e or z for e, z in zip(uom_en.tolist(), uom_zh.tolist())]
    items_l = item.tolist()
    sized = (np.abs(qty - net) > 1e-6).tolist()
    zh, en = [], []
    for (f_zh, f_en), v, n, ns, qs, lt_i, it, lot in zip(first, via.tolist(), npeg.tolist(), _fmt_list(net),
                                                         _fmt_list(qty), lt.tolist(), items_l, sized):
        zh.append(f"{f_zh}{' 经 ' + v if v else ''}{f' 等 {n} 项' if n > 1 else ''}, 缺 {ns} {uom_zh[it]}, "
                  f"提前期 {lt_i} 天{f', 批量取整为 {qs}{rules_zh[it]}' if lot else ''}")
        en.append(f"{f_en}{' via ' + v if v else ''}{f' (+{n - 1} more)' if n > 1 else ''}, short {ns} {unit_en[it]}, "
                  f"lead time {lt_i} days{f', rounded to {qs}{rules_en[it]}' if lot else ''}")
    pegging = _pegging_json(peg_parts, count=count, pos_of_key=pos_of_key, key_item=item, sources=sources,
                            codes=codes)
    sup = supplier[item]
    buy = ~make[item]
    supplier_id = np.where(buy & ~np.isnan(sup), np.nan_to_num(sup), -1).astype(np.int64)
    out = pd.DataFrame({
        "key": cat["key"], "item_id": ids[item], "order_type": np.where(buy, "buy", "make"),
        "quantity": np.round(qty, 6), "net_quantity": np.round(net, 6),
        "release_date": _dates_many(cat["release"]), "due_date": _dates_many(cat["due"]),
        "bucket": cat["bucket"], "level": cat["lvl"], "lead_time_days": lt,
        "supplier_id": pd.array(supplier_id, dtype="Int64"), "bom_id": pd.array(cat["bom_id"], dtype="Int64"),
        "is_late": cat["release"] < today_d, "missing_bom": cat["missing_bom"], "missing_lead_time": lt <= 0,
        "reason_zh": zh, "reason_en": en, "pegging": pegging, "parent_key": pd.array(cat["parent"], dtype="Int64"),
    })
    for column in ("supplier_id", "bom_id", "parent_key"):
        out.loc[out[column] < 0, column] = pd.NA
    return out[_PLANNED_COLUMNS]


def _lot_rules(moq: np.ndarray, mult: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item: " (最小 100, 倍数 25)" / " (minimum 100, multiple 25)", or ""."""
    zh, en = np.full(len(moq), "", dtype=object), np.full(len(moq), "", dtype=object)
    for i in np.nonzero((moq > EPS) | (mult > EPS))[0].tolist():
        parts_zh, parts_en = [], []
        if moq[i] > EPS:
            parts_zh.append(f"最小 {_fmt(moq[i])}")
            parts_en.append(f"minimum {_fmt(moq[i])}")
        if mult[i] > EPS:
            parts_zh.append(f"倍数 {_fmt(mult[i])}")
            parts_en.append(f"multiple {_fmt(mult[i])}")
        zh[i], en[i] = f" ({', '.join(parts_zh)})", f" ({', '.join(parts_en)})"
    return zh, en


def _pegging_json(peg_parts, *, count, pos_of_key, key_item, sources, codes) -> np.ndarray:
    """Per order, its pegging as JSON text (an array of requirement entries, in FIFO order):
    {"k": "so", "ref", "line", "qty", "date"} · {"k": "wo" | "mps", "ref", "qty", "date"} ·
    {"k": "order", "key", "qty"} (a parent planned order of the same run: its item and release date,
    when the component is needed, are on that row) · {"k": "ss", "qty"}; "kit" is added when the
    requirement came through a kit. Built as text, one f-string per entry."""
    result = np.full(count, "[]", dtype=object)
    pegs = pd.concat(peg_parts, ignore_index=True) if peg_parts else pd.DataFrame()
    if not len(pegs):
        return result
    pegs = pegs.sort_values(["key", "seq"], kind="mergesort", ignore_index=True)
    kind = pegs["kind"].to_numpy(np.int64)
    src = pegs["src"].to_numpy(np.int64)
    code_json = [json.dumps(c, ensure_ascii=False) for c in codes]
    src_kind = sources["kind"].tolist()
    ref_json = [json.dumps(r, ensure_ascii=False) for r in sources["ref"].tolist()]
    src_line = sources["line"].tolist()
    entries = []
    for k, sr, kt, q, d in zip(kind.tolist(), src.tolist(), pegs["kit"].tolist(),
                                   _fmt_list(pegs["qty"].to_numpy(float)),
                                   _iso_list(np.maximum(pegs["need"].to_numpy(np.int64), 0))):
        if k == KIND_ORDER:
            text = f'{{"k":"order","key":{sr},"qty":{q}'
        elif k == KIND_SS:
            text = f'{{"k":"ss","qty":{q}'
        elif src_kind[sr] == KIND_SO:
            text = f'{{"k":"so","ref":{ref_json[sr]},"qty":{q},"date":"{d}","line":{src_line[sr]}'
        else:
            text = f'{{"k":"{KIND_NAMES[src_kind[sr]]}","ref":{ref_json[sr]},"qty":{q},"date":"{d}"'
        entries.append(f'{text},"kit":{code_json[kt]}}}' if kt >= 0 else text + "}")
    keys = pegs["key"].to_numpy(np.int64)
    starts = np.nonzero(_group_starts(keys))[0]
    ends = np.r_[starts[1:], len(keys)]
    positions = pos_of_key[keys[starts]]
    result[positions] = ["[" + ",".join(entries[a:b]) + "]" for a, b in zip(starts.tolist(), ends.tolist())]
    return result


def _exceptions(*, planned, release_days, due_days, receipts, receipt_used, kit_missing, cycles, ids, codes,
                today_d, uom_zh, uom_en, index) -> pd.DataFrame:
    frames: list[pd.DataFrame] = []
    codes_o, zh_o = _obj(codes), _obj(uom_zh)
    en_o = np.where(_obj(uom_en) != "", _obj(uom_en), zh_o)
    # excess supply: receipt quantities no requirement needs (FIFO leaves them uncovered)
    if len(receipts):
        spare = receipts["qty"].to_numpy(float) - receipt_used
        pick = np.nonzero(spare > 1e-6)[0]
        if len(pick):
            r = receipts.iloc[pick]
            it = r["item"].to_numpy(np.int64)
            ref = r["ref"].to_numpy(object)
            line = r["line"].astype(str).to_numpy(object)
            is_po = r["kind"].to_numpy(object) == "po"
            what_zh = np.where(is_po, ref + " 第 " + line + " 行", "工单 " + ref)
            what_en = np.where(is_po, ref + " line " + line, "work order " + ref)
            total_s, spare_s = _fmt_many(r["qty"].to_numpy(float)), _fmt_many(spare[pick])
            frames.append(pd.DataFrame({
                "item_id": ids[it], "kind": "excess", "ref": ref, "quantity": np.round(spare[pick], 6),
                "date": _dates_many(r["date"].to_numpy(np.int64)),
                "message_zh": codes_o[it] + ": " + what_zh + " 的 " + total_s + " " + zh_o[it] + " 中 " + spare_s + " "
                + zh_o[it] + " 无需求",
                "message_en": codes_o[it] + ": " + spare_s + " of " + total_s + " " + en_o[it] + " on " + what_en
                + " are not needed"}))
    rows = []
    for _u, _v, path in cycles:
        text = " → ".join(codes[i] for i in path)
        rows.append({"item_id": int(ids[path[0]]), "kind": "cycle", "ref": "", "quantity": None, "date": None,
                     "message_zh": f"BOM 循环: {text}; 已忽略闭合循环的行",
                     "message_en": f"BOM cycle: {text}; the line closing it was ignored"})
    if rows:
        frames.append(pd.DataFrame(rows))
    if len(planned):
        frame = pd.DataFrame({"pos": index.get_indexer(planned["item_id"].to_numpy(np.int64)),
                              "qty": planned["quantity"].to_numpy(float),
                              "release": release_days, "due": due_days,
                              "late": planned["is_late"].to_numpy(bool),
                              "no_bom": planned["missing_bom"].to_numpy(bool),
                              "no_lead": planned["missing_lead_time"].to_numpy(bool)})
        for flag, kind in (("no_bom", "missing_bom"), ("no_lead", "missing_lead_time"), ("late", "late")):
            g = (frame[frame[flag]].groupby("pos", as_index=False)
                 .agg(qty=("qty", "sum"), release=("release", "min"), due=("due", "min"), n=("qty", "size")))
            if not len(g):
                continue
            pos = g["pos"].to_numpy(np.int64)
            code = codes_o[pos]
            release_s = _iso_many(g["release"].to_numpy(np.int64))
            if kind == "missing_bom":
                zh = code + " 没有 " + release_s + " 生效的已发布 BOM, 无法展开"
                en = code + " has no released BOM in force on " + release_s + "; not exploded"
                day = g["release"].to_numpy(np.int64)
            elif kind == "missing_lead_time":
                zh = code + " 未设置提前期 (按 0 天计划)"
                en = code + " has no lead time (planned with 0 days)"
                day = g["due"].to_numpy(np.int64)
            else:
                n_s = g["n"].astype(str).to_numpy(object)
                zh = code + ": " + n_s + " 张计划单应在今天之前下达 (最早 " + release_s + ")"
                en = (code + ": " + n_s + " planned orders should have been released before today (earliest "
                      + release_s + ")")
                day = g["release"].to_numpy(np.int64)
            frames.append(pd.DataFrame({"item_id": ids[pos], "kind": kind, "ref": "",
                                        "quantity": np.round(g["qty"].to_numpy(float), 6), "date": _dates_many(day),
                                        "message_zh": zh, "message_en": en}))
    if kit_missing:
        km = pd.concat(kit_missing).groupby("item", as_index=False).agg(qty=("qty", "sum"), day=("day", "min"))
        it = km["item"].to_numpy(np.int64)
        day_s = _iso_many(km["day"].to_numpy(np.int64))
        frames.append(pd.DataFrame({
            "item_id": ids[it], "kind": "missing_bom", "ref": "", "quantity": np.round(km["qty"].to_numpy(float), 6),
            "date": _dates_many(km["day"].to_numpy(np.int64)),
            "message_zh": "套件 " + codes_o[it] + " 没有 " + day_s + " 生效的 BOM, 需求无法传给组件",
            "message_en": "Kit " + codes_o[it] + " has no BOM in force on " + day_s + "; its demand cannot reach its "
                          "components"}))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=_EXCEPTION_COLUMNS)
    return pd.concat(frames, ignore_index=True)[_EXCEPTION_COLUMNS]


# ---- kit availability --------------------------------------------------------------------------


def kit_availability(kit_lines: pd.DataFrame, free: pd.DataFrame, *, max_depth: int = 10) -> pd.DataFrame:
    """How many of each kit can be put together from what is free now.

    kit_lines: kit_id, component_id, qty_per (per 1 kit; a component may itself be a kit listed
    here, and may appear on several lines). free: item_id, quantity (on hand − reserved).
    Each component is counted once: its quantities per kit over all lines (and nested kits) are
    summed first, then available = min over components of floor(free / quantity per kit).
    Returns kit_id, available, limiting_component_id."""
    lines = kit_lines[["kit_id", "component_id", "qty_per"]].astype({"qty_per": float})
    kits = set(lines["kit_id"].tolist())
    flat = lines.rename(columns={"kit_id": "top"})
    for _ in range(max_depth):
        nested = flat["component_id"].isin(kits)
        if not nested.any():
            break
        inner = flat[nested].merge(lines, left_on="component_id", right_on="kit_id", suffixes=("", "_inner"))
        inner = pd.DataFrame({"top": inner["top"], "component_id": inner["component_id_inner"],
                              "qty_per": inner["qty_per"] * inner["qty_per_inner"]})
        flat = pd.concat([flat[~nested], inner], ignore_index=True)
    per_kit = flat.groupby(["top", "component_id"], as_index=False)["qty_per"].sum()
    free_qty = free.groupby("item_id")["quantity"].sum()
    per_kit["free"] = per_kit["component_id"].map(free_qty).fillna(0.0).clip(lower=0.0)
    per_kit["can"] = np.floor(per_kit["free"] / per_kit["qty_per"] + STEP_TOL)
    per_kit = per_kit.sort_values(["top", "can", "component_id"], kind="mergesort")
    best = per_kit.drop_duplicates("top")
    return pd.DataFrame({"kit_id": best["top"].to_numpy(np.int64), "available": best["can"].to_numpy(float),
                         "limiting_component_id": best["component_id"].to_numpy(np.int64)}).reset_index(drop=True)
