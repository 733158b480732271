"""Reads of the platform administrator's billing pages (public host, /platform/billing/): every
enterprise's subscriptions, the past-due ones with their dunning state, open invoices and their transfers,
the fapiao queue, and MRR / subscribers by plan per month.

MRR (monthly recurring revenue) of a month is computed from the subscriptions themselves (their plan,
interval, extra seats and dates), as they stand at the end of that month (now, for the current month):
a subscription counts when it was created before that moment and not cancelled by then, and brings
revenue when it is paid (not a free plan) and out of its trial. A monthly subscription brings its price
plus its extra seats; a yearly one a twelfth of its yearly price and seats. A subsidised subscription counts
in full (the programme pays its share). The plan is the subscription's current one: a change of plan is not
kept as history, so the past of a subscription that changed plan is valued at its plan of today."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from billing.models import DunningNotice, FapiaoRequest, Interval, Invoice, Plan, Subscription

CENT = Decimal("0.01")
ZERO = Decimal("0")
PAST_DUE_STATUSES = (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID, Subscription.Status.INCOMPLETE)


# ----------------------------------------------------------------------------------------- plans

def plan_admin_list() -> QuerySet[Plan]:
    """Every plan (offered or not) with how many current subscriptions it has."""
    return Plan.objects.annotate(current_count=Count(
        "subscriptions", filter=~Q(subscriptions__status=Subscription.Status.CANCELED), distinct=True))


def plan_admin_get(*, pk) -> Plan:
    try:
        return Plan.objects.get(pk=int(pk))
    except (Plan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# --------------------------------------------------------------------------------- subscriptions

def subscription_admin_list() -> QuerySet[Subscription]:
    """All subscriptions of all enterprises (cancelled ones too), with what is outstanding on them."""
    outstanding = (Invoice.objects.filter(subscription=OuterRef("pk"), status=Invoice.Status.OPEN)
                   .values("subscription").annotate(total=Sum("amount_due") - Sum("amount_paid")).values("total"))
    return (Subscription.objects.select_related("enterprise", "plan", "pending_plan", "subsidy_scheme")
            .annotate(outstanding=Subquery(outstanding)))


def past_due_list(*, now: datetime | None = None) -> QuerySet[Subscription]:
    """Current subscriptions that are past due (or unpaid / incomplete), oldest first, with the last dunning
    step sent for this episode of being past due and when."""
    last = DunningNotice.objects.filter(subscription=OuterRef("pk"), past_due_since=OuterRef("past_due_since"))
    return (subscription_admin_list().filter(status__in=PAST_DUE_STATUSES)
            .annotate(last_step=Subquery(last.order_by("-sent_at").values("step")[:1]),
                      last_sent_at=Subquery(last.order_by("-sent_at").values("sent_at")[:1]),
                      notices_sent=Subquery(last.values("subscription").annotate(n=Count("pk")).values("n")))
            .order_by("past_due_since", "pk"))


def past_due_get(*, pk) -> Subscription:
    try:
        return past_due_list().get(pk=int(pk))
    except (Subscription.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def dunning_notices(*, subscription: Subscription) -> QuerySet[DunningNotice]:
    return DunningNotice.objects.filter(subscription=subscription).select_related("sent_by").order_by("-sent_at")


# -------------------------------------------------------------------------------------- invoices

def invoice_admin_list() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("enterprise", "subscription__plan").annotate(
        transfers=Count("bank_transfers"), last_received=Max("bank_transfers__received_on"))


def invoice_admin_get(*, pk) -> Invoice:
    try:
        return invoice_admin_list().get(pk=int(pk))
    except (Invoice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def fapiao_queue() -> QuerySet[FapiaoRequest]:
    """Fapiao requests, the ones still to issue first, oldest first."""
    return (FapiaoRequest.objects.select_related("invoice__enterprise", "requested_by")
            .annotate(waiting=Case(When(status=FapiaoRequest.Status.REQUESTED, then=Value(0)), default=Value(1),
                                   output_field=IntegerField()))
            .order_by("waiting", "requested_at", "pk"))


def fapiao_get(*, pk) -> FapiaoRequest:
    try:
        return fapiao_queue().get(pk=int(pk))
    except (FapiaoRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# -------------------------------------------------------------------------------- MRR over time

def monthly_revenue(subscription: Subscription) -> Decimal:
    """What a subscription brings per month: a yearly one a twelfth of its yearly price (seats included)."""
    plan = subscription.plan
    if subscription.interval == Interval.YEAR:
        return (plan.price_year + plan.extra_seat_year * subscription.extra_seats) / 12
    return plan.price_month + plan.extra_seat_month * subscription.extra_seats


def _ended_at(subscription: Subscription) -> datetime | None:
    if subscription.status != Subscription.Status.CANCELED:
        return None
    return subscription.canceled_at or subscription.updated_at


@dataclass
class MonthFigures:
    month: date  # the first day
    mrr: Decimal
    subscribers: dict[int, int]  # plan id -> current subscriptions at the month's end
    paying: int


@dataclass
class MrrReport:
    months: list[MonthFigures]
    plans: list[Plan]
    rows: list[dict] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [m.month.strftime("%Y-%m") for m in self.months]

    def mrr_chart(self, *, name: str) -> dict:
        return {"type": "line", "labels": self.labels,
                "series": [{"name": name, "values": [float(m.mrr) for m in self.months], "area": True}]}

    def subscribers_chart(self, *, name_of) -> dict:
        return {"type": "bar", "labels": self.labels, "series": [
            {"name": name_of(plan), "stack": "plans", "values": [m.subscribers.get(plan.pk, 0) for m in self.months]}
            for plan in self.plans]}


def mrr_by_month(*, months: int = 12, now: datetime | None = None) -> MrrReport:
    """MRR and subscribers per plan at the end of each of the last ``months`` months (this one included,
    taken at ``now``), oldest first."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    this_month = local_now.date().replace(day=1)
    firsts = [this_month - relativedelta(months=n) for n in range(months - 1, -1, -1)]
    tz = timezone.get_current_timezone()
    points = []
    for first in firsts:
        end = datetime.combine(first + relativedelta(months=1), datetime.min.time(), tzinfo=tz)
        points.append(min(end, now))
    subscriptions = list(Subscription.objects.select_related("plan").filter(created_at__lt=points[-1] if points
                                                                            else now))
    figures = []
    for first, point in zip(firsts, points):
        mrr, paying, subscribers = ZERO, 0, defaultdict(int)
        for s in subscriptions:
            if s.created_at >= point:
                continue
            ended = _ended_at(s)
            if ended is not None and ended <= point:
                continue
            subscribers[s.plan_id] += 1
            if s.plan.is_free or (s.trial_end is not None and s.trial_end > point):
                continue
            mrr += monthly_revenue(s)
            paying += 1
        figures.append(MonthFigures(month=first, mrr=mrr.quantize(CENT), subscribers=dict(subscribers),
                                    paying=paying))
    used = {pk for m in figures for pk in m.subscribers}
    plans = [p for p in Plan.objects.all() if p.pk in used]
    report = MrrReport(months=figures, plans=plans)
    report.rows = [{"month": m.month.strftime("%Y-%m"), "mrr": m.mrr, "paying": m.paying,
                    "per_plan": [m.subscribers.get(p.pk, 0) for p in plans],
                    "total": sum(m.subscribers.values())} for m in figures]
    return report
