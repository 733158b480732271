"""Steps 4 and 5 (see the package docstring): FIFO pegging of one level's requirements (safety
stock first, then by date) to its supplies (on hand, receipts, planned orders), what each planned
order serves, and its due date (the first need it covers, kept inside its bucket)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrays import group_cumsum, group_starts
from .buckets import Buckets
from .contract import EPS, FAR, KIND_ORDER, KIND_SS, PEG_TOL
from .items import Items
from .netting import LevelNet
from .supply_demand import Rows

SUPPLY_ON_HAND, SUPPLY_RECEIPT, SUPPLY_ORDER = 0, 1, 2


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
    pos = np.concatenate([group_cumsum(req_item, np.asarray(req_qty, float)),
                          group_cumsum(sup_item, np.asarray(sup_qty, float))])
    is_req = np.r_[np.ones(nr, dtype=bool), np.zeros(ns, dtype=bool)]
    own = np.r_[np.arange(nr), np.arange(ns)]
    order = np.lexsort((~is_req, pos, item))
    item, pos, is_req, own = item[order], pos[order], is_req[order], own[order]
    big = np.iinfo(np.int64).max
    # the next requirement / supply (by index; indices grow with (item, position)) at or after each cut
    next_req = np.minimum.accumulate(np.where(is_req, own, big)[::-1])[::-1]
    next_sup = np.minimum.accumulate(np.where(~is_req, own, big)[::-1])[::-1]
    prev = np.r_[0.0, pos[:-1]]
    prev[group_starts(item)] = 0.0
    seg = pos - prev
    ok = (seg > EPS) & (next_req < big) & (next_sup < big)
    r = np.where(ok, next_req, 0)
    s = np.where(ok, next_sup, 0)
    ok &= (req_item[np.minimum(r, nr - 1)] == item) & (sup_item[np.minimum(s, ns - 1)] == item)
    return r[ok], s[ok], seg[ok]


@dataclass(frozen=True)
class LevelOrders:
    """The planned orders of one level, one element each: key (unique in the run), item
    position, bucket, quantity and net quantity (the shortage before lot sizing)."""

    key: np.ndarray
    item: np.ndarray
    bucket: np.ndarray
    qty: np.ndarray
    net: np.ndarray

    def __len__(self) -> int:
        return len(self.key)


@dataclass(frozen=True)
class PegMatch:
    """Who covers whom on one level. Per overlap: req (requirement index), kind and ref of the
    supply (SUPPLY_*; ref is the receipt number or the order's index in `LevelOrders`), qty.
    Per requirement: row (the requirement row, −1 for safety stock) and need (its day, −1 for
    safety stock)."""

    req: np.ndarray
    sup_kind: np.ndarray
    sup_ref: np.ndarray
    qty: np.ndarray
    req_row: np.ndarray
    req_need: np.ndarray


def _requirements(current: Rows, lv: LevelNet, *, items: Items):
    """(item, bucket, need, qty, row) of the level's requirements: safety stock first (bucket
    and need −1), then the requirement rows."""
    c = current.a
    ss_items = lv.members[items.ss[lv.members] > EPS]
    k = len(ss_items)
    return (np.concatenate([ss_items, c["item"]]), np.concatenate([np.full(k, -1), lv.need_bucket]),
            np.concatenate([np.full(k, -1), c["need"]]), np.concatenate([items.ss[ss_items], c["qty"]]),
            np.concatenate([np.full(k, -1), np.arange(len(current))]))


def _supplies(lv: LevelNet, orders: LevelOrders, *, on_hand: np.ndarray, receipts: pd.DataFrame,
              buckets: Buckets):
    """(item, bucket, rank, date, qty, kind, ref) of the level's supplies: on hand (bucket −1),
    receipts, planned orders (dated at their bucket's start)."""
    oh_items = lv.members[on_hand[lv.members] > EPS]
    lev_rec = receipts[lv.receipt_mask]
    k, r, o = len(oh_items), len(lev_rec), len(orders)
    return (np.concatenate([oh_items, lev_rec["item"].to_numpy(np.int64), orders.item]),
            np.concatenate([np.full(k, -1), lev_rec["bucket"].to_numpy(np.int64), orders.bucket]),
            np.concatenate([np.zeros(k), np.ones(r), np.full(o, 2)]),
            np.concatenate([np.zeros(k), lev_rec["date"].to_numpy(np.int64), buckets.starts[orders.bucket]]),
            np.concatenate([on_hand[oh_items], lev_rec["qty"].to_numpy(float), orders.qty]),
            np.concatenate([np.full(k, SUPPLY_ON_HAND), np.full(r, SUPPLY_RECEIPT), np.full(o, SUPPLY_ORDER)]),
            np.concatenate([np.full(k, -1), np.nonzero(lv.receipt_mask)[0], np.arange(o)]))


def peg_level(current: Rows, lv: LevelNet, orders: LevelOrders, *, items: Items, on_hand: np.ndarray,
              receipts: pd.DataFrame, buckets: Buckets) -> PegMatch:
    """Takes the level's requirement rows, netting and planned orders, with on hand and the
    receipts; gives the FIFO `PegMatch` of requirements (by item, bucket, date) to supplies (by
    item, bucket, on hand / receipt / order, date)."""
    req_item, req_bucket, req_need, req_qty, req_row = _requirements(current, lv, items=items)
    r_order = np.lexsort((req_row, req_need, req_bucket, req_item))
    sup_item, sup_bucket, sup_rank, sup_date, sup_qty, sup_kind, sup_ref = _supplies(
        lv, orders, on_hand=on_hand, receipts=receipts, buckets=buckets)
    s_order = np.lexsort((sup_date, sup_rank, sup_bucket, sup_item))
    ri, si, q = fifo_match(req_item[r_order], req_qty[r_order], sup_item[s_order], sup_qty[s_order])
    ri, si = r_order[ri], s_order[si]
    return PegMatch(req=ri, sup_kind=sup_kind[si], sup_ref=sup_ref[si], qty=q, req_row=req_row, req_need=req_need)


def receipts_use(match: PegMatch, receipt_used: np.ndarray) -> None:
    """Adds the quantity of each receipt that covers a requirement to `receipt_used` (in place)."""
    to_receipt = match.sup_kind == SUPPLY_RECEIPT
    np.add.at(receipt_used, match.sup_ref[to_receipt], match.qty[to_receipt])


@dataclass(frozen=True)
class OrderPegs:
    """pegs: per order and requirement served (merged per kind, source and kit), in FIFO order:
    key, o (the order's index), kind, src, kit, qty, origin, need, seq. Per order (by index):
    origin (the first top demand it serves, −1 for safety stock only), parent (the key of the
    parent planned order of that first requirement, −1 if none), kit, npeg (requirements served,
    safety stock aside)."""

    pegs: pd.DataFrame
    origin: np.ndarray
    parent: np.ndarray
    kit: np.ndarray
    npeg: np.ndarray


def order_pegs(match: PegMatch, current: Rows, orders: LevelOrders) -> OrderPegs:
    """Takes the level's match, requirement rows and orders; gives each order's `OrderPegs`."""
    c, count = current.a, len(orders)
    to_order = match.sup_kind == SUPPLY_ORDER
    row = match.req_row[match.req[to_order]]
    is_ss = row < 0
    safe_row = np.where(is_ss, 0, row)

    def of_row(field: str, default: int) -> np.ndarray:
        return np.where(is_ss, default, c[field][safe_row] if len(current) else default)

    pegs = pd.DataFrame({
        "o": match.sup_ref[to_order], "qty": match.qty[to_order],
        "kind": np.where(is_ss, KIND_SS, c["kind"][safe_row] if len(current) else 0),
        "src": of_row("src", -1), "origin": of_row("origin", -1), "kit": of_row("kit", -1),
        "need": of_row("need", -1), "seq": np.nonzero(to_order)[0],
    })
    pegs = (pegs.groupby(["o", "kind", "src", "kit"], as_index=False, sort=False)
            .agg(qty=("qty", "sum"), origin=("origin", "first"), need=("need", "min"), seq=("seq", "min")))
    pegs = pegs.sort_values(["o", "seq"], kind="mergesort", ignore_index=True)
    # the first demand an order serves (safety stock only if it serves nothing else)
    real = pegs[pegs["kind"] != KIND_SS]
    first = real.drop_duplicates("o")
    origin = np.full(count, -1, dtype=np.int64)
    parent = np.full(count, -1, dtype=np.int64)
    kit = np.full(count, -1, dtype=np.int64)
    npeg = np.bincount(real["o"].to_numpy(np.int64), minlength=count) if count else np.zeros(0, np.int64)
    fo = first["o"].to_numpy(np.int64)
    origin[fo] = first["origin"].to_numpy(np.int64)
    parent[fo] = np.where(first["kind"].to_numpy() == KIND_ORDER, first["src"].to_numpy(np.int64), -1)
    kit[fo] = first["kit"].to_numpy(np.int64)
    pegs["key"] = orders.key[pegs["o"].to_numpy(np.int64)] if count else pegs["o"]
    return OrderPegs(pegs=pegs, origin=origin, parent=parent, kit=kit, npeg=npeg)


def due_dates(match: PegMatch, orders: LevelOrders, *, buckets: Buckets) -> np.ndarray:
    """Takes the level's match and orders; gives each order's due day: the first need it covers
    (the bucket only merged quantities), its bucket's start if it only restores safety stock,
    kept inside its bucket (so never before today)."""
    first_need = np.full(len(orders), FAR, dtype=np.int64)
    to_order = match.sup_kind == SUPPLY_ORDER
    covers = match.qty[to_order] > PEG_TOL
    np.minimum.at(first_need, match.sup_ref[to_order][covers], match.req_need[match.req[to_order]][covers])
    start, end = buckets.starts[orders.bucket], buckets.ends[orders.bucket]
    return np.where(first_need == FAR, start, np.clip(first_need, start, end))
