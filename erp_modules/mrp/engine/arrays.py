"""Small numpy helpers shared by the steps: dates as day numbers, rounding up to a unit's step,
runs of equal keys, and quantities / dates as text (vectorised: one element, never a Python call
per planned order where it can be helped)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .contract import EPOCH, FAR, STEP_TOL

# ---- dates ---------------------------------------------------------------------------------------


def to_days(values) -> np.ndarray:
    """Dates (date objects, strings, datetime64) → int64 day numbers since 1970-01-01."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return pd.to_datetime(pd.Series(values).reset_index(drop=True)).to_numpy("datetime64[D]").astype(np.int64)


def to_days_or_far(values) -> np.ndarray:
    """Like to_days, with missing dates (open-ended) as FAR."""
    series = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    missing = series.isna().to_numpy()
    days = series.fillna(pd.Timestamp("2000-01-01")).to_numpy("datetime64[D]").astype(np.int64)
    return np.where(missing, FAR, days)


def day_to_date(day: int) -> dt.date:
    """A day number → datetime.date."""
    return EPOCH + dt.timedelta(days=int(day))


def iso_week(day: int) -> str:
    """A day number → its ISO week, "2025-W23"."""
    year, week, _ = day_to_date(day).isocalendar()
    return f"{year}-W{week:02d}"


def dates_many(days: np.ndarray) -> np.ndarray:
    """Day numbers → datetime.date objects."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(object)


def iso_list(days) -> list[str]:
    """Day numbers → "YYYY-MM-DD" (formatted once per distinct day)."""
    days = np.asarray(days, dtype=np.int64)
    if not len(days):
        return []
    unique, inverse = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(unique.astype("datetime64[D]")).tolist()
    return [text[i] for i in inverse.tolist()]


def iso_many(days) -> np.ndarray:
    """Day numbers → "YYYY-MM-DD" as an object array."""
    return obj(iso_list(days))


# ---- quantities ----------------------------------------------------------------------------------


def ceil_step(quantity: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Round up to the unit's step (scale = 10 ** decimals), tolerating float noise."""
    return np.ceil(quantity * scale - STEP_TOL) / scale


def fmt(quantity: float) -> str:
    """120 · 12.5 · 0.333 (up to 4 decimals, no trailing zeros)."""
    text = f"{quantity:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_list(values) -> list[str]:
    """Quantities as short text: 120 · 12.5 · 0.333."""
    values = np.round(np.asarray(values, dtype=float), 4)
    whole = (np.abs(values - np.round(values)) < 1e-9).tolist()
    ints = np.round(values).astype(np.int64).tolist()
    return [str(i) if w else fmt(v) for i, w, v in zip(ints, whole, values.tolist())]


def fmt_many(values) -> np.ndarray:
    """Quantities as short text, as an object array."""
    return obj(fmt_list(values))


def obj(values) -> np.ndarray:
    """Any sequence → a 1-d object array (never a 2-d one from a list of lists)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


# ---- runs of equal keys --------------------------------------------------------------------------


def group_starts(keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys begins (keys sorted)."""
    return np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)


def group_cumsum(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each run of equal keys (keys sorted)."""
    if len(values) == 0:
        return values.astype(float)
    total = np.cumsum(values)
    starts = group_starts(keys)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    return total - (total - values)[first]
