"""Reads of government data: registry facts and the credit badge of an enterprise (one or many at
once, for the boards), the history of a record, the flags for the office, and the sync runs.

For the enterprise dashboard and the boards:

    registry_for(uscc) -> RegistryRecord | None            current registry facts
    credit_badge_for(uscc) -> CreditBadge                  rating + active negative events + level
    credit_badges_for(usccs) -> dict[uscc, CreditBadge]    3 queries whatever the number of codes
    {% load govdata %}{% credit_badge enterprise.uscc %}    the badge as HTML (one enterprise)
    {% credit_badge_html badge %}                           the badge as HTML from credit_badges_for
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from api.govdata.models import (CreditEvent, CreditRating, EventKind, RatingScheme, RegistryRecord, RegistryStatus,
                                Severity, SyncRun)
from core.uscc import normalize_uscc
from tenants.models import Enterprise

# A penalty has no removal date: it counts as active this long after the decision (信用修复 periods).
PENALTY_ACTIVE_DAYS = 365
NEGATIVE = (Severity.SERIOUS, Severity.NEGATIVE)


class BadgeLevel:
    GOOD = "good"  # a rating and nothing negative in force
    WATCH = "watch"  # a negative event in force, or a low grade
    ALERT = "alert"  # a serious event in force, or the registry does not say 存续/在业
    UNKNOWN = "unknown"  # no government data linked


@dataclass
class CreditBadge:
    uscc: str
    level: str = BadgeLevel.UNKNOWN
    tax_grade: str = ""
    tax_year: int | None = None
    public_score: str = ""
    public_grade: str = ""
    public_scale: str = ""
    registry_status: str = ""
    registry_status_raw: str = ""
    active_negative: list[CreditEvent] = field(default_factory=list)
    honours: list[CreditEvent] = field(default_factory=list)

    @property
    def serious(self) -> list[CreditEvent]:
        return [e for e in self.active_negative if e.severity == Severity.SERIOUS]

    @property
    def registry_abnormal(self) -> bool:
        return bool(self.registry_status) and self.registry_status != RegistryStatus.ACTIVE

    @property
    def is_flagged(self) -> bool:
        return self.level == BadgeLevel.ALERT

    @property
    def public_value(self) -> str:
        """The municipal public credit as shown: its grade, or its score out of the scale's top ("812/1000")."""
        value = self.public_grade or self.public_score
        if self.public_scale and self.public_score:
            value = f"{self.public_score}/{self.public_scale.split('-')[-1]}"
        return value

    @property
    def rating_text(self) -> str:
        """The current ratings in a few characters, the same in every language: "A · 812/1000", "A", "812/1000", ""."""
        return " · ".join(part for part in (self.tax_grade, self.public_value) if part)

    @property
    def label(self) -> str:
        parts = []
        if self.tax_grade:
            parts.append(_("Tax credit %(grade)s (%(year)s)") % {"grade": self.tax_grade, "year": self.tax_year or "—"})
        if self.public_value:
            parts.append(_("Public credit %(value)s") % {"value": self.public_value})
        if not parts:
            parts.append(_("No rating"))
        return " · ".join(parts)

    @property
    def reasons(self) -> list[str]:
        """Why the office should look at this enterprise (empty when nothing is wrong)."""
        reasons = []
        if self.registry_abnormal:
            reasons.append(_("Registry status: %(status)s") % {"status": self.registry_status_raw})
        reasons += [f"{e.get_kind_display()} · {e.authority or e.get_source_display()} · {e.listed_on or ''}"
                    for e in self.serious]
        return reasons


def event_is_active(event: CreditEvent, today: date) -> bool:
    if event.removed_on is not None and event.removed_on <= today:
        return False
    if event.kind == EventKind.ADMIN_PENALTY and event.listed_on is not None:
        return event.listed_on + timedelta(days=PENALTY_ACTIVE_DAYS) > today
    return True


def registry_for(uscc: str) -> RegistryRecord | None:
    return RegistryRecord.objects.filter(uscc=uscc, is_current=True).first()


def registry_map(usccs) -> dict[str, RegistryRecord]:
    return {r.uscc: r for r in RegistryRecord.objects.filter(uscc__in=set(usccs), is_current=True)}


def registry_history(*, uscc: str) -> QuerySet[RegistryRecord]:
    """Every version, newest first."""
    return RegistryRecord.objects.filter(uscc=uscc).select_related("sync_run").order_by("-version")


def credit_events_for(*, uscc: str, include_history: bool = False) -> QuerySet[CreditEvent]:
    qs = CreditEvent.objects.filter(uscc=uscc)
    if not include_history:
        qs = qs.filter(is_current=True)
    return qs.order_by("-listed_on", "key", "-version")


def credit_ratings_for(*, uscc: str, include_history: bool = False) -> QuerySet[CreditRating]:
    qs = CreditRating.objects.filter(uscc=uscc)
    if not include_history:
        qs = qs.filter(is_current=True)
    return qs.order_by("scheme", "-year", "-version")


