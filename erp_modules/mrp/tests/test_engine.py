"""The engine on hand-computed cases (pure pandas, no database).

Conventions the expected figures follow (see engine.py): a planned order is due on the date of
the first need it covers (never before today; at its bucket's start when it restores safety
stock) and released lead time days earlier, in day and week buckets alike (a week bucket may
merge the week's needs into one order); components are needed on the parent's release date;
safety stock is kept; lot-for-lot unless a minimum / multiple is set.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from erp_modules.mrp.engine import kit_availability, low_level_codes, mrp_compute
from erp_modules.mrp.tests.builders import build, days, item, order_row, orders

MON = date(2025, 6, 2)  # a Monday
WED = date(2025, 6, 4)


def test_six_level_bom_with_the_same_component_at_three_levels_is_netted_once():
    """A (level 0) → B → C → D → E → F (level 5); the raw material X is used by A (1 per), by C
    (2 per) and by E (1 per), so its low-level code is 5 and it is netted once, after E.

    Day buckets, today = 06-02, every lead time 1 day, lot-for-lot, no safety stock.
    Demand SO-00001/1: 10 A on 06-12. On hand: B 2, D 3, F 3, X 10.

        A: gross 10 @06-12, on hand 0          → plan 10  due 06-12, release 06-11
             → B 10 @06-11, X 10 @06-11
        B: gross 10 @06-11, on hand 2           → plan 8   due 06-11, release 06-10 → C 8 @06-10
        C: gross 8 @06-10                       → plan 8   due 06-10, release 06-09
             → D 8 @06-09, X 2×8 = 16 @06-09
        D: gross 8 @06-09, on hand 3            → plan 5   due 06-09, release 06-08 → E 5 @06-08
        E: gross 5 @06-08                       → plan 5   due 06-08, release 06-07
             → F 5 @06-07, X 5 @06-07
        F: gross 5 @06-07, on hand 3            → plan 2   due 06-07, release 06-06
        X: gross 5 @06-07, 16 @06-09, 10 @06-11 = 31, on hand 10
             06-07: 10 − 5 = 5;  06-09: 5 − 16 = −11 → plan 11 due 06-09, release 06-08
             06-11: 0 − 10 = −10 → plan 10 due 06-11, release 06-10          X total = 21

    Exploding gross quantities without netting the sub-assemblies in stock gives
    X = 10 + 2×10 + 10 − 10 = 30; netting X at each level where it appears (or before all its
    parents are known) double counts its stock. 21 is right.
    """
    inputs, ids = build(
        [item(c, "subassembly", lt=1) for c in "ABCDE"] + [item("F", "raw", lt=1), item("X", "raw", lt=1)],
        lines=[("A", "B", 1), ("A", "X", 1), ("B", "C", 1), ("C", "D", 1), ("C", "X", 2), ("D", "E", 1),
               ("E", "F", 1), ("E", "X", 1)],
        demand=[("A", days(MON, 10), 10, "SO-00001", 1)],
        on_hand={"B": 2, "D": 3, "F": 3, "X": 10})
    result = mrp_compute(inputs, today=MON, bucket="day")

    d = lambda n: days(MON, n)  # noqa: E731
    assert orders(result, ids, "A") == [(10, d(9), d(10))]
    assert orders(result, ids, "B") == [(8, d(8), d(9))]
    assert orders(result, ids, "C") == [(8, d(7), d(8))]
    assert orders(result, ids, "D") == [(5, d(6), d(7))]
    assert orders(result, ids, "E") == [(5, d(5), d(6))]
    assert orders(result, ids, "F") == [(2, d(4), d(5))]
    assert orders(result, ids, "X") == [(11, d(6), d(7)), (10, d(8), d(9))]
    assert sum(q for q, *_ in orders(result, ids, "X")) == 21
    assert result.levels[ids["X"]] == 5 and result.levels[ids["F"]] == 5 and result.levels[ids["E"]] == 4
    # pegging: X's first order covers 11 of C's 16 (on hand took E's 5 and 5 of C's); the second A's 10
    first, second = order_row(result, ids, "X", 0), order_row(result, ids, "X", 1)
    c_key = order_row(result, ids, "C")["key"]
    a_key = order_row(result, ids, "A")["key"]
    assert first["pegging"] == [{"k": "order", "key": c_key, "qty": 11}]
    assert second["pegging"] == [{"k": "order", "key": a_key, "qty": 10}]
    assert first["reason_zh"] == "需求 SO-00001 第 1 行 经 A → B → C, 缺 11 个, 提前期 1 天"
    assert first["reason_en"] == "Demand SO-00001 line 1 via A → B → C, short 11 pcs, lead time 1 days"
    assert order_row(result, ids, "A")["pegging"] == [
        {"k": "so", "ref": "SO-00001", "qty": 10.0, "date": "2025-06-12", "line": 1}]
    assert not result.planned["is_late"].any()
    assert result.planned.set_index("item_id").loc[ids["X"], "order_type"].tolist() == ["buy", "buy"]
    assert order_row(result, ids, "C")["order_type"] == "make"


def test_sub_assemblies_in_stock_are_netted_before_exploding_further():
    """P = 2 SA; SA = 3 R. Demand 10 P; 15 SA in stock.
    P: plan 10 → SA gross 20 − 15 on hand = plan 5 → R 3 × 5 = 15 (not 3 × 20 = 60)."""
    inputs, ids = build([item("P", "finished", lt=2), item("SA", "subassembly", lt=2), item("R", "raw", lt=2)],
                        lines=[("P", "SA", 2), ("SA", "R", 3)],
                        demand=[("P", days(MON, 21), 10, "SO-00002", 1)], on_hand={"SA": 15})
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert [q for q, *_ in orders(result, ids, "P")] == [10]
    assert [q for q, *_ in orders(result, ids, "SA")] == [5]
    assert [q for q, *_ in orders(result, ids, "R")] == [15]


def test_kit_availability_counts_each_component_once():
    """Kit K: 2 × C1 on one line, 1 × C2, and C1 again (1 ×) on another line → 3 C1 per kit.
    Free: C1 10, C2 5. Per component: C1 ⌊10 / 3⌋ = 3, C2 ⌊5 / 1⌋ = 5 → 3 kits (C1 limits).
    Per line it would be min(10/2, 5/1, 10/1) = 5, which cannot be built.
    K2 = 1 × K + 1 × C3 (free 100): nested → 3 × C1, 1 × C2, 1 × C3 per K2 → 3."""
    lines = pd.DataFrame([(1, 11, 2), (1, 12, 1), (1, 11, 1), (2, 1, 1), (2, 13, 1)],
                         columns=["kit_id", "component_id", "qty_per"])
    free = pd.DataFrame([(11, 10), (12, 5), (13, 100)], columns=["item_id", "quantity"])
    result = kit_availability(lines, free).set_index("kit_id")
    assert result.loc[1, "available"] == 3 and result.loc[1, "limiting_component_id"] == 11
    assert result.loc[2, "available"] == 3 and result.loc[2, "limiting_component_id"] == 11
    # nothing free of one component: none
    none = kit_availability(lines, free[free["item_id"] != 12]).set_index("kit_id")
    assert none.loc[1, "available"] == 0 and none.loc[1, "limiting_component_id"] == 12


def test_a_kit_is_exploded_not_planned():
    """SO for 4 kits K (2 × C1 + 1 × C2 + 1 × C1): C1 gross 12, C2 4, on the SO date; no kit order."""
    inputs, ids = build([item("K", "kit"), item("C1", "raw", lt=3), item("C2", "raw", lt=3)],
                        lines=[("K", "C1", 2), ("K", "C2", 1), ("K", "C1", 1)],
                        demand=[("K", days(MON, 10), 4, "SO-00003", 2)], on_hand={"K": 99})
    result = mrp_compute(inputs, today=MON, bucket="day")
    assert orders(result, ids, "K") == []
    assert orders(result, ids, "C1") == [(12, days(MON, 7), days(MON, 10))]
    assert orders(result, ids, "C2") == [(4, days(MON, 7), days(MON, 10))]
    c1 = order_row(result, ids, "C1")
    assert c1["reason_zh"] == "需求 SO-00003 第 2 行 经 K, 缺 12 个, 提前期 3 天"
    assert c1["pegging"] == [{"k": "so", "ref": "SO-00003", "qty": 12.0, "date": "2025-06-12", "line": 2, "kit": "K"}]


def test_lead_time_offsetting_across_levels_in_days():
    """FG (3 days) ← SA (3 days) ← RM (7 days, but the supplier's price list says 10).
    Demand 5 FG on day 20: FG due 20, release 17; SA due 17, release 14; RM due 14, release 4.
    Demand 5 FG on day 8: FG due 8, release 5; SA due 5, release 2; RM due 2, release −8 → late."""
    inputs, ids = build([item("FG", "finished", lt=3), item("SA", "subassembly", lt=3),
                         item("RM", "raw", lt=7, supplier=7, supplier_lt=10)],
                        lines=[("FG", "SA", 1), ("SA", "RM", 1)],
                        demand=[("FG", days(MON, 20), 5, "SO-00004", 1), ("FG", days(MON, 8), 5, "SO-00005", 1)])
    result = mrp_compute(inputs, today=MON, bucket="day")
    d = lambda n: days(MON, n)  # noqa: E731
    assert orders(result, ids, "FG") == [(5, d(5), d(8)), (5, d(17), d(20))]
    assert orders(result, ids, "SA") == [(5, d(2), d(5)), (5, d(14), d(17))]
    assert orders(result, ids, "RM") == [(5, d(-8), d(2)), (5, d(4), d(14))]
    rm = result.planned[result.planned["item_id"] == ids["RM"]].sort_values("due_date")
    assert rm["is_late"].tolist() == [True, False]
    assert rm["supplier_id"].tolist() == [7, 7] and rm["lead_time_days"].tolist() == [10, 10]
    assert not result.planned[result.planned["item_id"] != ids["RM"]]["is_late"].any()
    late = result.exceptions[result.exceptions["kind"] == "late"]
    assert late["item_id"].tolist() == [ids["RM"]]


def test_lead_time_offsetting_in_week_buckets():
    """Today Wednesday 06-04 (week buckets: this week from today, then Mondays).
    Demand on Fri 06-20 (bucket of Mon 06-16): FG due 06-20, release 06-17 (3 days);
    SA needed 06-17 (same bucket): due 06-17, release 06-14; RM needed 06-14 (bucket of Mon 06-09):
    due 06-14, release 06-07 (7 days) — not late. The buckets group, they do not move dates."""
    inputs, ids = build([item("FG", "finished", lt=3), item("SA", "subassembly", lt=3), item("RM", "raw", lt=7)],
                        lines=[("FG", "SA", 1), ("SA", "RM", 1)],
                        demand=[("FG", date(2025, 6, 20), 5, "SO-00006", 1)])
    result = mrp_compute(inputs, today=WED, bucket="week")
    assert orders(result, ids, "FG") == [(5, date(2025, 6, 17), date(2025, 6, 20))]
    assert orders(result, ids, "SA") == [(5, date(2025, 6, 14), date(2025, 6, 17))]
    assert orders(result, ids, "RM") == [(5, date(2025, 6, 7), date(2025, 6, 14))]
    assert [order_row(result, ids, c)["bucket"] for c in ("FG", "SA", "RM")] == [2, 2, 1]
    assert not result.planned["is_late"].any() and "late" not in result.exceptions["kind"].tolist()
    assert result.bucket_starts[:3] == [WED, date(2025, 6, 9), date(2025, 6, 16)]


FOUR_LEVELS = dict(
    items=[item("FG", "finished", lt=2), item("SA", "subassembly", lt=3), item("CP", "component", lt=4),
           item("RM", "raw", lt=5)],
    lines=[("FG", "SA", 2), ("SA", "CP", 3), ("CP", "RM", 2)])


@pytest.mark.parametrize("today", [MON, WED])
def test_a_four_level_chain_has_the_same_dates_in_day_and_week_buckets(today):
    """The case of issue 11: FG due on day 20. Week buckets used to put each order on its
    bucket's Monday and every level moved earlier again (FG day 14, SA day 7, CP and RM day 0,
    released "before today"). Dates are the needs offset by lead times, whatever the bucket:
        FG 5  due 20, release 18 (2 days) → SA 2 × 5 = 10 needed on 18
        SA 10 due 18, release 15 (3 days) → CP 3 × 10 = 30 needed on 15
        CP 30 due 15, release 11 (4 days) → RM 2 × 30 = 60 needed on 11
        RM 60 due 11, release 6 (5 days) — nothing late."""
    inputs, ids = build(FOUR_LEVELS["items"], lines=FOUR_LEVELS["lines"],
                        demand=[("FG", days(today, 20), 5, "SO-00020", 1)])
    d = lambda n: days(today, n)  # noqa: E731
    expected = {"FG": [(5, d(18), d(20))], "SA": [(10, d(15), d(18))], "CP": [(30, d(11), d(15))],
                "RM": [(60, d(6), d(11))]}
    for bucket in ("day", "week"):
        result = mrp_compute(inputs, today=today, bucket=bucket)
        assert {code: orders(result, ids, code) for code in expected} == expected, bucket
        assert result.planned["level"].tolist() == [0, 1, 2, 3]
        assert not result.planned["is_late"].any(), bucket
        assert "late" not in result.exceptions["kind"].tolist(), bucket


def _only_merged(day: list[tuple], week: list[tuple]) -> bool:
    """Week buckets may only merge the day plan's orders: every week order is due on a day order's
    date, the same total is planned, and by any date the week plan has at least as much due."""
    if {due for *_q, due in week} - {due for *_q, due in day}:
        return False
    if abs(sum(q for q, *_ in week) - sum(q for q, *_ in day)) > 1e-9:
        return False
    return all(sum(q for q, _r, due in week if due <= when) >= sum(q for q, _r, due in day if due <= when)
               for *_q, when in day)


def test_week_buckets_merge_the_needs_of_a_week_into_one_order_due_at_the_first():
    """Today Monday 06-02. FG: 4 on day 16 (Wed) and 6 on day 18 (Fri) of week 2; 5 on day 31
    (Thu) and 3 on day 33 (Sat) of week 4. 3 SA in stock. Per day (one order per need):
        FG (4, 14, 16) (6, 16, 18) (5, 29, 31) (3, 31, 33)
        SA gross 8@14 12@16 10@29 6@31 − 3 on hand → (5, 11, 14) (12, 13, 16) (10, 26, 29) (6, 28, 31)
        CP (15, 7, 11) (36, 9, 13) (30, 22, 26) (18, 24, 28);  RM (30, 2, 7) (72, 4, 9) (60, 17, 22) (36, 19, 24)
    Per week, the needs of a week become one order, due on the first of them:
        FG (10, 14, 16) (8, 29, 31) → SA needs 20@14, 16@29 → (17, 11, 14) (16, 26, 29)
        → CP 51@11, 48@26 → (51, 7, 11) (48, 22, 26) → RM 102@7, 96@22 → (102, 2, 7) (96, 17, 22)."""
    inputs, ids = build(FOUR_LEVELS["items"], lines=FOUR_LEVELS["lines"],
                        demand=[("FG", days(MON, 16), 4, "SO-00021", 1), ("FG", days(MON, 18), 6, "SO-00021", 2),
                                ("FG", days(MON, 31), 5, "SO-00022", 1), ("FG", days(MON, 33), 3, "SO-00022", 2)],
                        on_hand={"SA": 3})
    by_day = mrp_compute(inputs, today=MON, bucket="day")
    by_week = mrp_compute(inputs, today=MON, bucket="week")

    d = lambda n: days(MON, n)  # noqa: E731
    assert orders(by_day, ids, "FG") == [(4, d(14), d(16)), (6, d(16), d(18)), (5, d(29), d(31)), (3, d(31), d(33))]
    assert orders(by_day, ids, "SA") == [(5, d(11), d(14)), (12, d(13), d(16)), (10, d(26), d(29)), (6, d(28), d(31))]
    assert orders(by_day, ids, "CP") == [(15, d(7), d(11)), (36, d(9), d(13)), (30, d(22), d(26)), (18, d(24), d(28))]
    assert orders(by_day, ids, "RM") == [(30, d(2), d(7)), (72, d(4), d(9)), (60, d(17), d(22)), (36, d(19), d(24))]
    assert orders(by_week, ids, "FG") == [(10, d(14), d(16)), (8, d(29), d(31))]
    assert orders(by_week, ids, "SA") == [(17, d(11), d(14)), (16, d(26), d(29))]
    assert orders(by_week, ids, "CP") == [(51, d(7), d(11)), (48, d(22), d(26))]
    assert orders(by_week, ids, "RM") == [(102, d(2), d(7)), (96, d(17), d(22))]
    for code in ("FG", "SA", "CP", "RM"):
        assert _only_merged(orders(by_day, ids, code), orders(by_week, ids, code)), code
    for result in (by_day, by_week):
        assert not result.planned["is_late"].any() and "late" not in result.exceptions["kind"].tolist()
    # the merged order serves both lines of the week, and says so
    fg = order_row(by_week, ids, "FG")
    assert [(p["line"], p["qty"], p["date"]) for p in fg["pegging"]] == [(1, 4.0, "2025-06-18"), (2, 6.0, "2025-06-20")]
    assert fg["reason_en"] == "Demand SO-00021 line 1 (+1 more), short 10 pcs, lead time 2 days"


def test_in_week_buckets_safety_stock_and_overdue_needs_are_due_today_not_earlier():
    """Today Wednesday 06-04. P: lead time 2, safety stock 10, 4 on hand; 6 were due on Monday
    06-02 (overdue) and 5 are due Friday 06-06.
    Per day: today 4 − 6 → 12 (safety stock and the overdue 6), due today; Friday 10 − 5 → 5.
    Per week: 4 − 11 → 17, one order due today (not on Monday: never in the past), released
    Monday — late, rightly: it is needed now."""
    inputs, ids = build([item("P", "raw", lt=2, ss=10)],
                        demand=[("P", MON, 6, "SO-00023", 1), ("P", days(MON, 4), 5, "SO-00023", 2)],
                        on_hand={"P": 4})
    by_day = mrp_compute(inputs, today=WED, bucket="day")
    by_week = mrp_compute(inputs, today=WED, bucket="week")
    assert orders(by_day, ids, "P") == [(12, MON, WED), (5, WED, days(MON, 4))]
    assert orders(by_week, ids, "P") == [(17, MON, WED)]
    assert _only_merged(orders(by_day, ids, "P"), orders(by_week, ids, "P"))
    assert order_row(by_week, ids, "P")["is_late"]


def test_lot_sizing_minimum_and_multiple():
    """Weekly demand 30, 50, 40 (weeks 1–3); minimum 100, multiple 25, nothing on hand:
        w1: 0 − 30 → short 30 → max(30, 100) = 100, a multiple of 25 → 100; on hand 70
        w2: 70 − 50 = 20;  w3: 20 − 40 = −20 → short 20 → 100; on hand 80.
    Multiple 12 only: short 30 → 36.  Minimum 100 + multiple 25 with safety stock 10:
        w1: short 40 → 100 (70); w2: 20 ≥ 10; w3: −20 → short 30 → 100 (80).
    Minimum 0, multiple 25 and a short of 130 → 150."""
    demand = [("L", days(MON, 7), 30, "SO-00007", 1), ("L", days(MON, 14), 50, "SO-00007", 2),
              ("L", days(MON, 21), 40, "SO-00007", 3)]
    inputs, ids = build([item("L", "raw", lt=7, moq=100, mult=25), item("M", "raw", lt=7, mult=12),
                         item("S", "raw", lt=7, moq=100, mult=25, ss=10), item("N", "raw", lt=7, mult=25)],
                        demand=demand + [("M", days(MON, 7), 30, "SO-00008", 1)]
                        + [("S",) + d[1:] for d in demand] + [("N", days(MON, 7), 130, "SO-00009", 1)])
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert [(q, due) for q, _r, due in orders(result, ids, "L")] == [(100, days(MON, 7)), (100, days(MON, 21))]
    assert [q for q, *_ in orders(result, ids, "M")] == [36]
    assert [q for q, *_ in orders(result, ids, "S")] == [100, 100]
    assert [q for q, *_ in orders(result, ids, "N")] == [150]
    first = order_row(result, ids, "L")
    assert first["net_quantity"] == 30
    # the first lot serves line 1 (30), line 2 (50) and 20 of line 3
    assert first["reason_zh"] == "需求 SO-00007 第 1 行 等 3 项, 缺 30 个, 提前期 7 天, 批量取整为 100 (最小 100, 倍数 25)"
    assert first["reason_en"] == ("Demand SO-00007 line 1 (+2 more), short 30 pcs, lead time 7 days, rounded to 100 "
                                  "(minimum 100, multiple 25)")
    # the second lot covers the other 20 of week 3
    second = order_row(result, ids, "L", 1)
    assert second["pegging"] == [{"k": "so", "ref": "SO-00007", "qty": 20.0, "date": "2025-06-23", "line": 3}]


def test_quantities_are_rounded_up_to_the_unit_and_scrap_is_included():
    """P needs 2.1 C per piece (2 × 1.05 scrap) and 0.3333 kg of W (3 decimals). 7 P → C 14.7 → 15;
    W 7 × 0.3333 = 2.3331 → 2.334 kg (rounded per work order line, as production issues it)."""
    inputs, ids = build([item("P", "finished", lt=1), item("C", "raw", lt=1),
                         item("W", "raw", lt=1, decimals=3, uom="千克", uom_en="kg")],
                        lines=[("P", "C", 2.1), ("P", "W", 0.3333)],
                        demand=[("P", days(MON, 9), 7, "SO-00010", 1)])
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert [q for q, *_ in orders(result, ids, "C")] == [15]
    assert [q for q, *_ in orders(result, ids, "W")] == [2.334]
    assert order_row(result, ids, "W")["reason_en"] == "Demand SO-00010 line 1 via P, short 2.334 kg, lead time 1 days"


def test_a_bom_cycle_is_reported_not_looped():
    """A → B → C → A (a cycle) and D → E. The line C → A closes the cycle: it is ignored and
    reported; everything else is planned: 1 A, 1 B, 1 C, 2 D, 2 E."""
    inputs, ids = build([item(c, "subassembly", lt=1) for c in "ABCD"] + [item("E", "raw", lt=1)],
                        lines=[("A", "B", 1), ("B", "C", 1), ("C", "A", 1), ("D", "E", 1)],
                        demand=[("A", days(MON, 10), 1, "SO-00011", 1), ("D", days(MON, 10), 2, "SO-00011", 2)])
    result = mrp_compute(inputs, today=MON, bucket="day")
    assert result.cycles == [["A", "B", "C", "A"]]
    cycle = result.exceptions[result.exceptions["kind"] == "cycle"]
    assert cycle["message_en"].tolist() == ["BOM cycle: A → B → C → A; the line closing it was ignored"]
    assert [q for q, *_ in orders(result, ids, "A")] == [1]
    assert [q for q, *_ in orders(result, ids, "B")] == [1]
    assert [q for q, *_ in orders(result, ids, "C")] == [1]
    assert [q for q, *_ in orders(result, ids, "E")] == [2]


def test_low_level_codes_are_the_longest_path():
    # 0 → 1 → 2 → 3 and 0 → 3: 3 is at level 3
    level, in_cycle = low_level_codes(4, np.array([0, 1, 2, 0]), np.array([1, 2, 3, 3]))
    assert level.tolist() == [0, 1, 2, 3] and not in_cycle.any()
    level, in_cycle = low_level_codes(3, np.array([0, 1, 2]), np.array([1, 2, 1]))
    assert level.tolist() == [0, -1, -1] and in_cycle.tolist() == [False, True, True]


def test_the_bom_version_in_force_on_the_start_date_is_exploded():
    """v1 (X) until day 9, v2 (Y) from day 10. FG lead time 1: demand on day 6 starts on day 5
    → v1 → X; demand on day 16 starts on day 15 → v2 → Y."""
    inputs, ids = build([item("FG", "finished", lt=1), item("X", "raw", lt=1), item("Y", "raw", lt=1)],
                        lines=[("FG", "X", 1, date(2025, 1, 1), days(MON, 9), 1),
                               ("FG", "Y", 1, days(MON, 10), None, 2)],
                        demand=[("FG", days(MON, 6), 1, "SO-00012", 1), ("FG", days(MON, 16), 1, "SO-00012", 2)])
    result = mrp_compute(inputs, today=MON, bucket="day")
    assert orders(result, ids, "X") == [(1, days(MON, 4), days(MON, 5))]
    assert orders(result, ids, "Y") == [(1, days(MON, 14), days(MON, 15))]
    assert sorted(result.planned[result.planned["item_id"] == ids["FG"]]["bom_id"].tolist()) == [1, 2]


def test_the_reason_names_the_demand_line_shortage_and_lead_time():
    inputs, ids = build([item("PART", "raw", lt=7, uom="件", uom_en="pcs")],
                        demand=[("PART", days(MON, 14), 120, "SO-00012", 3)])
    result = mrp_compute(inputs, today=MON, bucket="day")
    row = order_row(result, ids, "PART")
    assert row["reason_zh"] == "需求 SO-00012 第 3 行, 缺 120 件, 提前期 7 天"
    assert row["reason_en"] == "Demand SO-00012 line 3, short 120 pcs, lead time 7 days"


def test_safety_stock_is_restored_and_kept():
    """On hand 5, safety stock 20, no demand → 15 now. With 30 demanded on day 3 → 15 now, 30 on day 3."""
    inputs, ids = build([item("SS", "raw", lt=2, ss=20), item("SD", "raw", lt=2, ss=20)],
                        demand=[("SD", days(MON, 3), 30, "SO-00013", 1)], on_hand={"SS": 5, "SD": 5})
    result = mrp_compute(inputs, today=MON, bucket="day")
    assert orders(result, ids, "SS") == [(15, days(MON, -2), MON)]
    assert order_row(result, ids, "SS")["reason_zh"] == "安全库存, 缺 15 个, 提前期 2 天"
    assert order_row(result, ids, "SS")["pegging"] == [{"k": "ss", "qty": 15.0}]
    assert [(q, due) for q, _r, due in orders(result, ids, "SD")] == [(15, MON), (30, days(MON, 3))]


def test_scheduled_receipts_are_used_and_excess_supply_is_reported():
    """R1: PO 100 in week 1, demand 30 in week 2 → no order, 70 of the PO are excess.
    R2: demand 30 in week 0, PO 50 arrives in week 3 → order 30 now; all 50 are excess.
    R3: PO 40 covers the demand of 40 exactly → nothing to report. A purchased service is not supply."""
    inputs, ids = build([item("R1", "raw", lt=7), item("R2", "raw", lt=7), item("R3", "raw", lt=7),
                         item("SV", "service")],
                        demand=[("R1", days(MON, 14), 30, "SO-00014", 1), ("R2", days(MON, 2), 30, "SO-00014", 2),
                                ("R3", days(MON, 14), 40, "SO-00014", 3)],
                        receipts=[("R1", days(MON, 7), 100, "PO-00001", 1), ("R2", days(MON, 21), 50, "PO-00002", 1),
                                  ("R3", days(MON, 10), 40, "PO-00003", 1),
                                  ("SV", days(MON, 3), 1, "PO-00004", 1)])  # a bought service: not stock
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert orders(result, ids, "R1") == [] and orders(result, ids, "R3") == []
    assert [q for q, *_ in orders(result, ids, "R2")] == [30]
    excess = result.exceptions[result.exceptions["kind"] == "excess"].sort_values("ref")
    assert excess["ref"].tolist() == ["PO-00001", "PO-00002"]
    assert excess["quantity"].tolist() == [70, 50]
    assert excess["message_zh"].tolist()[0] == "R1: PO-00001 第 1 行 的 100 个 中 70 个 无需求"


def test_forecast_is_consumed_by_orders_of_the_same_week():
    """Forecast 100 for the week of 06-09, 30 of it already ordered → 70 more + 30 ordered = 100.
    Forecast 60 for the week of 06-16, nothing ordered → 60. Last week's forecast is ignored."""
    inputs, ids = build([item("FG", "finished", lt=0)],
                        demand=[("FG", date(2025, 6, 11), 30, "SO-00015", 1)],
                        forecast=[("FG", date(2025, 6, 9), 100), ("FG", date(2025, 6, 16), 60),
                                  ("FG", date(2025, 5, 26), 500)])
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert [(q, due) for q, _r, due in orders(result, ids, "FG")] == [(100, date(2025, 6, 9)), (60, date(2025, 6, 16))]
    first = order_row(result, ids, "FG")
    assert {p["k"] for p in first["pegging"]} == {"so", "mps"}
    assert order_row(result, ids, "FG", 1)["reason_en"].startswith("Master schedule 2025-W25, short 60")
    assert result.exceptions[result.exceptions["kind"] == "missing_lead_time"]["item_id"].tolist() == [ids["FG"]]


