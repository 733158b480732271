"""Counting an enterprise's activity for the daily adoption snapshot.

`tenant_activity_count` runs with the connection set to ONE enterprise's schema (inside the
per-enterprise Celery task, or `tenant_context` in tests) and reads only that schema's tables.
`public_activity_count` reads the public schema only (memberships, board listings). Their
results are combined in Python by `services.adoption_snapshot_record`; no SQL statement ever
touches two schemas, so this keeps working when the schemas live on different database nodes.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp_modules.catalog.models import Bom, Item
from tenants.models import Membership

# kind -> (module, "app_label.Model", timestamp field). Order = display order.
TENANT_DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "purchase_orders": ("purchasing", "purchasing.PurchaseOrder", "created_at"),
    "receipts": ("purchasing", "purchasing.Receipt", "posted_at"),
    "quotations": ("sales", "sales.Quotation", "created_at"),
    "sales_orders": ("sales", "sales.SalesOrder", "created_at"),
    "deliveries": ("shipments", "sales.Delivery", "created_at"),
    "invoices": ("sales", "sales.Invoice", "created_at"),
    "work_orders": ("production", "production.WorkOrder", "created_at"),
    "items": ("parts", "catalog.Item", "created_at"),
    "boms": ("parts", "catalog.Bom", "created_at"),
    "files": ("documents", "files.Attachment", "created_at"),
}
# Counted from the public schema (the boards are a shared app), by enterprise id.
PUBLIC_DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "listings": ("boards", "ecommerce.Listing", "created_at"),
}
# (model, user field, timestamp field) in the public schema, by enterprise id: who posted on the boards.
PUBLIC_ACTORS: list[tuple[str, str, str]] = [("ecommerce.Listing", "created_by", "created_at")]
DOCUMENT_KINDS = list(TENANT_DOCUMENTS) + list(PUBLIC_DOCUMENTS)
MODULE_OF_KIND = {kind: spec[0] for kind, spec in {**TENANT_DOCUMENTS, **PUBLIC_DOCUMENTS}.items()}

KIND_LABELS = {
    "purchase_orders": _("purchase orders"), "receipts": _("goods receipts"), "quotations": _("quotations"),
    "sales_orders": _("sales orders"), "deliveries": _("shipments"), "invoices": _("invoices"),
    "work_orders": _("work orders"), "items": _("parts"), "boms": _("bills of materials"),
    "files": _("documents and drawings"), "listings": _("board listings"),
}
MODULE_LABELS = {
    "purchasing": _("purchasing"), "sales": _("sales"), "shipments": _("shipments"), "production": _("production"),
    "parts": _("parts and BOMs"), "documents": _("document library"), "boards": _("boards"),
}

# (model, user field, timestamp field): who did something in the enterprise, besides the audit trail.
TENANT_ACTORS: list[tuple[str, str, str]] = [
    ("erp_common.AuditEntry", "user", "at"),
    ("purchasing.PurchaseOrder", "created_by", "created_at"),
    ("purchasing.Receipt", "user", "posted_at"),
    ("sales.SalesOrder", "created_by", "created_at"),
    ("sales.Quotation", "created_by", "created_at"),
    ("sales.Invoice", "created_by", "created_at"),
    ("sales.Delivery", "created_by", "created_at"),
    ("production.WorkOrder", "created_by", "created_at"),
    ("inventory.StockMove", "user", "posted_at"),
    ("files.Attachment", "uploaded_by", "created_at"),
]

HUNDRED = Decimal("100")
# PDM tables, read by label (office and pdm are siblings: neither imports the other).
PDM_PART, PDM_REVISION, PDM_DOCUMENT, PDM_ECO = ("pdm_parts.Part", "pdm_parts.PartRevision", "pdm_vault.Document",
                                                 "pdm_changes.Eco")
PDM_ECO_WINDOW_DAYS = 90
# Logistics tables, read by label (office and logistics are siblings: neither imports the other).
LOGISTICS_SHIPMENT, LOGISTICS_PARCEL, LOGISTICS_SUBSCRIPTION, LOGISTICS_EVENT = (
    "logistics_shipments.Shipment", "logistics_shipments.Parcel", "logistics_tracking.Subscription",
    "logistics_tracking.TrackingEvent")
SALES_DELIVERY = "sales.Delivery"


@dataclass(frozen=True)
class Windows:
    """The day's windows as aware datetimes: [start_7d, end), [start_30d, end), [start_prev, start_30d)."""

    day: date
    end: datetime
    start_7d: datetime
    start_30d: datetime
    start_prev_30d: datetime

    @classmethod
    def ending(cls, day: date) -> Windows:
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return cls(day=day, end=end, start_7d=end - timedelta(days=7), start_30d=end - timedelta(days=30),
                   start_prev_30d=end - timedelta(days=60))


