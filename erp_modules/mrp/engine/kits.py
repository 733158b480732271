"""Kit availability (the /mrp/kits/ page): how many of each kit free stock can make now. Not part
of a run: kits are phantoms there (see `compute`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import STEP_TOL


def kit_availability(kit_lines: pd.DataFrame, free: pd.DataFrame, *, max_depth: int = 10) -> pd.DataFrame:
    """How many of each kit can be put together from what is free now.

    kit_lines: kit_id, component_id, qty_per (per 1 kit; a component may itself be a kit listed
    here, and may appear on several lines). free: item_id, quantity (on hand − reserved).
    Each component is counted once: its quantities per kit over all lines (and nested kits) are
    summed first, then available = min over components of floor(free / quantity per kit).
    Returns kit_id, available, limiting_component_id."""
    lines = kit_lines[["kit_id", "component_id", "qty_per"]].astype({"qty_per": float})
    kits = set(lines["kit_id"].tolist())
    flat = lines.rename(columns={"kit_id": "top"})
    for _ in range(max_depth):
        nested = flat["component_id"].isin(kits)
        if not nested.any():
            break
        inner = flat[nested].merge(lines, left_on="component_id", right_on="kit_id", suffixes=("", "_inner"))
        inner = pd.DataFrame({"top": inner["top"], "component_id": inner["component_id_inner"],
                              "qty_per": inner["qty_per"] * inner["qty_per_inner"]})
        flat = pd.concat([flat[~nested], inner], ignore_index=True)
    per_kit = flat.groupby(["top", "component_id"], as_index=False)["qty_per"].sum()
    free_qty = free.groupby("item_id")["quantity"].sum()
    per_kit["free"] = per_kit["component_id"].map(free_qty).fillna(0.0).clip(lower=0.0)
    per_kit["can"] = np.floor(per_kit["free"] / per_kit["qty_per"] + STEP_TOL)
    per_kit = per_kit.sort_values(["top", "can", "component_id"], kind="mergesort")
    best = per_kit.drop_duplicates("top")
    return pd.DataFrame({"kit_id": best["top"].to_numpy(np.int64), "available": best["can"].to_numpy(float),
                         "limiting_component_id": best["component_id"].to_numpy(np.int64)}).reset_index(drop=True)
