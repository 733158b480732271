"""Step 1 (see the package docstring): the BOM lines in force in the horizon, low-level codes
(Kahn layering), cycles (the closing lines dropped and reported), and explosion of rows into
their components with the BOM version in force on a given day."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrays import ceil_step, to_days, to_days_or_far
from .items import Items


@dataclass(frozen=True)
class Bom:
    """lines: bom_id, parent, comp (positions), qty_per, vf, vt (day numbers) — cycle-closing
    lines dropped. versions: one row per BOM version (parent, vf, bom_id, vt), sorted by vf for
    `merge_asof`. lines_by_bom: bom_id, comp, qty_per. level: low-level code per item position.
    cycles: (u, v, path) per cycle found, u → v being the dropped edge."""

    lines: pd.DataFrame
    has_bom: np.ndarray
    versions: pd.DataFrame
    lines_by_bom: pd.DataFrame
    level: np.ndarray
    cycles: list[tuple[int, int, list[int]]]

    @property
    def max_level(self) -> int:
        return int(self.level.max()) if len(self.level) else -1


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


def find_cycles(parent: np.ndarray, child: np.ndarray, in_cycle: np.ndarray) -> list[tuple[int, int, list[int]]]:
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


def bom_lines_in_force(bom_lines: pd.DataFrame, *, items: Items, today_d: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Takes `MrpInputs.bom_lines`; gives (lines, has_bom): the lines of known items with item
    positions and day numbers, still valid on or after today, of a positive quantity and not for
    a service; has_bom marks the items with any BOM line at all (whatever its dates)."""
    pos = items.positions
    bl = pd.DataFrame({
        "bom_id": bom_lines["bom_id"].to_numpy(np.int64), "parent": pos(bom_lines["parent_id"]),
        "comp": pos(bom_lines["component_id"]), "qty_per": bom_lines["qty_per"].to_numpy(float),
        "vf": to_days(bom_lines["valid_from"]),
        "vt": to_days_or_far(bom_lines["valid_to"]),
    })
    bl = bl[(bl["parent"] >= 0) & (bl["comp"] >= 0)]
    has_bom = np.zeros(items.n, dtype=bool)
    has_bom[bl["parent"].to_numpy()] = True
    bl = bl[(bl["vt"] >= today_d) & ~items.is_service[bl["comp"].to_numpy()] & (bl["qty_per"] > 0)]
    return bl, has_bom


def _edges(bl: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    edges = bl[["parent", "comp"]].drop_duplicates()
    return edges["parent"].to_numpy(np.int64), edges["comp"].to_numpy(np.int64)


def levels_assign(n: int, bl: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Takes the number of items and the lines in force; gives (lines without the edges that
    close a cycle, low-level code per item, cycles found as (u, v, path))."""
    ep, ec = _edges(bl)
    level, in_cycle = low_level_codes(n, ep, ec)
    cycles: list = []
    if in_cycle.any():
        cycles = find_cycles(ep, ec, in_cycle)
        closing = {(u, v) for u, v, _ in cycles}
        keep = np.array([(p, c) not in closing for p, c in zip(bl["parent"].tolist(), bl["comp"].tolist())],
                        dtype=bool)
        bl = bl[keep]
        ep, ec = _edges(bl)
        level, _still = low_level_codes(n, ep, ec)
    return bl, level, cycles


def bom_prepare(bom_lines: pd.DataFrame, *, items: Items, today_d: int) -> Bom:
    """Takes `MrpInputs.bom_lines`, the items and today; gives the `Bom` the planning loop uses."""
    bl, has_bom = bom_lines_in_force(bom_lines, items=items, today_d=today_d)
    bl, level, cycles = levels_assign(items.n, bl)
    versions = (bl[["parent", "bom_id", "vf", "vt"]].drop_duplicates("bom_id")
                .sort_values("vf", kind="mergesort", ignore_index=True))
    return Bom(lines=bl, has_bom=has_bom, versions=versions[["parent", "vf", "bom_id", "vt"]],
               lines_by_bom=bl[["bom_id", "comp", "qty_per"]].reset_index(drop=True), level=level, cycles=cycles)


@dataclass(frozen=True)
class Explosion:
    """rows: the exploded row's position (one entry per component line); bom_id, comp, qty: the
    version used, the component and its quantity. missing: positions of rows without a version
    in force. found: row, bom_id per row that has one."""

    rows: np.ndarray
    bom_id: np.ndarray
    comp: np.ndarray
    qty: np.ndarray
    missing: np.ndarray
    found: pd.DataFrame


def explode(bom: Bom, items: Items, *, rows_item: np.ndarray, rows_qty: np.ndarray,
            on_days: np.ndarray) -> Explosion:
    """Takes rows (item position, quantity, the day whose BOM version applies); gives each row's
    components through the version in force on that day, component quantities rounded up to
    their unit's decimals per BOM line (a kit component's are not: it is passed on, not made)."""
    probe = pd.DataFrame({"parent": rows_item, "vf": on_days, "row": np.arange(len(rows_item))})
    probe = probe.sort_values("vf", kind="mergesort")
    found = pd.merge_asof(probe, bom.versions, on="vf", by="parent", direction="backward")
    ok = found["bom_id"].notna() & (found["vt"].fillna(-1) >= found["vf"])
    missing = found.loc[~ok, "row"].to_numpy(np.int64)
    found = found[ok][["row", "bom_id"]].astype(np.int64)
    exploded = found.merge(bom.lines_by_bom, on="bom_id", how="inner")
    rows = exploded["row"].to_numpy(np.int64)
    qty = rows_qty[rows] * exploded["qty_per"].to_numpy(float)
    comp = exploded["comp"].to_numpy(np.int64)
    qty = np.where(items.is_kit[comp], qty, ceil_step(qty, items.scale[comp]))
    return Explosion(rows=rows, bom_id=exploded["bom_id"].to_numpy(np.int64), comp=comp, qty=qty, missing=missing,
                     found=found)