@dataclass
class Activity:
    """What one enterprise did, as plain numbers and user ids (no model instances cross schemas)."""

    day: date
    user_ids_7d: set[int] = field(default_factory=set)
    user_ids_30d: set[int] = field(default_factory=set)
    documents_7d: dict[str, int] = field(default_factory=dict)
    documents_30d: dict[str, int] = field(default_factory=dict)
    documents_prev_30d: dict[str, int] = field(default_factory=dict)
    items_count: int = 0
    items_with_bom_pct: Decimal | None = None
    items_with_lead_time_pct: Decimal | None = None
    items_with_cost_pct: Decimal | None = None
    pdm_parts_under_revision: int = 0
    pdm_vault_documents: int = 0
    pdm_ecos_completed_90d: int = 0
    logistics_deliveries_30d: int = 0
    logistics_deliveries_tracked_30d: int = 0
    logistics_shipments_30d: int = 0

    @property
    def logistics_tracked_pct(self) -> Decimal | None:
        return _pct(self.logistics_deliveries_tracked_30d, self.logistics_deliveries_30d)

    @property
    def completeness_pct(self) -> Decimal | None:
        parts = [p for p in (self.items_with_bom_pct, self.items_with_lead_time_pct, self.items_with_cost_pct)
                 if p is not None]
        if not parts:
            return None
        return (sum(parts) / len(parts)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _window_counts(qs, ts: str, w: Windows) -> tuple[int, int, int]:
    row = qs.filter(**{f"{ts}__gte": w.start_prev_30d, f"{ts}__lt": w.end}).aggregate(
        d7=Count("pk", filter=Q(**{f"{ts}__gte": w.start_7d})),
        d30=Count("pk", filter=Q(**{f"{ts}__gte": w.start_30d})),
        prev=Count("pk", filter=Q(**{f"{ts}__lt": w.start_30d})),
    )
    return row["d7"], row["d30"], row["prev"]


def tenant_activity_count(*, day: date) -> Activity:
    """Count the current schema's activity for the windows ending with `day`. Tenant tables only."""
    w = Windows.ending(day)
    activity = Activity(day=day)
    for kind, (_module, label, ts) in TENANT_DOCUMENTS.items():
        d7, d30, prev = _window_counts(apps.get_model(label).objects.all(), ts, w)
        activity.documents_7d[kind], activity.documents_30d[kind], activity.documents_prev_30d[kind] = d7, d30, prev
    for label, user_field, ts in TENANT_ACTORS:
        # each user who did something in the 30 days, with the latest time they did it
        latest_by_user = (apps.get_model(label).objects
                          .filter(**{f"{ts}__gte": w.start_30d, f"{ts}__lt": w.end, f"{user_field}__isnull": False})
                          .order_by().values_list(f"{user_field}_id").annotate(latest=Max(ts)))
        for user_id, latest in latest_by_user:
            activity.user_ids_30d.add(user_id)
            if latest >= w.start_7d:
                activity.user_ids_7d.add(user_id)

    # Data completeness of the item master as it stands at the end of the day.
    existing = Item.objects.filter(active=True, created_at__lt=w.end).exclude(
        item_type__in=[Item.Type.KIT, Item.Type.SERVICE])
    made = existing.filter(item_type__in=[Item.Type.FINISHED, Item.Type.SUBASSEMBLY])
    stats = existing.aggregate(total=Count("pk"), lead=Count("pk", filter=Q(lead_time_days__gt=0)),
                               cost=Count("pk", filter=Q(standard_cost__gt=0)))
    made_stats = made.annotate(has_bom=Exists(Bom.objects.filter(item=OuterRef("pk"), status=Bom.Status.RELEASED))
                               ).aggregate(total=Count("pk"), bom=Count("pk", filter=Q(has_bom=True)))
    activity.items_count = stats["total"]
    activity.items_with_lead_time_pct = _pct(stats["lead"], stats["total"])
    activity.items_with_cost_pct = _pct(stats["cost"], stats["total"])
    activity.items_with_bom_pct = _pct(made_stats["bom"], made_stats["total"])
    pdm_use_count(activity=activity, w=w)
    logistics_use_count(activity=activity, w=w)
    return activity


def pdm_use_count(*, activity: Activity, w: Windows) -> Activity:
    """PDM use in the current schema as it stands at the end of the day: parts with at least one
    revision (under revision control), documents in the vault, ECOs applied in the 90 days up to the
    day. Zero when the PDM apps are not installed."""
    part, revision, document, eco = (public_model(label) for label in (PDM_PART, PDM_REVISION, PDM_DOCUMENT, PDM_ECO))
    if part is not None and revision is not None:
        activity.pdm_parts_under_revision = part.objects.filter(
            Exists(revision.objects.filter(part=OuterRef("pk"), created_at__lt=w.end))).count()
    if document is not None:
        activity.pdm_vault_documents = document.objects.filter(created_at__lt=w.end).count()
    if eco is not None:
        activity.pdm_ecos_completed_90d = eco.objects.filter(
            state="applied", applied_at__gte=w.end - timedelta(days=PDM_ECO_WINDOW_DAYS), applied_at__lt=w.end).count()
    return activity


def logistics_use_count(*, activity: Activity, w: Windows) -> Activity:
    """Logistics use in the current schema over the 30 days up to the day: sales deliveries made, those of them
    shipped with tracking (a shipment, not cancelled, with a parcel that has a waybill number and a tracking
    subscription or tracking events), and shipments made (not cancelled). Zero when the apps are absent."""
    delivery, shipment, parcel, subscription, event = (public_model(label) for label in (
        SALES_DELIVERY, LOGISTICS_SHIPMENT, LOGISTICS_PARCEL, LOGISTICS_SUBSCRIPTION, LOGISTICS_EVENT))
    if shipment is None:
        return activity
    window = {"created_at__gte": w.start_30d, "created_at__lt": w.end}
    activity.logistics_shipments_30d = shipment.objects.filter(**window).exclude(status="cancelled").count()
    if delivery is None or parcel is None:
        return activity
    followed = [Exists(model.objects.filter(parcel=OuterRef("pk"))) for model in (subscription, event) if model]
    if not followed:  # no tracking app: nothing is tracked
        activity.logistics_deliveries_30d = delivery.objects.filter(**window).count()
        return activity
    tracked_parcels = parcel.objects.filter(functools.reduce(operator.or_, followed), shipment=OuterRef("pk")
                                            ).exclude(waybill_number="")
    tracked_shipments = shipment.objects.filter(Exists(tracked_parcels), delivery=OuterRef("pk")).exclude(
        status="cancelled")
    row = delivery.objects.filter(**window).aggregate(
        total=Count("pk"), tracked=Count("pk", filter=Q(Exists(tracked_shipments))))
    activity.logistics_deliveries_30d, activity.logistics_deliveries_tracked_30d = row["total"], row["tracked"]
    return activity


def public_model(label: str):
    """A model by its label, or None if that app is not installed or has not built it yet (the boards,
    PDM)."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def public_activity_count(*, enterprise_id: int, day: date, activity: Activity) -> Activity:
    """Add what the public schema knows: members seen on the enterprise's host, board listings."""
    w = Windows.ending(day)
    for user_id, seen in Membership.objects.filter(enterprise_id=enterprise_id, last_seen_at__gte=w.start_30d,
                                                   last_seen_at__lt=w.end).values_list("user_id", "last_seen_at"):
        activity.user_ids_30d.add(user_id)
        if seen >= w.start_7d:
            activity.user_ids_7d.add(user_id)
    for label, user_field, ts in PUBLIC_ACTORS:
        model = public_model(label)
        if model is None:
            continue
        try:
            latest_by_user = list(model.objects.filter(**{
                "enterprise_id": enterprise_id, f"{ts}__gte": w.start_30d, f"{ts}__lt": w.end,
                f"{user_field}__isnull": False}).order_by().values_list(f"{user_field}_id").annotate(latest=Max(ts)))
        except FieldError:
            continue
        for user_id, latest in latest_by_user:
            activity.user_ids_30d.add(user_id)
            if latest >= w.start_7d:
                activity.user_ids_7d.add(user_id)
    for kind, (_module, label, ts) in PUBLIC_DOCUMENTS.items():
        model = public_model(label)
        counts = (0, 0, 0)
        if model is not None:
            try:
                counts = _window_counts(model.objects.filter(enterprise_id=enterprise_id), ts, w)
            except FieldError:  # the boards' model does not (yet) have enterprise / created_at
                counts = (0, 0, 0)
        activity.documents_7d[kind], activity.documents_30d[kind], activity.documents_prev_30d[kind] = counts
    return activity


def modules_in_use(documents_30d: dict[str, int]) -> list[str]:
    return sorted({MODULE_OF_KIND[k] for k, n in documents_30d.items() if n and k in MODULE_OF_KIND})