def credit_badge_build(*, uscc: str, registry: RegistryRecord | None, events, ratings,
                       today: date | None = None) -> CreditBadge:
    today = today or timezone.localdate()
    badge = CreditBadge(uscc=uscc)
    if registry is not None:
        badge.registry_status, badge.registry_status_raw = registry.status, registry.status_raw
    for event in events:
        if not event_is_active(event, today):
            continue
        if event.severity in NEGATIVE:
            badge.active_negative.append(event)
        elif event.severity == Severity.POSITIVE:
            badge.honours.append(event)
    valid = sorted((r for r in ratings if r.is_valid_on(today)), key=lambda r: (r.year or 0, r.version), reverse=True)
    tax = next((r for r in valid if r.scheme == RatingScheme.TAX_CREDIT), None)
    if tax is not None:
        badge.tax_grade, badge.tax_year = tax.grade, tax.year
    public = next((r for r in valid if r.scheme == RatingScheme.PUBLIC_CREDIT), None)
    if public is not None:
        badge.public_score = "" if public.score is None else f"{public.score.normalize():f}"
        badge.public_grade, badge.public_scale = public.grade, public.scale
    if badge.serious or badge.registry_abnormal:
        badge.level = BadgeLevel.ALERT
    elif badge.active_negative or badge.tax_grade in ("C", "D"):
        badge.level = BadgeLevel.WATCH
    elif registry is not None or tax is not None or public is not None:
        badge.level = BadgeLevel.GOOD
    return badge


def credit_badges_for(usccs, *, today: date | None = None) -> dict[str, CreditBadge]:
    """Badges of many enterprises in three queries (registry, events, ratings)."""
    codes = {c for c in usccs if c}
    if not codes:
        return {}
    registries = registry_map(codes)
    events: dict[str, list] = {c: [] for c in codes}
    for event in CreditEvent.objects.filter(uscc__in=codes, is_current=True).order_by("-listed_on", "key"):
        events[event.uscc].append(event)
    ratings: dict[str, list] = {c: [] for c in codes}
    for rating in CreditRating.objects.filter(uscc__in=codes, is_current=True):
        ratings[rating.uscc].append(rating)
    return {c: credit_badge_build(uscc=c, registry=registries.get(c), events=events[c], ratings=ratings[c],
                                  today=today) for c in codes}


def credit_badge_for(uscc: str, *, today: date | None = None) -> CreditBadge:
    return credit_badges_for([uscc], today=today).get(uscc) or CreditBadge(uscc=uscc)


@dataclass
class OfficeFlag:
    enterprise: object
    badge: CreditBadge


def office_flags(*, today: date | None = None) -> list[OfficeFlag]:
    """Enterprises on the platform whose registry status is not 存续/在业 or that have a serious
    credit event in force (two queries to find them, three for their badges)."""
    today = today or timezone.localdate()
    abnormal = set(RegistryRecord.objects.filter(is_current=True).exclude(status=RegistryStatus.ACTIVE)
                   .values_list("uscc", flat=True))
    serious = set(CreditEvent.objects.filter(is_current=True, severity=Severity.SERIOUS)
                  .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=today)).values_list("uscc", flat=True))
    enterprises = list(Enterprise.objects.filter(uscc__in=abnormal | serious).order_by("name"))
    badges = credit_badges_for([e.uscc for e in enterprises], today=today)
    return [OfficeFlag(enterprise=e, badge=badges[e.uscc]) for e in enterprises if badges[e.uscc].is_flagged]


def sync_run_list(*, kind: str = "", status: str = "", top_level: bool = True) -> QuerySet[SyncRun]:
    qs = SyncRun.objects.select_related("triggered_by")
    if top_level:
        qs = qs.filter(parent__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def sync_run_get(*, run_id: int) -> SyncRun | None:
    return SyncRun.objects.select_related("triggered_by", "parent").filter(pk=run_id).first()


def linked_enterprise(*, uscc: str):
    return Enterprise.objects.filter(uscc=uscc).first()


@dataclass
class SearchHit:
    """One enterprise found by the office's search: its registry facts (if any), its enterprise on the
    platform (if any) and its credit badge."""
    uscc: str
    name: str
    registry: RegistryRecord | None
    enterprise: object | None
    badge: CreditBadge


def enterprise_search_codes(*, query: str) -> QuerySet:
    """The credit codes matching a search, in code order, as a query to page: a full or partial credit
    code (normalised as typed: full-width, spaces and dashes are fine) or part of a name (registered
    or on the platform). Registry records and enterprises on the platform are both searched."""
    text = (query or "").strip()
    if not text:
        return RegistryRecord.objects.none().values_list("uscc", flat=True)
    code = normalize_uscc(text)
    registry = Q(name__icontains=text)
    platform = Q(name__icontains=text)
    if code:
        registry |= Q(uscc__contains=code)
        platform |= Q(uscc__contains=code)
    codes = RegistryRecord.objects.filter(registry, is_current=True).values_list("uscc", flat=True)
    linked = Enterprise.objects.filter(platform).exclude(uscc__isnull=True).exclude(uscc="").values_list("uscc", flat=True)
    return codes.union(linked).order_by("uscc")


def enterprise_search_hits(codes) -> list[SearchHit]:
    """The rows of one page of `enterprise_search_codes`: three queries for the badges, two for the names."""
    codes = list(codes)
    registries = registry_map(codes)
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
    badges = credit_badges_for(codes)
    hits = []
    for code in codes:
        registry, enterprise = registries.get(code), enterprises.get(code)
        name = registry.name if registry else (enterprise.name if enterprise else code)
        hits.append(SearchHit(uscc=code, name=name, registry=registry, enterprise=enterprise,
                              badge=badges.get(code) or CreditBadge(uscc=code)))
    return hits
