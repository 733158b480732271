"""Step 6: the planned-order table (`MrpResult.planned`): one row per order with its reason in
both languages and its pegging as JSON text. Vectorised: one planned order is one element,
never a Python call, except for the f-strings of reasons and pegging entries."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .arrays import dates_many, fmt, fmt_list, group_starts, iso_list, obj
from .contract import EPS, KIND_MPS, KIND_NAMES, KIND_ORDER, KIND_SO, KIND_SS, KIND_WO, PLANNED_COLUMNS
from .items import Items


def demand_phrase(kind: int, ref: str, line: int) -> tuple[str, str]:
    """A demand source → how a reason names it, (zh, en)."""
    if kind == KIND_SO:
        return f"需求 {ref} 第 {line} 行", f"Demand {ref} line {line}"
    if kind == KIND_WO:
        return f"工单 {ref} 用料", f"Work order {ref} materials"
    if kind == KIND_MPS:
        return f"主计划 {ref}", f"Master schedule {ref}"
    return "安全库存", "Safety stock"


def lot_rules(moq: np.ndarray, mult: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item: " (最小 100, 倍数 25)" / " (minimum 100, multiple 25)", or ""."""
    zh, en = np.full(len(moq), "", dtype=object), np.full(len(moq), "", dtype=object)
    for i in np.nonzero((moq > EPS) | (mult > EPS))[0].tolist():
        parts_zh, parts_en = [], []
        if moq[i] > EPS:
            parts_zh.append(f"最小 {fmt(moq[i])}")
            parts_en.append(f"minimum {fmt(moq[i])}")
        if mult[i] > EPS:
            parts_zh.append(f"倍数 {fmt(mult[i])}")
            parts_en.append(f"multiple {fmt(mult[i])}")
        zh[i], en[i] = f" ({', '.join(parts_zh)})", f" ({', '.join(parts_en)})"
    return zh, en


def _order_via(cat: dict[str, np.ndarray], *, pos_of_key: np.ndarray, codes_o: np.ndarray) -> np.ndarray:
    """Per order: the chain of parent item codes from the top demand down to its direct parent,
    level by level, then the kit it came through ("A → B → KIT1"), or ""."""
    item, kit = cat["item"], cat["kit"]
    chain = np.full(len(item), "", dtype=object)
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
    return via


def _order_reasons(cat: dict[str, np.ndarray], via: np.ndarray, *, sources: pd.DataFrame,
                   items: Items) -> tuple[list[str], list[str]]:
    """Per order, its one-line reason (zh, en): the first demand served, through which parents,
    how many more, the shortage, the lead time and the lot rounding if any."""
    item, qty, net = cat["item"], cat["qty"], cat["net"]
    phrases = [demand_phrase(k, r, ln) for k, r, ln in zip(sources["kind"].tolist(), sources["ref"].tolist(),
                                                             sources["line"].tolist())]
    phrases.append(("安全库存", "Safety stock"))  # origin -1: the last one
    first = [phrases[o] for o in cat["origin"].tolist()]
    rules_zh, rules_en = lot_rules(items.moq, items.mult)
    uom_zh = items.uom_zh
    unit_en = [e or z for e, z in zip(items.uom_en.tolist(), uom_zh.tolist())]
    sized = (np.abs(qty - net) > 1e-6).tolist()
    zh, en = [], []
    for (f_zh, f_en), v, n, ns, qs, lt_i, it, lot in zip(first, via.tolist(), cat["npeg"].tolist(), fmt_list(net),
                                                         fmt_list(qty), items.lead[item].tolist(), item.tolist(),
                                                         sized):
        zh.append(f"{f_zh}{' 经 ' + v if v else ''}{f' 等 {n} 项' if n > 1 else ''}, 缺 {ns} {uom_zh[it]}, "
                  f"提前期 {lt_i} 天{f', 批量取整为 {qs}{rules_zh[it]}' if lot else ''}")
        en.append(f"{f_en}{' via ' + v if v else ''}{f' (+{n - 1} more)' if n > 1 else ''}, short {ns} {unit_en[it]}, "
                  f"lead time {lt_i} days{f', rounded to {qs}{rules_en[it]}' if lot else ''}")
    return zh, en


