"""Step 7: the exceptions (`MrpResult.exceptions`): excess supply, BOM cycles, planned orders
without a BOM, without a lead time or released late (one row per item each), and kits whose
demand cannot reach their components. Messages in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import dates_many, fmt_many, iso_many, obj
from .contract import EXCEPTION_COLUMNS
from .items import Items


def _units(items: Items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, unit zh, unit en — the zh one where there is no en one) as object arrays."""
    zh_o = obj(items.uom_zh)
    return obj(items.codes), zh_o, np.where(obj(items.uom_en) != "", obj(items.uom_en), zh_o)


def excess_supply(receipts: pd.DataFrame, receipt_used: np.ndarray, *, items: Items) -> pd.DataFrame | None:
    """Takes the receipts and how much of each covers a requirement; gives one "excess" row per
    receipt with a quantity no requirement needs (FIFO leaves it uncovered), or None."""
    if not len(receipts):
        return None
    spare = receipts["qty"].to_numpy(float) - receipt_used
    pick = np.nonzero(spare > 1e-6)[0]
    if not len(pick):
        return None
    codes_o, zh_o, en_o = _units(items)
    r = receipts.iloc[pick]
    it = r["item"].to_numpy(np.int64)
    ref = r["ref"].to_numpy(object)
    line = r["line"].astype(str).to_numpy(object)
    is_po = r["kind"].to_numpy(object) == "po"
    what_zh = np.where(is_po, ref + " 第 " + line + " 行", "工单 " + ref)
    what_en = np.where(is_po, ref + " line " + line, "work order " + ref)
    total_s, spare_s = fmt_many(r["qty"].to_numpy(float)), fmt_many(spare[pick])
    return pd.DataFrame({
        "item_id": items.ids[it], "kind": "excess", "ref": ref, "quantity": np.round(spare[pick], 6),
        "date": dates_many(r["date"].to_numpy(np.int64)),
        "message_zh": codes_o[it] + ": " + what_zh + " 的 " + total_s + " " + zh_o[it] + " 中 " + spare_s + " "
        + zh_o[it] + " 无需求",
        "message_en": codes_o[it] + ": " + spare_s + " of " + total_s + " " + en_o[it] + " on " + what_en
        + " are not needed"})


def cycle_rows(cycles: list, *, items: Items) -> pd.DataFrame | None:
    """Takes the cycles found (u, v, path); gives one "cycle" row per cycle with its path, or None."""
    rows = []
    for _u, _v, path in cycles:
        text = " → ".join(items.codes[i] for i in path)
        rows.append({"item_id": int(items.ids[path[0]]), "kind": "cycle", "ref": "", "quantity": None, "date": None,
                     "message_zh": f"BOM 循环: {text}; 已忽略闭合循环的行",
                     "message_en": f"BOM cycle: {text}; the line closing it was ignored"})
    return pd.DataFrame(rows) if rows else None


def _flag_messages(kind: str, g: pd.DataFrame, code: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(message zh, message en, day) of one planned-order flag, per item group."""
    release_s = iso_many(g["release"].to_numpy(np.int64))
    if kind == "missing_bom":
        return (code + " 没有 " + release_s + " 生效的已发布 BOM, 无法展开",
                code + " has no released BOM in force on " + release_s + "; not exploded",
                g["release"].to_numpy(np.int64))
    if kind == "missing_lead_time":
        return (code + " 未设置提前期 (按 0 天计划)", code + " has no lead time (planned with 0 days)",
                g["due"].to_numpy(np.int64))
    n_s = g["n"].astype(str).to_numpy(object)
    return (code + ": " + n_s + " 张计划单应在今天之前下达 (最早 " + release_s + ")",
            code + ": " + n_s + " planned orders should have been released before today (earliest " + release_s + ")",
            g["release"].to_numpy(np.int64))


def planned_order_flags(planned: pd.DataFrame, release_days: np.ndarray, due_days: np.ndarray, *,
                        items: Items) -> list[pd.DataFrame]:
    """Takes the planned-order table and its release / due days; gives, per flag (missing BOM,
    missing lead time, late), one row per item with the total quantity and the earliest date."""
    if not len(planned):
        return []
    codes_o = obj(items.codes)
    frame = pd.DataFrame({"pos": items.index.get_indexer(planned["item_id"].to_numpy(np.int64)),
                          "qty": planned["quantity"].to_numpy(float),
                          "release": release_days, "due": due_days,
                          "late": planned["is_late"].to_numpy(bool),
                          "no_bom": planned["missing_bom"].to_numpy(bool),
                          "no_lead": planned["missing_lead_time"].to_numpy(bool)})
    frames = []
    for flag, kind in (("no_bom", "missing_bom"), ("no_lead", "missing_lead_time"), ("late", "late")):
        g = (frame[frame[flag]].groupby("pos", as_index=False)
             .agg(qty=("qty", "sum"), release=("release", "min"), due=("due", "min"), n=("qty", "size")))
        if not len(g):
            continue
        pos = g["pos"].to_numpy(np.int64)
        zh, en, day = _flag_messages(kind, g, codes_o[pos])
        frames.append(pd.DataFrame({"item_id": items.ids[pos], "kind": kind, "ref": "",
                                    "quantity": np.round(g["qty"].to_numpy(float), 6), "date": dates_many(day),
                                    "message_zh": zh, "message_en": en}))
    return frames


def kit_missing_rows(kit_missing: list[pd.DataFrame], *, items: Items) -> pd.DataFrame | None:
    """Takes the kit requirements that found no kit BOM (item, qty, day); gives one "missing_bom"
    row per kit, or None."""
    if not kit_missing:
        return None
    km = pd.concat(kit_missing).groupby("item", as_index=False).agg(qty=("qty", "sum"), day=("day", "min"))
    it = km["item"].to_numpy(np.int64)
    codes_o = obj(items.codes)
    day_s = iso_many(km["day"].to_numpy(np.int64))
    return pd.DataFrame({
        "item_id": items.ids[it], "kind": "missing_bom", "ref": "", "quantity": np.round(km["qty"].to_numpy(float), 6),
        "date": dates_many(km["day"].to_numpy(np.int64)),
        "message_zh": "套件 " + codes_o[it] + " 没有 " + day_s + " 生效的 BOM, 需求无法传给组件",
        "message_en": "Kit " + codes_o[it] + " has no BOM in force on " + day_s + "; its demand cannot reach its "
                      "components"})


def exceptions_collect(*, planned: pd.DataFrame, release_days: np.ndarray, due_days: np.ndarray,
                       receipts: pd.DataFrame, receipt_used: np.ndarray, kit_missing: list[pd.DataFrame],
                       cycles: list, items: Items) -> pd.DataFrame:
    """Takes the planned orders (with their release / due days), the receipts and their use, the
    kits without a BOM and the cycles; gives `MrpResult.exceptions` (EXCEPTION_COLUMNS)."""
    frames = [excess_supply(receipts, receipt_used, items=items), cycle_rows(cycles, items=items),
              *planned_order_flags(planned, release_days, due_days, items=items),
              kit_missing_rows(kit_missing, items=items)]
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    return pd.concat(frames, ignore_index=True)[EXCEPTION_COLUMNS]
