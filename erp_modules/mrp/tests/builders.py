"""Compact builders of engine inputs for the pure-pandas tests (no database)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd

from erp_modules.mrp.engine import MrpInputs, MrpResult

FAR_PAST = date(2000, 1, 1)


def item(code: str, item_type: str = "component", *, lt: int = 0, ss: float = 0, moq: float = 0, mult: float = 0,
         decimals: int = 0, uom: str = "个", uom_en: str = "pcs", supplier: int | None = None,
         supplier_lt: int | None = None, routing_lt: int = 0) -> dict:
    return {"code": code, "item_type": item_type, "lead_time_days": lt, "safety_stock": ss, "min_order_qty": moq,
            "order_multiple": mult, "decimals": decimals, "uom_zh": uom, "uom_en": uom_en, "supplier_id": supplier,
            "supplier_lead_time": supplier_lt, "routing_lead_time": routing_lt}


def build(items: list[dict], lines=(), demand=(), receipts=(), on_hand: dict | None = None,
          forecast=()) -> tuple[MrpInputs, dict[str, int]]:
    """lines: (parent, component, qty_per[, valid_from, valid_to, bom_id]) — one BOM per parent by default.
    demand: (code, date, quantity, ref, line[, kind]). receipts: (code, date, quantity, ref, line[, kind]).
    forecast: (code, week_start, quantity). Returns the inputs and code → item id."""
    ids = {row["code"]: 100 + n for n, row in enumerate(items)}
    items_df = pd.DataFrame([{"item_id": ids[row["code"]], **row} for row in items])
    bom_rows = []
    for line in lines:
        parent, component, qty_per, *rest = line
        valid_from = rest[0] if len(rest) > 0 else FAR_PAST
        valid_to = rest[1] if len(rest) > 1 else None
        bom_id = rest[2] if len(rest) > 2 else ids[parent]
        bom_rows.append({"bom_id": bom_id, "parent_id": ids[parent], "component_id": ids[component],
                         "qty_per": float(qty_per), "valid_from": valid_from, "valid_to": valid_to})
    bom_df = pd.DataFrame(bom_rows, columns=["bom_id", "parent_id", "component_id", "qty_per", "valid_from",
                                             "valid_to"])
    demand_df = pd.DataFrame(
        [{"item_id": ids[d[0]], "date": d[1], "quantity": float(d[2]), "ref": d[3], "line": d[4],
          "kind": d[5] if len(d) > 5 else "so"} for d in demand],
        columns=["item_id", "date", "quantity", "ref", "line", "kind"])
    receipts_df = pd.DataFrame(
        [{"item_id": ids[r[0]], "date": r[1], "quantity": float(r[2]), "ref": r[3], "line": r[4],
          "kind": r[5] if len(r) > 5 else "po"} for r in receipts],
        columns=["item_id", "date", "quantity", "ref", "line", "kind"])
    on_hand_df = pd.DataFrame([{"item_id": ids[c], "quantity": float(q)} for c, q in (on_hand or {}).items()],
                              columns=["item_id", "quantity"])
    forecast_df = pd.DataFrame([{"item_id": ids[c], "week_start": w, "quantity": float(q)} for c, w, q in forecast],
                               columns=["item_id", "week_start", "quantity"])
    return MrpInputs(items=items_df, bom_lines=bom_df, demand=demand_df, receipts=receipts_df, on_hand=on_hand_df,
                     forecast=forecast_df), ids


def orders(result: MrpResult, ids: dict[str, int], code: str) -> list[tuple[float, date, date]]:
    """(quantity, release, due) of an item's planned orders, by due date."""
    rows = result.planned[result.planned["item_id"] == ids[code]].sort_values("due_date")
    return [(float(q), r, d) for q, r, d in zip(rows["quantity"], rows["release_date"], rows["due_date"])]


def order_row(result: MrpResult, ids: dict[str, int], code: str, n: int = 0) -> dict:
    rows = result.planned[result.planned["item_id"] == ids[code]].sort_values("due_date")
    row = rows.iloc[n].to_dict()
    row["pegging"] = json.loads(row["pegging"])
    return row


def days(start: date, n: int) -> date:
    return start + timedelta(days=n)
