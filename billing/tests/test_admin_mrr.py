"""MRR and subscribers by plan per month (billing.selectors_admin.mrr_by_month) on known data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing.models import Plan, Subscription
from billing.selectors_admin import mrr_by_month
from billing.services.plans import plans_default_ensure

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def _subscription(enterprise, plan, *, created, interval="month", extra_seats=0, trial_end=None, canceled_at=None,
                  status=None, method="bank_transfer") -> Subscription:
    """A subscription row as it stands after its history (the dates are the point of these tests)."""
    subscription = Subscription.objects.create(
        enterprise=enterprise, plan=plan, interval=interval, extra_seats=extra_seats, trial_end=trial_end,
        status=status or ("canceled" if canceled_at else "active"), canceled_at=canceled_at,
        payment_method="none" if plan.is_free else method)
    Subscription.objects.filter(pk=subscription.pk).update(created_at=created)
    return subscription


@pytest.fixture
def plans(db):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


def test_mrr_and_subscribers_by_plan_over_twelve_months(make_enterprise, plans):
    e1, e2 = make_enterprise(), make_enterprise()
    # e2 on the free plan from December, replaced on 20 February by ERP + PDM + logistics, monthly, with a
    # trial to 6 March, now past due (still recurring revenue: it is owed)
    _subscription(e2, plans["boards"], created=at(2025, 12, 1, 10), canceled_at=at(2026, 2, 20, 10))
    _subscription(e2, plans["erp-pdm-logistics"], created=at(2026, 2, 20, 10), trial_end=at(2026, 3, 6, 10),
                  status="past_due")
    # e1 on ERP monthly with 2 extra seats from 10 January (trial to 24 January) to 5 April, then ERP + PDM
    # yearly
    _subscription(e1, plans["erp"], created=at(2026, 1, 10, 9), trial_end=at(2026, 1, 24, 9), extra_seats=2,
                  canceled_at=at(2026, 4, 5, 9))
    _subscription(e1, plans["erp-pdm"], created=at(2026, 4, 5, 9), interval="year")
    # when
    report = mrr_by_month(months=12, now=at(2026, 6, 15, 12))
    # then: twelve months, July 2025 to June 2026
    assert report.labels == ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01",
                             "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    erp_month = Decimal("299") + 2 * Decimal("39")  # 377
    full = Decimal("699")
    yearly = Decimal("415.83")  # 4990 / 12
    assert [m.mrr for m in report.months] == [
        0, 0, 0, 0, 0,
        0,  # December: the free plan only
        erp_month,  # January: ERP out of its trial on the 24th
        erp_month,  # February: the full plan in its trial
        erp_month + full,  # March
        yearly + full, yearly + full, yearly + full]
    assert [m.paying for m in report.months] == [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2]
    ids = {code: plans[code].pk for code in plans}
    assert [m.subscribers for m in report.months][5:] == [
        {ids["boards"]: 1},
        {ids["boards"]: 1, ids["erp"]: 1},
        {ids["erp"]: 1, ids["erp-pdm-logistics"]: 1},
        {ids["erp"]: 1, ids["erp-pdm-logistics"]: 1},
        {ids["erp-pdm"]: 1, ids["erp-pdm-logistics"]: 1},
        {ids["erp-pdm"]: 1, ids["erp-pdm-logistics"]: 1},
        {ids["erp-pdm"]: 1, ids["erp-pdm-logistics"]: 1}]
    # the table under the chart and the two charts' data
    assert [p.code for p in report.plans] == ["boards", "erp", "erp-pdm", "erp-pdm-logistics"]
    assert report.rows[8] == {"month": "2026-03", "mrr": Decimal("1076.00"), "paying": 2, "per_plan": [0, 1, 0, 1],
                              "total": 2}
    chart = report.mrr_chart(name="MRR")
    assert chart["labels"][-1] == "2026-06" and chart["series"][0]["values"][-1] == 1114.83
    stacked = report.subscribers_chart(name_of=lambda p: p.code)
    assert [s["name"] for s in stacked["series"]] == ["boards", "erp", "erp-pdm", "erp-pdm-logistics"]
    assert stacked["series"][1]["values"] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]


def test_a_month_ends_at_midnight_in_china_and_the_current_month_at_now(make_enterprise, plans):
    enterprise = make_enterprise()
    # created on 1 May at 00:30 in China (still 30 April in UTC): May's, not April's
    _subscription(enterprise, plans["erp"], created=at(2026, 5, 1, 0, 30))
    report = mrr_by_month(months=3, now=at(2026, 5, 1, 0, 20))
    assert [(m.month.isoformat(), m.mrr) for m in report.months] == [
        ("2026-03-01", 0), ("2026-04-01", 0), ("2026-05-01", 0)]  # not yet at "now"
    report = mrr_by_month(months=3, now=at(2026, 5, 20))
    assert [m.mrr for m in report.months] == [0, 0, Decimal("299.00")]


def test_a_cancelled_subscription_stops_counting_when_it_ended(make_enterprise, plans):
    enterprise = make_enterprise()
    _subscription(enterprise, plans["erp"], created=at(2026, 1, 5), interval="year",
                  canceled_at=at(2026, 3, 31, 23, 59))
    report = mrr_by_month(months=4, now=at(2026, 4, 10))
    assert [m.mrr for m in report.months] == [Decimal("249.17"), Decimal("249.17"), 0, 0]  # 2990 / 12
