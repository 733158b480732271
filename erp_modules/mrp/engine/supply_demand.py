"""Step 2 (see the package docstring): independent demand (order and work-order lines, the
master schedule net of the week's open orders) and supply (receipts, on hand) as arrays of item
positions and day numbers; kits and services are not stocked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import iso_week, to_days
from .buckets import Buckets
from .contract import EPS, KIND_MPS, KIND_SO, KIND_WO
from .items import Items


class Rows:
    """Requirement rows as parallel numpy arrays (faster to concatenate than DataFrames):
    item position, need day, quantity, kind (KIND_*), src (the demand source, or the parent
    planned order's key for KIND_ORDER), origin (the top demand source), kit (the kit it came
    through, −1 if none)."""

    FIELDS = {"item": np.int64, "need": np.int64, "qty": float, "kind": np.int64, "src": np.int64,
              "origin": np.int64, "kit": np.int64}

    def __init__(self, **arrays):
        self.a = {k: np.asarray(arrays.get(k, np.zeros(0)), dtype=t) for k, t in self.FIELDS.items()}

    def __len__(self):
        return len(self.a["qty"])

    def take(self, mask) -> Rows:
        return Rows(**{k: v[mask] for k, v in self.a.items()})

    @staticmethod
    def concat(parts: list[Rows]) -> Rows:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Rows()
        return Rows(**{k: np.concatenate([p.a[k] for p in parts]) for k in Rows.FIELDS})


def _column(frame: pd.DataFrame, values, empty_dtype) -> np.ndarray:
    return values() if len(frame) else np.zeros(0, empty_dtype)


def _lines(frame: pd.DataFrame, *, items: Items) -> dict[str, np.ndarray]:
    """item, date, qty, ref, line of demand or receipt lines (an empty frame may lack columns)."""
    return {
        "item": _column(frame, lambda: items.positions(frame["item_id"]), np.int64),
        "date": _column(frame, lambda: to_days(frame["date"]), np.int64),
        "qty": _column(frame, lambda: frame["quantity"].to_numpy(float), float),
        "ref": _column(frame, lambda: frame["ref"].astype(str).to_numpy(object), object),
        "line": _column(frame, lambda: pd.to_numeric(frame["line"], errors="coerce").fillna(0).to_numpy(np.int64),
                        np.int64),
    }


def forecast_net(forecast: pd.DataFrame, orders: pd.DataFrame, *, items: Items, buckets: Buckets) -> pd.DataFrame:
    """Takes `MrpInputs.forecast` and the sales-order demand sources; gives the master-schedule
    sources (item, date, qty, kind, ref = ISO week, line): per item × week from this week on,
    the forecast less the open orders of that week, dated its Monday (today for this week)."""
    f = pd.DataFrame({"item": items.positions(forecast["item_id"]), "week": to_days(forecast["week_start"]),
                      "qty": forecast["quantity"].to_numpy(float)})
    f["week"] = f["week"] - ((f["week"] + 3) % 7)  # the Monday of that week (1970-01-01 was a Thursday)
    f = f[(f["item"] >= 0) & (f["week"] >= buckets.monday0)].groupby(["item", "week"], as_index=False)["qty"].sum()
    ordered = (pd.DataFrame({"item": orders["item"], "week": orders["date"] - ((orders["date"] + 3) % 7),
                             "o": orders["qty"]})
               .groupby(["item", "week"], as_index=False)["o"].sum())
    f = f.merge(ordered, on=["item", "week"], how="left").fillna({"o": 0.0})
    f["qty"] = f["qty"] - f["o"]  # open orders of the week consume its forecast
    f = f[f["qty"] > EPS]
    return pd.DataFrame({"item": f["item"].to_numpy(np.int64),
                         "date": np.maximum(f["week"].to_numpy(np.int64), buckets.today_d),
                         "qty": f["qty"].to_numpy(float), "kind": KIND_MPS,
                         "ref": [iso_week(w) for w in f["week"].tolist()], "line": 0})


def demand_sources(demand: pd.DataFrame, forecast: pd.DataFrame | None, *, items: Items,
                   buckets: Buckets) -> pd.DataFrame:
    """Takes `MrpInputs.demand` and `.forecast`; gives the independent demand, one row per source
    (item, date, qty, kind, ref, line; the row number is what pegging points back to): order and
    work-order lines of known, non-service items, then the net master schedule."""
    lines = _lines(demand, items=items)
    kind = _column(demand, lambda: demand["kind"].map({"so": KIND_SO, "wo": KIND_WO}).fillna(KIND_SO)
                   .to_numpy(np.int64), np.int64)
    sources = pd.DataFrame({"item": lines["item"], "date": lines["date"], "qty": lines["qty"], "kind": kind,
                            "ref": lines["ref"], "line": lines["line"]})
    sources = sources[(sources["item"] >= 0) & (sources["qty"] > EPS)]
    sources = sources[~items.is_service[sources["item"].to_numpy()]] if len(sources) else sources
    if forecast is not None and len(forecast):
        mps = forecast_net(forecast, sources[sources["kind"] == KIND_SO], items=items, buckets=buckets)
        sources = pd.concat([sources, mps], ignore_index=True)
    return sources.reset_index(drop=True)


def demand_rows(sources: pd.DataFrame) -> Rows:
    """Takes the demand sources; gives them as the first requirement rows (each its own origin)."""
    return Rows(item=sources["item"].to_numpy(np.int64), need=sources["date"].to_numpy(np.int64),
                qty=sources["qty"].to_numpy(float), kind=sources["kind"].to_numpy(np.int64),
                src=np.arange(len(sources)), origin=np.arange(len(sources)), kit=np.full(len(sources), -1))


def receipts_prepare(receipts: pd.DataFrame, *, items: Items, buckets: Buckets) -> pd.DataFrame:
    """Takes `MrpInputs.receipts`; gives item, date, qty, kind, ref, line, bucket of the receipts
    of stocked items (not kits nor services), numbered 0 … n − 1."""
    lines = _lines(receipts, items=items)
    frame = pd.DataFrame({"item": lines["item"], "date": lines["date"], "qty": lines["qty"],
                          "kind": _column(receipts, lambda: receipts["kind"].astype(str).to_numpy(object), object),
                          "ref": lines["ref"], "line": lines["line"]})
    frame = frame[(frame["item"] >= 0) & (frame["qty"] > EPS)]
    frame = frame[~(items.is_service | items.is_kit)[frame["item"].to_numpy()]].reset_index(drop=True)
    frame["bucket"] = buckets.of(frame["date"].to_numpy())
    return frame


def on_hand_prepare(on_hand: pd.DataFrame, *, items: Items) -> np.ndarray:
    """Takes `MrpInputs.on_hand`; gives the quantity on hand per item position (0 for kits and
    services, which are not stocked)."""
    oh = np.zeros(items.n)
    if len(on_hand):
        oh_idx = items.positions(on_hand["item_id"])
        ok = oh_idx >= 0
        np.add.at(oh, oh_idx[ok], on_hand["quantity"].to_numpy(float)[ok])
    oh[items.is_kit | items.is_service] = 0.0
    return oh
