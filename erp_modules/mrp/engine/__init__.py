"""The MRP engine: a pure function over pandas DataFrames (no ORM, no Django, no I/O).

    result = mrp_compute(MrpInputs(items=..., bom_lines=..., demand=..., receipts=..., on_hand=...,
                                   forecast=...), today=date(2025, 5, 6), bucket="week")

How it plans (set-based; the only Python loops are over BOM levels and time buckets, each step
working on every item of the level at once with numpy), one module per step:

1. `items`, `bom`: the item master as arrays; low-level codes. Every item gets the length of the
   longest BOM path from a top item to it (Kahn layering over the edges of every BOM version
   still in force in the horizon), so an item used at several levels is netted once, after all
   its parents. A cycle is not looped: the lines that close it are dropped and reported
   (exception "cycle" with the path).
2. `buckets`, `supply_demand`: day or week buckets; independent demand — open sales order lines,
   components still to issue to open work orders, and the master schedule / forecast per item ×
   week, which open sales orders of the same week consume (only the part of the forecast not yet
   ordered is added); receipts and stock on hand.
3. `netting`: per level, per item × bucket, gross to net:
       available = projected on hand (previous bucket) + scheduled receipts − gross requirement
       if available < safety stock: planned = lot size(safety stock − available)
   lot size: lot-for-lot, raised to the minimum order quantity, rounded up to the order multiple,
   then up to the unit's decimals. The loop runs over buckets, vectorised over the level's items.
4. `pegging`: per item, requirements (safety stock first, then by date) are matched to supplies
   (on hand, then receipts and planned orders by bucket) first-in first-out on cumulative
   quantity, which is consistent with the netting above. A planned order keeps the requirements
   it covers (a demand line, or a parent planned order for dependent demand); receipt quantities
   that cover nothing are "excess supply".
5. Dates (`pegging.due_dates`, `compute`). Buckets only group quantities (netting, lot sizing,
   the item chart); they never move a date. A planned order is due on the date of the first
   requirement it covers (from the pegging: in a week bucket, the first need of the week that
   the week's supply does not meet), or at the start of its bucket when it restores safety stock
   (today in the first bucket). A need before today (an overdue order line, a late parent) is
   due today. The order is released lead time days before it is due (the supplier's price-list
   lead time for bought items when it has one, else the item's). A made item is exploded with
   the BOM version in force on its start date (a late order, released "before today", is made
   today, as production does); its components are needed on the release date, rounded up to
   their unit's decimals per BOM line. So a chain of levels is offset by lead times only, in day
   and in week buckets alike; week buckets may merge the needs of a week into one order, due at
   the earliest of them (and a receipt of the week counts for the whole week; day buckets show
   when it is too late).
6. Kits are phantoms (`compute.kits_pass`): never netted nor planned; their requirements pass
   straight to their components on the same date (with the kit BOM in force then).
7. `orders`, `exceptions`: the planned-order table with reasons and pegging, and the exceptions.
   `compute.mrp_compute` runs the steps; `kits.kit_availability` serves the kits page.

All quantities are float64 in the item's unit; dates are handled as integer day numbers
(`contract` holds the constants and the input / result types, `arrays` the small helpers).
"""

from .bom import low_level_codes
from .compute import mrp_compute
from .contract import (
    EPOCH,
    EPS,
    FAR,
    KIND_MPS,
    KIND_NAMES,
    KIND_ORDER,
    KIND_SO,
    KIND_SS,
    KIND_WO,
    MAKE_TYPES,
    PEG_TOL,
    STEP_TOL,
    MrpInputs,
    MrpResult,
)
from .kits import kit_availability
from .pegging import fifo_match

__all__ = [
    "EPOCH", "EPS", "FAR", "KIND_MPS", "KIND_NAMES", "KIND_ORDER", "KIND_SO", "KIND_SS", "KIND_WO", "MAKE_TYPES",
    "PEG_TOL", "STEP_TOL", "MrpInputs", "MrpResult", "fifo_match", "kit_availability", "low_level_codes",
    "mrp_compute",
]