def test_missing_bom_is_flagged_and_not_exploded():
    inputs, ids = build([item("FG", "finished", lt=2)], demand=[("FG", days(MON, 9), 3, "SO-00016", 1)])
    result = mrp_compute(inputs, today=MON, bucket="week")
    row = order_row(result, ids, "FG")
    assert row["order_type"] == "make" and row["missing_bom"] and pd.isna(row["bom_id"])
    assert result.exceptions["kind"].tolist() == ["missing_bom"]


def test_open_work_orders_are_supply_and_their_components_demand():
    """WO-00001 makes 5 SA by week 1 (supply) and still needs 10 R now (demand, at its start).
    FG 8 due week 4 → release 2 days earlier (week 3) → SA 8 − 5 from the work order = 3, due week 3
    (Monday), released 2 days earlier in week 2 → R 2 × 3 = 6 in week 2, besides the 10 now."""
    inputs, ids = build([item("FG", "finished", lt=2), item("SA", "subassembly", lt=2), item("R", "raw", lt=2)],
                        lines=[("FG", "SA", 1), ("SA", "R", 2)],
                        demand=[("FG", days(MON, 28), 8, "SO-00017", 1), ("R", days(MON, 3), 10, "WO-00001", 1, "wo")],
                        receipts=[("SA", days(MON, 7), 5, "WO-00001", 0, "wo")])
    result = mrp_compute(inputs, today=MON, bucket="week")
    assert [q for q, *_ in orders(result, ids, "SA")] == [3]
    assert [q for q, *_ in orders(result, ids, "R")] == [10, 6]
    assert order_row(result, ids, "R")["reason_zh"].startswith("工单 WO-00001 用料")


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_an_empty_enterprise_plans_nothing(bucket):
    inputs, _ids = build([item("A")])
    result = mrp_compute(inputs, today=MON, bucket=bucket)
    assert result.planned.empty and result.exceptions.empty


def test_a_made_item_without_its_own_lead_time_takes_its_routings():
    """SUB has no lead time but a routing of 2 days: planned with 2 days, no exception; FG has neither:
    still reported; a bought item's routing days are never used."""
    inputs, ids = build([item("FG", "finished", lt=0), item("SUB", "subassembly", lt=0, routing_lt=2),
                         item("RM", "component", lt=0, routing_lt=5)],
                        lines=[("FG", "SUB", 1), ("SUB", "RM", 1)],
                        demand=[("FG", days(MON, 20), 4, "SO-00031", 1)])
    result = mrp_compute(inputs, today=MON, bucket="day")
    sub = order_row(result, ids, "SUB")
    assert sub["lead_time_days"] == 2 and not sub["missing_lead_time"]
    assert (sub["due_date"] - sub["release_date"]).days == 2
    missing = result.exceptions[result.exceptions["kind"] == "missing_lead_time"]["item_id"].tolist()
    assert sorted(missing) == sorted([ids["FG"], ids["RM"]])