def pegging_json(peg_parts: list[pd.DataFrame], *, count: int, pos_of_key: np.ndarray, sources: pd.DataFrame,
                 codes: np.ndarray) -> np.ndarray:
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
    code_json = [json.dumps(c, ensure_ascii=False) for c in codes]
    src_kind = sources["kind"].tolist()
    ref_json = [json.dumps(r, ensure_ascii=False) for r in sources["ref"].tolist()]
    src_line = sources["line"].tolist()
    entries = []
    for k, sr, kt, q, d in zip(pegs["kind"].to_numpy(np.int64).tolist(), pegs["src"].to_numpy(np.int64).tolist(),
                               pegs["kit"].tolist(), fmt_list(pegs["qty"].to_numpy(float)),
                               iso_list(np.maximum(pegs["need"].to_numpy(np.int64), 0))):
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
    starts = np.nonzero(group_starts(keys))[0]
    ends = np.r_[starts[1:], len(keys)]
    positions = pos_of_key[keys[starts]]
    result[positions] = ["[" + ",".join(entries[a:b]) + "]" for a, b in zip(starts.tolist(), ends.tolist())]
    return result


def orders_assemble(parts: list[dict[str, np.ndarray]], peg_parts: list[pd.DataFrame], *, sources: pd.DataFrame,
                    items: Items, today_d: int) -> pd.DataFrame:
    """Takes the planned orders of every level (dicts of arrays: key, item, qty, net, bucket, lvl,
    origin, parent, kit, npeg, due, release, bom_id, missing_bom) and their pegs; gives
    `MrpResult.planned` (PLANNED_COLUMNS; supplier only for bought orders)."""
    if not parts or not sum(len(p["key"]) for p in parts):
        return pd.DataFrame(columns=PLANNED_COLUMNS)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    count = len(cat["key"])
    item = cat["item"]
    lt = items.lead[item]
    pos_of_key = np.full(int(cat["key"].max()) + 1, -1, dtype=np.int64)
    pos_of_key[cat["key"]] = np.arange(count)
    via = _order_via(cat, pos_of_key=pos_of_key, codes_o=obj(items.codes))
    zh, en = _order_reasons(cat, via, sources=sources, items=items)
    pegging = pegging_json(peg_parts, count=count, pos_of_key=pos_of_key, sources=sources, codes=items.codes)
    sup = items.supplier[item]
    buy = ~items.make[item]
    supplier_id = np.where(buy & ~np.isnan(sup), np.nan_to_num(sup), -1).astype(np.int64)
    out = pd.DataFrame({
        "key": cat["key"], "item_id": items.ids[item], "order_type": np.where(buy, "buy", "make"),
        "quantity": np.round(cat["qty"], 6), "net_quantity": np.round(cat["net"], 6),
        "release_date": dates_many(cat["release"]), "due_date": dates_many(cat["due"]),
        "bucket": cat["bucket"], "level": cat["lvl"], "lead_time_days": lt,
        "supplier_id": pd.array(supplier_id, dtype="Int64"), "bom_id": pd.array(cat["bom_id"], dtype="Int64"),
        "is_late": cat["release"] < today_d, "missing_bom": cat["missing_bom"], "missing_lead_time": lt <= 0,
        "reason_zh": zh, "reason_en": en, "pegging": pegging, "parent_key": pd.array(cat["parent"], dtype="Int64"),
    })
    for column in ("supplier_id", "bom_id", "parent_key"):
        out.loc[out[column] < 0, column] = pd.NA
    return out[PLANNED_COLUMNS]
