"""Step 3 (see the package docstring): gross to net and lot sizing of one level, per item ×
bucket, the loop over buckets vectorised over the level's items; and the level's item-chart rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrays import ceil_step
from .buckets import Buckets
from .contract import EPS, STEP_TOL
from .items import Items
from .supply_demand import Rows


@dataclass(frozen=True)
class LevelNet:
    """The netting of one level. members: the item positions netted (the level's items, kits and
    services aside); loc: item position → row in the matrices (−1 if not a member). The matrices
    are members × buckets. need_bucket: the bucket of each requirement row of the level;
    receipt_mask: which receipts belong to the level's items."""

    members: np.ndarray
    loc: np.ndarray
    need_bucket: np.ndarray
    receipt_mask: np.ndarray
    gross: np.ndarray
    sched: np.ndarray
    planned: np.ndarray
    net: np.ndarray
    projected: np.ndarray


def lot_size(short: np.ndarray, need: np.ndarray, *, moq: np.ndarray, mult: np.ndarray,
             scale: np.ndarray) -> np.ndarray:
    """Takes the shortage below safety stock per item and where it is a need; gives the order
    quantity: rounded up to the unit's step, at least the minimum, up to the multiple, up to the
    step again (0 where there is no need)."""
    q = ceil_step(np.where(need, short, 0.0), scale)
    q = np.maximum(q, moq)
    q = np.where(mult > 0, np.ceil(q / np.where(mult > 0, mult, 1) - STEP_TOL) * mult, q)
    return np.where(need, ceil_step(q, scale), 0.0)


def net_buckets(gross: np.ndarray, sched: np.ndarray, on_hand: np.ndarray, *, ss: np.ndarray, moq: np.ndarray,
                mult: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Takes gross requirements and scheduled receipts (items × buckets), on hand and the lot
    rules per item; gives (planned, net, projected) per item × bucket."""
    m, n_buckets = gross.shape
    planned = np.zeros((m, n_buckets))
    net = np.zeros((m, n_buckets))
    projected = np.zeros((m, n_buckets))
    pab = on_hand.copy()
    for t in range(n_buckets):
        available = pab + sched[:, t] - gross[:, t]
        short = ss - available
        need = short > EPS
        if need.any():
            q = lot_size(short, need, moq=moq, mult=mult, scale=scale)
            planned[:, t] = q
            net[:, t] = np.where(need, short, 0.0)
            available = available + q
        pab = available
        projected[:, t] = pab
    return planned, net, projected


def level_net(current: Rows, members: np.ndarray, *, items: Items, on_hand: np.ndarray, receipts: pd.DataFrame,
              buckets: Buckets) -> LevelNet:
    """Takes the level's requirement rows (kits removed), its member items, on hand, the
    receipts and the calendar; gives the level's `LevelNet`."""
    m, n_buckets = len(members), buckets.count
    loc = np.full(items.n, -1, dtype=np.int64)
    loc[members] = np.arange(m)
    c = current.a
    need_bucket = buckets.of(c["need"])
    gross = np.zeros((m, n_buckets))
    np.add.at(gross, (loc[c["item"]], need_bucket), c["qty"])
    rmask = loc[receipts["item"].to_numpy()] >= 0 if len(receipts) else np.zeros(0, dtype=bool)
    lev_rec = receipts[rmask]
    sched = np.zeros((m, n_buckets))
    np.add.at(sched, (loc[lev_rec["item"].to_numpy()], lev_rec["bucket"].to_numpy()), lev_rec["qty"].to_numpy())
    planned, net, projected = net_buckets(gross, sched, on_hand[members], ss=items.ss[members],
                                          moq=items.moq[members], mult=items.mult[members],
                                          scale=items.scale[members])
    return LevelNet(members=members, loc=loc, need_bucket=need_bucket, receipt_mask=rmask, gross=gross, sched=sched,
                    planned=planned, net=net, projected=projected)


def plan_rows(lv: LevelNet, lvl: int, *, items: Items, on_hand: np.ndarray) -> pd.DataFrame:
    """Takes a level's netting; gives the item-chart rows (`contract.PLAN_COLUMNS`) of its items with any
    activity: demand, receipts, planned orders, stock or safety stock."""
    members = lv.members
    l_ss = items.ss[members]
    active = (lv.gross.any(axis=1) | lv.sched.any(axis=1) | lv.planned.any(axis=1)
              | (np.abs(on_hand[members]) > EPS) | (l_ss > EPS))
    act = np.nonzero(active)[0]
    return pd.DataFrame({
        "item": members[act], "level": lvl, "on_hand": on_hand[members][act], "safety_stock": l_ss[act],
        "gross": list(np.round(lv.gross[act], 4)), "receipts": list(np.round(lv.sched[act], 4)),
        "planned": list(np.round(lv.planned[act], 4)), "projected": list(np.round(lv.projected[act], 4))})
