"""Step 2 (see the package docstring): time buckets, days or weeks. They only group quantities
(netting, lot sizing, the item chart), never move a date. Bucket 0 starts today; a week bucket
runs Monday to Sunday."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .contract import EPOCH


@dataclass(frozen=True)
class Buckets:
    """The calendar of one run: `kind` "week" or "day", today and this week's Monday as day
    numbers, and (once the horizon is known, see `horizon`) the first and last day of each bucket."""

    kind: str
    today_d: int
    monday0: int
    starts: np.ndarray | None = None
    ends: np.ndarray | None = None

    @property
    def count(self) -> int:
        return len(self.starts)

    def of(self, days) -> np.ndarray:
        """Day numbers → bucket numbers (anything before today is in bucket 0)."""
        if self.kind == "week":
            return np.maximum(0, (np.asarray(days, dtype=np.int64) - self.monday0) // 7)
        return np.maximum(0, np.asarray(days, dtype=np.int64) - self.today_d)

    def start_of(self, k) -> np.ndarray:
        """Bucket numbers → their first day (today for bucket 0)."""
        k = np.asarray(k, dtype=np.int64)
        if self.kind == "week":
            return np.where(k == 0, self.today_d, self.monday0 + 7 * k)
        return self.today_d + k

    def end_of(self, k) -> np.ndarray:
        """Bucket numbers → their last day."""
        if self.kind == "week":
            return self.monday0 + 7 * np.asarray(k, dtype=np.int64) + 6
        return self.start_of(k)

    def horizon(self, *, demand_days: np.ndarray, receipt_buckets: np.ndarray) -> Buckets:
        """Takes the independent demand's dates and the receipts' buckets; gives the calendar with
        `starts` / `ends` of every bucket up to the last one that holds any of them."""
        last = [0]
        if len(demand_days):
            last.append(int(self.of(demand_days).max()))
        if len(receipt_buckets):
            last.append(int(receipt_buckets.max()))
        numbers = np.arange(max(last) + 1)
        return Buckets(self.kind, self.today_d, self.monday0, starts=self.start_of(numbers), ends=self.end_of(numbers))


def buckets_make(kind: str, today: dt.date) -> Buckets:
    """Takes "week" or "day" and today's date; gives the calendar (without its horizon yet)."""
    if kind not in ("week", "day"):
        raise ValueError("bucket must be 'week' or 'day'")
    today_d = (today - EPOCH).days
    return Buckets(kind, today_d, today_d - today.weekday())
