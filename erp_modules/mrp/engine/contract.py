"""The engine's contract: its constants, what it reads (`MrpInputs`) and what it gives (`MrpResult`).

All quantities are float64 in the item's unit; dates are integer day numbers since 1970-01-01
inside the engine and `datetime.date` in its results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

EPS = 1e-9  # quantities below this are zero
PEG_TOL = 1e-6  # a pegged quantity below this (float noise) does not set an order's due date
STEP_TOL = 1e-6  # tolerance (in units of the smallest step) when rounding up
KIND_SS, KIND_SO, KIND_WO, KIND_MPS, KIND_ORDER = 0, 1, 2, 3, 4
KIND_NAMES = {KIND_SS: "ss", KIND_SO: "so", KIND_WO: "wo", KIND_MPS: "mps", KIND_ORDER: "order"}
MAKE_TYPES = ("finished", "subassembly")
EPOCH = dt.date(1970, 1, 1)
FAR = 10 ** 7  # a day number far in the future (open-ended validity)

PLANNED_COLUMNS = ["key", "item_id", "order_type", "quantity", "net_quantity", "release_date", "due_date",
                   "bucket", "level", "lead_time_days", "supplier_id", "bom_id", "is_late", "missing_bom",
                   "missing_lead_time", "reason_zh", "reason_en", "pegging", "parent_key"]
EXCEPTION_COLUMNS = ["item_id", "kind", "ref", "quantity", "date", "message_zh", "message_en"]
PLAN_COLUMNS = ["item", "level", "on_hand", "safety_stock", "gross", "receipts", "planned", "projected"]


@dataclass
class MrpInputs:
    """What the engine reads. Column names are the contract (extra columns are ignored).

    items:     item_id, code, item_type, lead_time_days, safety_stock, min_order_qty, order_multiple,
               decimals; optional uom_zh, uom_en, supplier_id, supplier_lead_time (NaN = none),
               routing_lead_time (days of the routing for one order; 0 = none)
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
    """planned: one row per planned order (see `PLANNED_COLUMNS`), pegging as JSON text (see
    `orders.pegging_json`), ready to store.
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
