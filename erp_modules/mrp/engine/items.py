"""Step 1a: the item master as parallel numpy arrays, indexed by item position (items sorted by id)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .contract import MAKE_TYPES


@dataclass(frozen=True)
class Items:
    """One element per item, in item_id order. Positions (0 … n − 1) are what every other step
    uses; `ids` maps them back. `make` and `lead` are set by `items_sourcing` once the BOMs are
    known."""

    ids: np.ndarray  # int64 item_id
    index: pd.Index  # item_id → position
    codes: np.ndarray  # object
    itype: np.ndarray  # object
    is_kit: np.ndarray
    is_service: np.ndarray
    ss: np.ndarray  # safety stock
    moq: np.ndarray  # minimum order quantity
    mult: np.ndarray  # order multiple
    scale: np.ndarray  # 10 ** decimals (at most 4)
    item_lt: np.ndarray  # the item's lead time, days
    supplier: np.ndarray  # float, NaN = none
    sup_lt: np.ndarray  # the supplier's price-list lead time, float, NaN = none
    routing_lt: np.ndarray  # days of the item's routing for one order (0: no routing), for a made item without one
    uom_zh: np.ndarray
    uom_en: np.ndarray
    make: np.ndarray | None = None  # made (exploded), not bought
    lead: np.ndarray | None = None  # the lead time planned with, days

    @property
    def n(self) -> int:
        return len(self.ids)

    def positions(self, values) -> np.ndarray:
        """item_ids → positions (−1 for an unknown id)."""
        return self.index.get_indexer(np.asarray(values, dtype=np.int64)) if len(values) else np.zeros(0, np.int64)


def _optional(items: pd.DataFrame, column: str, default) -> pd.Series:
    return items[column] if column in items else pd.Series(default, index=items.index)


def items_prepare(frame: pd.DataFrame) -> Items:
    """Takes `MrpInputs.items`; gives `Items` (without `make` / `lead`)."""
    items = frame.sort_values("item_id", ignore_index=True)
    ids = items["item_id"].to_numpy(np.int64)
    itype = items["item_type"].astype(str).to_numpy(object)
    return Items(
        ids=ids, index=pd.Index(ids), codes=items["code"].astype(str).to_numpy(object), itype=itype,
        is_kit=itype == "kit", is_service=itype == "service",
        ss=items["safety_stock"].to_numpy(float), moq=items["min_order_qty"].to_numpy(float),
        mult=items["order_multiple"].to_numpy(float),
        scale=10.0 ** np.minimum(items["decimals"].to_numpy(np.int64), 4),
        item_lt=items["lead_time_days"].fillna(0).to_numpy(np.int64),
        supplier=pd.to_numeric(_optional(items, "supplier_id", np.nan), errors="coerce").to_numpy(float),
        sup_lt=pd.to_numeric(_optional(items, "supplier_lead_time", np.nan), errors="coerce").to_numpy(float),
        routing_lt=pd.to_numeric(_optional(items, "routing_lead_time", 0), errors="coerce").fillna(0).to_numpy(np.int64),
        uom_zh=_optional(items, "uom_zh", "").fillna("").to_numpy(object),
        uom_en=_optional(items, "uom_en", "").fillna("").to_numpy(object),
    )


def items_sourcing(items: Items, *, has_bom: np.ndarray) -> Items:
    """Takes the items and which of them have a BOM (any version); gives the items with `make`
    (not a kit nor a service, and a BOM or a finished / sub-assembly type) and `lead` (the
    supplier's price-list lead time for a bought item when it has one, else the item's; a made item
    without a lead time of its own takes its routing's, so in-house sub-assemblies with a routing are
    not reported as missing a lead time)."""
    make = ~items.is_kit & ~items.is_service & (has_bom | np.isin(items.itype, MAKE_TYPES))
    own = np.where(make & (items.item_lt <= 0), items.routing_lt, items.item_lt)
    lead = np.where(~make & ~np.isnan(items.sup_lt), np.nan_to_num(items.sup_lt), own).astype(np.int64)
    return replace(items, make=make, lead=lead)
