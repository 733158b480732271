"""Machinery to walk every page of the platform: URL patterns read from the resolvers, a "world" of
two enterprises holding at least one object of every kind a path parameter names, the filling of
path parameters with real ids, the discovery of the forms a page shows, hostile values per field type
and a watch on the database that tells which tables a request changed.

Used by the hostile-input walk (tests/test_hostile_input.py, issue 11) and the page isolation walk
(issue 19). Nothing here is a hand-written list of pages: a new URL pattern is enumerated by
`iter_patterns`; if its path parameters are not known, `fill` raises `Unfillable` (a test failure,
never a silent skip) naming the pattern and the parameter, and the fix is one line in `PARAM_RULES`
(and, for a new kind of object, a few lines in `build_world`).

API
---
    from tests.walker import build_world, iter_patterns, fill, fill_all, host

    world = build_world(make_enterprise, make_user)          # inside a test using the `db` fixture
    world.a, world.b                                         # Side: both enterprises, fully populated
    side = world.a
    side.enterprise, side.host                               # Enterprise, "walk-a-….localhost"
    side.owner, side.users["manager"], side.users["viewer"]  # a member per role (Role values)
    side.ids                                                 # Ids: kind -> id/str (see KINDS below)
    world.office, world.admin                                # platform users: office, platform admin
    world.other_user                                         # a user with no membership anywhere

    for pattern in iter_patterns("config.urls_tenants"):     # or "config.urls_public"
        pattern.route      # "sales/orders/<int:order_id>/deliver/" (regex for re_path)
        pattern.name       # url name ("order_deliver"), pattern.view (dotted path of the view)
        pattern.params     # {"order_id": "int"} (converter name, "re" for a regex group)
        path = fill(pattern, side.ids)       # "/sales/orders/17/deliver/" — raises Unfillable
        paths = fill_all(pattern, side.ids)  # every value of a choice parameter (bom actions, fmt …)

    client.get(path, HTTP_HOST=side.host)            # enterprise URL conf
    client.get(path, HTTP_HOST=PUBLIC_HOST)          # public URL conf ("localhost")

`build_world(make_enterprise, make_user, full=("a", "b"))` — sides listed in `full` get the whole
range-hood ERP demo (items, BOMs, routings, partners, POs, SOs, quotations, deliveries, invoices, work
orders with operation reports, stock, an MRP run with planned orders, an availability check, an
import job, a stock count, a file, an API token, members of every role, an open invitation) and the
public objects (board listings with an image and an attachment, an RFQ, board quotations both ways,
an inquiry thread, an enrolment in a programme with a subsidy paid, a government-data run and
registry record for its credit code, a monthly report). Only ids of the side's own enterprise are in
`side.ids` except where the object is shared by design (a quotation B sent on A's RFQ is in A's ids as
`board_quotation_received`, and in B's as `board_quotation_sent`).

`PARAM_RULES` maps (view module or dotted view, parameter) → kind; `Ids` maps kind → value. Admin
patterns (`<path:object_id>`) are filled from the model the ModelAdmin serves (`model:<app_label>.<model>`
kinds, filled by `build_world` for every model registered in the admin).

Forms: `page_forms(html, base_path)` parses the <form>s of a page (method, action, inputs with their
type, options of selects, textareas); `view_form_classes(pattern)` lists the Django form classes a
view's code names; `field_kinds(form, form_classes)` gives each field a kind ("decimal", "int",
"date", "choice", "email", "text", "bool", "file", …), taken from the Django form field when one is
found and from the HTML input type otherwise. `HOSTILE[kind]` lists hostile values for that kind.

`DbWatch(schemas)` fingerprints every table of the given schemas; `watch.changed()` after a request
names the tables whose rows changed (inserts, updates or deletes that stayed) since the last call;
it reads the transaction's own per-table write counters (pg_stat_get_xact_tuples_*) first, so only
touched tables are fingerprinted again. Tables written by design on any request (sessions, log-in
throttling) and stamp columns (last seen, last used, read markers) are left out (WATCH_EXCLUDED,
WATCH_IGNORED_COLUMNS).
"""

from __future__ import annotations

import inspect
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django import forms as django_forms
from django.db import DatabaseError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

PUBLIC_HOST = "localhost"
URLCONFS = ("config.urls_tenants", "config.urls_public")

_seq = itertools.count(1)


class Unfillable(AssertionError):
    """A pattern has a path parameter the walker does not know how to fill (add a PARAM_RULES line)."""


# ---------------------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class Pattern:
    urlconf: str
    route: str  # the full route, prefixes joined ("sales/orders/<int:order_id>/")
    regex: str  # the full regex (for re_path and for checking a filled path)
    name: str | None
    view: str  # dotted path of the view function/class
    callback: object = field(compare=False, repr=False)
    params: dict = field(compare=False)  # name -> converter name ("int", "str", "slug", "path", "re")
    choices: dict = field(compare=False)  # name -> allowed values when a regex says so (a|b|c)

    @property
    def module(self) -> str:
        return self.view.rsplit(".", 1)[0]

    def __str__(self):
        return f"{self.urlconf}:/{self.route}"


def _pattern_parts(p):
    """(route text, regex text, converters) of one pattern level."""
    pat = p.pattern
    if isinstance(pat, RoutePattern):
        return str(pat), pat.regex.pattern, {k: type(v).__name__ for k, v in pat.converters.items()}
    if isinstance(pat, RegexPattern):
        regex = pat.regex.pattern
        return regex, regex, {name: "re" for name in pat.regex.groupindex}
    return str(pat), pat.regex.pattern, {}


_CONVERTER_NAMES = {"IntConverter": "int", "StringConverter": "str", "SlugConverter": "slug",
                    "PathConverter": "path", "UUIDConverter": "uuid", "re": "re"}


def _view_path(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return f"{view_class.__module__}.{view_class.__qualname__}"
    model_admin = getattr(callback, "model_admin", None)
    target = getattr(callback, "__wrapped__", callback)
    name = getattr(target, "__qualname__", getattr(target, "__name__", type(target).__name__))
    module = getattr(target, "__module__", "") or ""
    if model_admin is not None:
        return f"{type(model_admin).__module__}.{type(model_admin).__qualname__}.{name}"
    return f"{module}.{name}"


def iter_patterns(urlconf: str) -> list[Pattern]:
    """Every URL pattern of a URL conf, recursively through include(), in resolver order."""
    out: list[Pattern] = []

    def walk(resolver, route_prefix: str, regex_prefix: str, params: dict):
        for p in resolver.url_patterns:
            route, regex, conv = _pattern_parts(p)
            regex = regex.lstrip("^")
            if isinstance(p, URLResolver):
                walk(p, route_prefix + route, regex_prefix + regex.rstrip("$"), {**params, **conv})
            elif isinstance(p, URLPattern):
                all_params = {k: _CONVERTER_NAMES.get(v, v) for k, v in {**params, **conv}.items()}
                full_regex = regex_prefix + regex
                choices = {}
                for name in all_params:
                    m = re.search(r"\(\?P<%s>([^()]+)\)" % re.escape(name), full_regex)
                    if m and re.fullmatch(r"[\w\-|]+", m.group(1)) and "|" in m.group(1):
                        choices[name] = m.group(1).split("|")
                out.append(Pattern(urlconf=urlconf, route=route_prefix + route, regex=full_regex, name=p.name,
                                   view=_view_path(p.callback), callback=p.callback, params=all_params,
                                   choices=choices))

    walk(get_resolver(urlconf), "", "", {})
    return out


# ---------------------------------------------------------------------------------------------------
# Ids and path parameters

# (prefix of the view's dotted path, parameter) -> kind. The longest matching prefix wins (so
# "erp_modules.sales.views.quotation" covers quotation_detail, quotation_edit …); a parameter listed
# with prefix "" is unambiguous across the platform.
PARAM_RULES: dict[tuple[str, str], str] = {
    # enterprise host
    ("erp_modules.files", "attachment_id"): "attachment",
    ("erp_modules.common", "job_id"): "import_job",
    ("erp_modules.common", "kind"): "choice:import_kind",
    ("erp_modules.catalog", "item_id"): "item",
    ("", "bom_id"): "bom",
    ("", "line_id"): "bom_line",
    ("erp_modules.catalog", "action"): "choice:bom_action",
    ("", "count_id"): "stock_count",
    ("", "partner_id"): "partner",
    ("erp_modules.purchasing", "order_id"): "purchase_order",
    ("erp_modules.sales.views.quotation", "quotation_id"): "sales_quotation",
    ("erp_modules.sales", "order_id"): "sales_order",
    ("", "check_id"): "availability_check",
    ("", "delivery_id"): "delivery",
    ("", "invoice_id"): "invoice",
    ("", "work_order_id"): "work_order",
    ("", "report_id"): "operation_report",
    ("", "worker_id"): "worker",
    ("ecommerce.erp_views", "order_id"): "planned_order",
    ("ecommerce.erp_views", "line_id"): "sales_order_line",
    ("ecommerce.erp_views", "item_id"): "item",
    ("ecommerce.capacity_views", "work_center_id"): "work_center",
    ("ecommerce.capacity_views", "operation_id"): "wo_operation",
    ("ecommerce.views.trade_orders", "trade_order_id"): "trade_order",
    ("", "run_id"): "mrp_run",
    ("erp_modules.mrp", "item_id"): "mrp_item",
    ("erp_modules.mrp", "order_id"): "planned_order",
    ("", "token_id"): "api_token",
    ("pdm.changes", "eco_id"): "eco",
    ("pdm.parts", "part_id"): "pdm_part",
    ("pdm.parts", "revision_id"): "pdm_revision",
    ("pdm.parts", "rule_id"): "pdm_rule",
    ("pdm.vault", "document_id"): "pdm_document",
    ("pdm.vault", "version_id"): "pdm_document_version",
    ("pdm.vault.links", "token"): "pdm_document_link",
    ("pdm.sharing", "share_id"): "pdm_share",
    ("pdm.sharing", "document_id"): "pdm_document",
    ("pdm.sharing", "version_id"): "pdm_document_version",
    ("logistics.carriers", "carrier_id"): "logistics_carrier",
    ("logistics.carriers", "contract_id"): "logistics_contract",
    ("logistics.carriers", "zone_id"): "logistics_zone",
    ("logistics.shipments", "shipment_id"): "logistics_shipment",
    ("logistics.shipments", "parcel_id"): "logistics_parcel",
    ("logistics.shipments", "proof_id"): "logistics_proof",
    ("logistics.shipments", "token"): "logistics_tracking_token",
    ("logistics.tracking", "task_id"): "logistics_exception_task",
    ("logistics.tracking", "parcel_id"): "logistics_tracked_parcel",
    ("logistics.tracking", "token"): "logistics_push_token",
    ("logistics.freight", "bill_id"): "freight_bill",
    ("billing.views.subscription_cancel", "pk"): "billing_subscription",
    ("billing.views.subscription_cancel_withdraw", "pk"): "billing_subscription",
    ("billing.views.subscription_pending_withdraw", "pk"): "billing_subscription",
    ("billing.views.card_update", "pk"): "billing_subscription",
    ("billing.views.payment_method_switch", "pk"): "billing_subscription",
    ("billing.views.invoice_pdf", "pk"): "billing_invoice",
    ("billing.views.fapiao_request", "pk"): "billing_invoice",
    ("", "membership_id"): "membership",
    ("", "invitation_id"): "invitation",
    ("tenants.views.go_to_enterprise", "slug"): "enterprise_slug",
    # public host
    ("ecommerce", "code"): "board_code",
    ("", "listing_id"): "listing",
    ("ecommerce", "image_id"): "listing_image",
    ("ecommerce", "attachment_id"): "listing_attachment",
    ("ecommerce.views.rfq.quotation_accept", "quotation_id"): "board_quotation_received",
    ("ecommerce.views.rfq.quotation_withdraw", "quotation_id"): "board_quotation_sent",
    ("ecommerce.views.rfq.quotation_attachment", "quotation_id"): "board_quotation_received",
    ("", "thread_id"): "inquiry_thread",
    ("ecommerce", "slug"): "enterprise_slug",
    ("office.", "code"): "programme_code",
    ("office.views.enrolments.enrolment", "pk"): "enrolment",
    ("office.views.enrolments.milestone_save", "pk"): "enrolment",
    ("office.views.enrolments.subsidy_grant", "pk"): "enrolment",
    ("office.views.enrolments.subsidy", "pk"): "subsidy",
    ("office.views.figures.enterprise_detail", "pk"): "enterprise_pk",
    ("office.views.figures.report_download", "pk"): "monthly_report",
    ("office.views.figures.report_download", "fmt"): "choice:report_fmt",
    ("office.", "slug"): "enterprise_slug",
    ("billing.views_admin.plan_edit", "pk"): "billing_plan",
    ("billing.views_admin.past_due_remind", "pk"): "billing_subscription",
    ("billing.views_admin.invoice_detail", "pk"): "billing_invoice",
    ("billing.views_admin.fapiao_issue", "pk"): "billing_fapiao",
    ("billing.views_office", "code"): "programme_code",
    ("billing.views_office.scheme_toggle", "pk"): "billing_scheme",
    ("billing.views_office.settlement_record_payment", "pk"): "billing_settlement",
    ("billing.views_office.statement_download", "month"): "billing_statement_month",
    ("billing.views_office.statement_download", "fmt"): "choice:report_fmt",
    ("api.govdata.views.run_detail", "run_id"): "govdata_run",
    ("api.govdata", "uscc"): "uscc",
    ("api.govdata", "kind"): "choice:govdata_kind",
    ("tenants.views.invitation_accept", "token"): "invitation_token",
    ("django.contrib.auth", "uidb64"): "reset_uidb64",
    ("django.contrib.auth", "token"): "reset_token",
    ("tenants.views.PasswordResetConfirmView", "uidb64"): "reset_uidb64",
    ("tenants.views.PasswordResetConfirmView", "token"): "reset_token",
    ("django.contrib.admin.sites.AdminSite.catch_all_view", "url"): "admin_unknown_url",
    ("django.contrib.contenttypes", "content_type_id"): "content_type",
    ("django.contrib.contenttypes", "object_id"): "content_object",
}


def _choice_values(kind: str) -> list[str]:
    if kind == "choice:import_kind":
        from erp_modules.common.imports import importer_choices

        return [value for value, _label in importer_choices()]
    if kind == "choice:bom_action":
        source = inspect.getsource(__import__("erp_modules.catalog.views", fromlist=["bom_action"]).bom_action)
        return sorted(set(re.findall(r'action == "([\w\-]+)"', source))) or ["release"]
    if kind == "choice:report_fmt":
        return ["pdf", "xlsx"]
    if kind == "choice:govdata_kind":
        from api.govdata.views import IMPORTERS

        return sorted(IMPORTERS)
    raise KeyError(kind)


class Ids(dict):
    """kind -> value (an int id, a slug, a token …). Missing kinds raise Unfillable via fill()."""


def _model_admin(callback):
    """The ModelAdmin behind an admin view (ModelAdmin.get_urls' wrapper, or admin_view(self.method))."""
    from django.contrib.admin import ModelAdmin

    found = getattr(callback, "model_admin", None)
    target = callback
    while found is None and target is not None:
        owner = getattr(target, "__self__", None)
        if isinstance(owner, ModelAdmin):
            found = owner
        target = getattr(target, "__wrapped__", None)
    return found


def param_kind(pattern: Pattern, name: str) -> str:
    model_admin = _model_admin(pattern.callback)
    if name in ("object_id", "id") and model_admin is not None:
        return f"model:{model_admin.model._meta.label_lower}"
    if name in pattern.choices:
        return "choices"
    best, best_len = None, -1
    for (prefix, param), kind in PARAM_RULES.items():
        if param == name and pattern.view.startswith(prefix) and len(prefix) > best_len:
            best, best_len = kind, len(prefix)
    if best is None:
        raise Unfillable(f"{pattern}: no rule for path parameter {name!r} of view {pattern.view} "
                         f"(add it to tests.walker.PARAM_RULES)")
    return best


def _values_for(pattern: Pattern, name: str, ids: Ids) -> list[str]:
    kind = param_kind(pattern, name)
    if kind == "choices":
        return list(pattern.choices[name])
    if kind.startswith("choice:"):
        return _choice_values(kind)
    if kind not in ids or ids[kind] in (None, ""):
        raise Unfillable(f"{pattern}: the world has no {kind!r} for path parameter {name!r} "
                         f"(create one in tests.walker.build_world)")
    value = ids[kind]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _substitute(pattern: Pattern, values: dict[str, str]) -> str:
    if pattern.params and all(v != "re" for v in pattern.params.values()) and "(?P<" not in pattern.route:
        path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: values[m.group(2)], pattern.route)
    else:  # a regex pattern: replace each named group, drop anchors and optional slashes' markers
        path = pattern.regex
        for name, value in values.items():
            path = re.sub(r"\(\?P<%s>[^()]*(?:\([^()]*\)[^()]*)*\)" % re.escape(name), lambda _m: value, path)
        path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: values[m.group(2)], path)
        path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    url = "/" + path
    if not re.fullmatch(pattern.regex.replace("\\Z", "$"), path):
        raise Unfillable(f"{pattern}: filled path {url!r} does not match the pattern")
    return url


def fill_all(pattern: Pattern, ids: Ids) -> list[str]:
    """Every path of the pattern: one per value of a choice parameter (e.g. each BOM action), else one."""
    names = list(pattern.params)
    options = [_values_for(pattern, name, ids) for name in names]
    return [_substitute(pattern, dict(zip(names, combo))) for combo in itertools.product(*options)]


def fill(pattern: Pattern, ids: Ids) -> str:
    """The pattern's path with real ids; raises Unfillable (a test failure) when it cannot be filled."""
    return fill_all(pattern, ids)[0]


# ---------------------------------------------------------------------------------------------------
# The world


@dataclass
class Side:
    label: str
    enterprise: object
    owner: object
    users: dict
    ids: Ids

    @property
    def host(self) -> str:
        return f"{self.enterprise.slug}.localhost"

    @property
    def schema(self) -> str:
        return self.enterprise.schema_name


@dataclass
class World:
    a: Side
    b: Side
    office: object
    admin: object
    other_user: object

    @property
    def sides(self) -> list[Side]:
        return [self.a, self.b]


def _png(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def _erp_objects(side: Side) -> None:
    """The ERP demo plus one object of every other tenant kind, in the side's schema."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import F
    from django_tenants.utils import tenant_context

    from api.tokens.services import api_token_create
    from erp_modules.catalog.models import Bom, BomLine, Item
    from erp_modules.common.models import ImportJob
    from erp_modules.files.services import attachment_upload
    from erp_modules.inventory.models import Location, ReasonCode
    from erp_modules.inventory.services import stock_count_create
    from erp_modules.mrp.models import MrpItemPlan, PlannedOrder
    from erp_modules.mrp.services import mrp_run_execute, mrp_run_request
    from erp_modules.partners.models import Partner
    from erp_modules.production.models import OperationReport, WorkOrder, Worker
    from erp_modules.purchasing.models import PurchaseOrder
    from erp_modules.purchasing.services import supplier_invoice_create
    from erp_modules.sales.models import Delivery, Invoice, Quotation, SalesOrder
    from erp_modules.sales.services import availability_check_execute, availability_check_request
    from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory

    ids = side.ids
    owner = side.owner
    with tenant_context(side.enterprise):
        seed_range_hood_factory()
        seed_range_hood_documents()
        ids["attachment"] = attachment_upload(file=SimpleUploadedFile("drawing.pdf", b"%PDF-1.4 walker"),
                                              title=f"图纸 {side.label}", uploaded_by=owner).pk
        job = ImportJob(kind="items", original_name="items.csv", created_by=owner)
        job.file.save("items.csv", SimpleUploadedFile("items.csv", b"code,name\n"), save=False)
        job.save()
        ids["import_job"] = job.pk
        item = Item.objects.get(code="CXW-200-A1")
        ids["item"] = item.pk
        bom = Bom.objects.filter(item=item).order_by("pk").first()
        ids["bom"] = bom.pk
        ids["bom_line"] = BomLine.objects.filter(bom=bom).order_by("pk").first().pk
        reason = ReasonCode.objects.order_by("pk").first() or ReasonCode.objects.create(code="CC", name="盘点")
        location = Location.objects.get(warehouse__code="WH", is_default=True)
        ids["stock_count"] = stock_count_create(location=location, reason=reason, items=[item]).pk
        ids["partner"] = Partner.objects.order_by("pk").first().pk
        received = PurchaseOrder.objects.filter(lines__received_quantity__gt=0,
                                                lines__received_quantity__lt=F("lines__quantity")).order_by("pk")[0]
        line = received.lines.order_by("pk").first()
        supplier_invoice_create(order=received, invoice_number=f"INV-{side.label}-1", user=owner,
                                lines=[{"line": line, "quantity": line.received_quantity / 2}])
        ids["purchase_order"] = received.pk
        ids["sales_quotation"] = Quotation.objects.order_by("pk").first().pk
        ids["sales_order"] = SalesOrder.objects.filter(status__in=["confirmed", "partially_delivered"]).order_by(
            "-pk").first().pk
        ids["delivery"] = Delivery.objects.order_by("pk").first().pk
        ids["invoice"] = Invoice.objects.order_by("-pk").first().pk
        report = OperationReport.objects.order_by("pk").first()
        ids["work_order"] = report.operation.work_order_id if hasattr(report, "operation") else \
            WorkOrder.objects.order_by("pk").first().pk
        ids["operation_report"] = report.pk
        ids["worker"] = report.worker_id or Worker.objects.get_or_create(code=f"W-{side.label}",
                                                                         defaults={"name": "巡检工人"})[0].pk
        check = availability_check_request(user=owner)
        availability_check_execute(check_id=check.pk)
        ids["availability_check"] = check.pk
        run = mrp_run_request(user=owner)
        mrp_run_execute(run_id=run.pk)
        ids["mrp_run"] = run.pk
        plan = MrpItemPlan.objects.filter(run_id=run.pk).order_by("pk").first()
        ids["mrp_item"] = plan.item_id if plan is not None else item.pk
        planned = PlannedOrder.objects.filter(run_id=run.pk).order_by("pk").first()
        ids["planned_order"] = planned.pk if planned is not None else None
        from erp_modules.catalog.models import WorkCenter
        from erp_modules.production.models import WorkOrderOperation
        from erp_modules.sales.models import SalesOrderLine

        ids["sales_order_line"] = SalesOrderLine.objects.order_by("pk").first().pk
        ids["work_center"] = WorkCenter.objects.order_by("pk").first().pk
        operation = WorkOrderOperation.objects.order_by("pk").first()
        ids["wo_operation"] = operation.pk if operation is not None else None
        ids["api_token"] = api_token_create(enterprise=side.enterprise, name=f"walker {side.label}",
                                            scopes=["catalog:read"], user=owner).api_token.pk
        ids["eco"] = _eco(item, owner)
        ids["pdm_part"], ids["pdm_revision"], ids["pdm_rule"] = _part(item, side.label)
        ids["pdm_document"], ids["pdm_document_version"] = _vault_document(side.label, owner)
        from pdm.vault.links import version_link_token

        ids["pdm_document_link"] = version_link_token(enterprise=side.enterprise,
                                                      version_id=ids["pdm_document_version"])
        _logistics(ids, side.label, owner)
    connection.set_schema_to_public()


def _logistics(ids: Ids, label: str, owner) -> None:
    """Carriers, a contract and a zone; a booked shipment with a parcel and a proof; a tracked parcel with an
    exception task and a push subscription; a shipment posted on the freight board (logistics/*/tests/walk_objects.py)."""
    from logistics.carriers.tests.walk_objects import make_carriers_walk_objects
    from logistics.freight.tests.walk_objects import make_freight_walk_objects
    from logistics.shipments.tests.walk_objects import make_shipments_walk_objects
    from logistics.tracking.tests.walk_objects import make_tracking_walk_objects

    for make in (make_carriers_walk_objects, make_shipments_walk_objects, make_tracking_walk_objects,
                 make_freight_walk_objects):
        ids.update(make(label, owner))


def _eco(item, owner) -> int:
    """A started ECO (in progress, its new revision and draft BOM made) changing the item's released BOM."""
    from django.utils import timezone

    from erp_modules.catalog.models import Bom
    from pdm.changes.models import EcoType
    from pdm.changes.services import eco_create, eco_start
    from pdm.parts.models import Part, PartRevision

    released = Bom.objects.filter(item=item, status=Bom.Status.RELEASED).order_by("-version").first()
    part = Part.objects.create(item=item, number=f"WALK-{item.code}-{next(_seq)}")
    revision = PartRevision.objects.create(part=part, revision="A", state=PartRevision.State.RELEASED, bom=released,
                                           released_at=timezone.now(), effective_from=released.effective_from)
    eco = eco_create(eco_type=EcoType.objects.get(code="STD"), title="walker ECO", reason="walker",
                     effective_date=timezone.localdate() + timedelta(days=30), revisions=[revision], user=owner)
    return eco_start(eco=eco, user=owner).pk


def _part(item, label: str) -> tuple[int, int, int]:
    """The item's part (made by _eco, else here), its newest revision, and a numbering rule."""
    from pdm.parts.models import Part
    from pdm.parts.services import numbering_rule_create, part_create, revision_start

    part = Part.objects.filter(item=item).first() or part_create(item=item, number=f"WALK-P-{label}", user=None)
    revision = part.revisions.order_by("-pk").first() or revision_start(part=part, user=None)
    rule = numbering_rule_create(user=None, name=f"walker {label}", prefix=f"W{label.upper()}{next(_seq)}"[:10])
    return part.pk, revision.pk, rule.pk


def _vault_document(label: str, owner) -> tuple[int, int]:
    """A document of the vault with one version (a small PNG), checked out by the owner."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pdm.vault.services import document_check_out, document_create

    document = document_create(number=f"WALK-DOC-{label}-{next(_seq)}", title=f"图纸 {label}", kind="drawing",
                               file=SimpleUploadedFile("walk.png", _png(color=(10, 20, next(_seq) % 255))),
                               user=owner)
    document_check_out(document=document, user=owner)
    return document.pk, document.versions.get().pk


def _pdm_shares(world: World) -> None:
    """Each side with a part revision shares it with the other side (pdm.sharing, a public row). B's share is
    revoked: A, its partner, must reach nothing of it (the isolation walk); A's stays active."""
    from pdm.sharing.services import share_create, share_revoke

    for side, other in ((world.a, world.b), (world.b, world.a)):
        if "pdm_revision" not in side.ids:
            continue
        share = share_create(owner=side.enterprise, kind="revision", object_id=side.ids["pdm_revision"],
                             partner_text=other.enterprise.uscc, mode="read", user=side.owner)
        if side.label == "b":
            share_revoke(share=share, user=side.owner)
        side.ids["pdm_share"] = share.pk


def _members(side: Side, make_user) -> None:
    from tenants.models import Invitation, Membership, Role

    for role in Role.values:
        if role == "owner":
            continue
        user = make_user(email=f"{role}-{side.enterprise.slug}@example.test")
        membership = Membership.objects.create(user=user, enterprise=side.enterprise, role=role)
        side.users[role] = user
        side.ids.setdefault("membership", membership.pk)  # a non-owner membership (role change, removal)
    invitation = Invitation.objects.create(
        enterprise=side.enterprise, email=f"invitee-{side.enterprise.slug}@example.test", role=Role.CLERK,
        token=f"walker-invitation-{side.enterprise.slug}-{next(_seq)}", invited_by=side.owner,
        expires_at=_now() + timedelta(days=7))
    side.ids["invitation"] = invitation.pk
    side.ids["invitation_token"] = invitation.token


def _now():
    from django.utils import timezone

    return timezone.now()


def _public_objects(world: World, make_user) -> None:
    """Board listings, quotations both ways, an inquiry; office enrolment and subsidy; govdata run; a
    bank-transfer subscription with its open invoice and a fapiao request, and the office's subsidy scheme
    and settlement statement (billing/tests/walk_objects.py)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from api.govdata.services import file_import
    from billing.tests.walk_objects import make_billing_office_walk_objects, make_billing_walk_objects
    from ecommerce import services as boards
    from ecommerce.models import Category, TradeOrder
    from ecommerce.seed import boards_ensure
    from django_tenants.utils import tenant_context

    from office import services as office
    from office.models import MonthlyReport, Programme
    from office.tasks import adoption_snapshot_enterprise

    boards_ensure()
    category = Category.objects.select_related("board").get(code="appl-parts-motor")
    for side in world.sides:
        ids = side.ids
        ids["board_code"] = category.board.code
        ids["enterprise_slug"] = side.enterprise.slug
        ids["enterprise_pk"] = side.enterprise.pk
        ids["uscc"] = side.enterprise.uscc
        common = dict(enterprise=side.enterprise, user=side.owner, board=category.board, category=category,
                      description="交流电机 220V 180W，铜线绕组", quantity=Decimal("100"), unit="个",
                      price_min=Decimal("100"), price_max=Decimal("120"), validity_days=30)
        listing = boards.listing_create(kind="supply", title=f"交流电机 {side.label}", **common)
        ids["listing"] = listing.pk
        ids["listing_image"] = boards.listing_image_add(
            listing=listing, user=side.owner, file=SimpleUploadedFile("a.png", _png(), "image/png")).pk
        ids["listing_attachment"] = boards.listing_attachment_add(
            listing=listing, user=side.owner, file=SimpleUploadedFile("spec.pdf", b"%PDF-1.4 spec")).pk
        rfq = boards.listing_create(kind="demand", title=f"求购电机 {side.label}", is_rfq=True,
                                    rfq_deadline=timezone.now() + timedelta(days=5), **common)
        ids["rfq_listing"] = rfq.pk
    for side, other in ((world.a, world.b), (world.b, world.a)):
        quotation = boards.quotation_submit(
            listing=boards_listing(other.ids["rfq_listing"]), enterprise=side.enterprise, user=side.owner,
            unit_price=Decimal("110"), quantity=Decimal("50"), lead_time_days=10,
            valid_until=timezone.localdate() + timedelta(days=20), note="walker",
            attachment=SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote"))
        side.ids["board_quotation_sent"] = quotation.pk
        other.ids["board_quotation_received"] = quotation.pk
        thread = boards.inquiry_send(listing=boards_listing(other.ids["listing"]), enterprise=side.enterprise,
                                     user=side.owner, body="请问交期？")
        side.ids["inquiry_thread"] = thread.pk
        other.ids.setdefault("inquiry_thread_received", thread.pk)
        # the trade order of an acceptance (the buyer's page to make its purchase order): a row as the
        # acceptance writes it, without accepting (the quotations stay open for the walk's other pages)
        other.ids["trade_order"] = TradeOrder.objects.create(
            quotation=quotation, listing=quotation.listing, board=quotation.listing.board, buyer=other.enterprise,
            supplier=side.enterprise, amount=Decimal("5500"), purchase_error="walker").pk
    programme = office.programme_create(
            actor=world.office, code=f"walk-{next(_seq)}", name="巡检试点", module=Programme.Module.ERP,
            target_kind=Programme.TargetKind.COUNT, target_count=10, period_start=date(2026, 1, 1),
            period_end=timezone.localdate() + timedelta(days=365), budget=Decimal("1000000.00"), criteria={})
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    report = MonthlyReport.objects.filter(month=month).first() or MonthlyReport.objects.create(
        month=month, status=MonthlyReport.Status.DONE, pdf=b"%PDF-1.4 report", xlsx=b"PK walker",
        finished_at=timezone.now())
    billing_office_ids = make_billing_office_walk_objects(programme, world.office)
    for side in world.sides:
        ids = side.ids
        ids.update(make_billing_walk_objects(side.enterprise, side.owner))
        ids.update(billing_office_ids)
        ids["programme_code"] = programme.code
        enrolment = office.enrolment_enrol(programme=programme, enterprise=side.enterprise, actor=world.office)
        ids["enrolment"] = enrolment.pk
        subsidy = office.subsidy_grant(enrolment=enrolment, amount=Decimal("1000.00"), purpose="巡检补助",
                                       actor=world.office, granted_on=timezone.localdate() - timedelta(days=5))
        office.subsidy_pay(subsidy=subsidy, amount=Decimal("400.00"), actor=world.office,
                           paid_on=timezone.localdate() - timedelta(days=2), reference="walker")
        ids["subsidy"] = subsidy.pk
        clawed = office.subsidy_grant(enrolment=enrolment, amount=Decimal("100.00"), purpose="巡检补助（追回）",
                                      actor=world.office, granted_on=timezone.localdate() - timedelta(days=5))
        office.subsidy_pay(subsidy=clawed, amount=Decimal("100.00"), actor=world.office,
                           paid_on=timezone.localdate() - timedelta(days=2), reference="walker")
        office.subsidy_payment_reverse(subsidy=clawed, actor=world.office, reason="巡检追回",
                                       reversed_on=timezone.localdate())
        with tenant_context(side.enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
        connection.set_schema_to_public()
        ids["monthly_report"] = report.pk
        run = file_import(content=_registry_csv(side.enterprise), filename="registry.csv", kind="registry",
                          user=world.admin)
        ids["govdata_run"] = run.pk
        for kind, header, row in (
                ("credit_events", ["统一社会信用代码", "类型", "列入日期", "记录编号"],
                 [side.enterprise.uscc, "经营异常名录", "2024-06-01", f"walk-{side.label}-{next(_seq)}"]),
                ("credit_ratings", ["统一社会信用代码", "评价类型", "评价年度", "信用等级"],
                 [side.enterprise.uscc, "纳税信用等级", "2024", "A"])):
            file_import(content=_csv([header, row]), filename=f"{kind}.csv", kind=kind, user=world.admin)
        ids["admin_unknown_url"] = "walker-nowhere/"
        reset_user = make_user(email=f"reset-{side.enterprise.slug}@example.test")
        ids["reset_uidb64"] = urlsafe_base64_encode(force_bytes(reset_user.pk))
        ids["reset_token"] = default_token_generator.make_token(reset_user)
        ids["content_type"] = ContentType.objects.get_for_model(type(side.enterprise)).pk
        ids["content_object"] = side.enterprise.pk


def boards_listing(pk: int):
    from ecommerce.models import Listing

    return Listing.objects.get(pk=pk)


def _csv(rows) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _registry_csv(enterprise) -> bytes:
    return _csv([["统一社会信用代码", "企业名称", "法定代表人", "成立日期", "登记状态", "住所", "行业代码"],
                 [enterprise.uscc, enterprise.name, "陈建国", "2012-03-18", "存续", "浙江省慈溪市", "3854"]])


def _admin_model_ids(world: World) -> None:
    """`model:<label>` for every model the admin serves: a row of the side's own where there is one."""
    from django.contrib import admin

    for side in world.sides:
        own = {"tenants.enterprise": side.enterprise.pk, "tenants.user": side.owner.pk}
        for model in admin.site._registry:
            label = model._meta.label_lower
            if label == "tenants.spareschema":  # a row only: no schema is made (nor dropped by the admin)
                own[label] = model.objects.create(schema_name=f"e{next(_seq):014x}", fingerprint="walker").pk
            if label in own:
                side.ids[f"model:{label}"] = own[label]
                continue
            try:
                with transaction.atomic():  # a model whose table is not migrated yet leaves no id
                    pk = _first_pk(model, side)
                    if pk is None and not _is_tenant_model(model):
                        pk = _generic_row(model).pk
            except (DatabaseError, ValueError, TypeError):
                pk = None
            connection.set_schema_to_public()
            if pk is not None:
                side.ids[f"model:{label}"] = pk


def _generic_row(model):
    """One row of a public model nothing above creates (e.g. log-in attempt logs), its required
    fields filled by type, so that the admin's pages of the model can be walked."""
    from django.db import models as m
    from django.utils import timezone

    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.has_default() or f.null or getattr(f, "auto_now", False) or getattr(
                f, "auto_now_add", False):
            continue
        if isinstance(f, m.ForeignKey):
            values[f.name] = f.related_model.objects.order_by("pk").first()
        elif f.choices:
            values[f.name] = f.choices[0][0]
        elif isinstance(f, m.GenericIPAddressField):
            values[f.name] = "127.0.0.1"
        elif isinstance(f, (m.DateTimeField,)):
            values[f.name] = timezone.now()
        elif isinstance(f, m.DateField):
            values[f.name] = timezone.localdate()
        elif isinstance(f, (m.IntegerField, m.DecimalField, m.FloatField)):
            values[f.name] = 1
        elif isinstance(f, m.BooleanField):
            values[f.name] = False
        elif isinstance(f, m.JSONField):
            values[f.name] = {}
        else:
            values[f.name] = f"walker-{next(_seq)}"
    return model.objects.create(**values)


def _first_pk(model, side: Side):
    from django.core.exceptions import FieldError
    from django_tenants.utils import tenant_context

    if _is_tenant_model(model):
        with tenant_context(side.enterprise):
            return model.objects.order_by("pk").values_list("pk", flat=True).first()
    qs = model.objects.order_by("pk")
    for field_name in ("enterprise", "listing__enterprise", "enrolment__enterprise", "subsidy__enrolment__enterprise",
                       "invoice__enterprise"):
        try:
            scoped = qs.filter(**{field_name: side.enterprise})
        except FieldError:
            continue
        if scoped.exists():
            qs = scoped
        break
    return qs.values_list("pk", flat=True).first()


def _is_tenant_model(model) -> bool:
    from django.conf import settings

    shared = {app.split(".")[-1] for app in settings.SHARED_APPS}
    app_module = model._meta.app_config.name
    return app_module not in settings.SHARED_APPS and model._meta.app_config.label not in shared


def build_world(make_enterprise, make_user, *, full=("a", "b"), slug_prefix: str = "walk") -> World:
    """Two enterprises A and B with an object of every kind; platform office and admin users.

    Call inside a test with database access (the root conftest's make_enterprise / make_user).
    Sides not listed in `full` get members, public objects and admin ids but no ERP documents
    (their ERP id kinds are then missing, and fill() refuses patterns that need them)."""
    from tenants.models import User

    n = next(_seq)
    office_user = make_user(email=f"office-walk{n}@example.test", platform_role=User.PlatformRole.OFFICE)
    admin_user = make_user(email=f"admin-walk{n}@example.test", platform_role=User.PlatformRole.PLATFORM_ADMIN,
                           is_staff=True, is_superuser=True)
    sides = []
    for label in ("a", "b"):
        owner = make_user(email=f"owner-{slug_prefix}{n}{label}@example.test", full_name=f"业主 {label.upper()}")
        enterprise = make_enterprise(slug=f"{slug_prefix}{n}-{label}", owner=owner)
        sides.append(Side(label=label, enterprise=enterprise, owner=owner, users={"owner": owner}, ids=Ids()))
    world = World(a=sides[0], b=sides[1], office=office_user, admin=admin_user,
                  other_user=make_user(email=f"nobody-walk{n}@example.test"))
    for side in world.sides:
        _members(side, make_user)
        if side.label in full:
            _erp_objects(side)
    _public_objects(world, make_user)
    _pdm_shares(world)
    _admin_model_ids(world)
    connection.set_schema_to_public()
    return world


# ---------------------------------------------------------------------------------------------------
# Forms on a page, form classes of a view, hostile values


@dataclass
class HtmlField:
    name: str
    type: str  # input type ("text", "number", "date", "hidden", "checkbox", "file" …), "select", "textarea"
    value: str = ""
    options: list = field(default_factory=list)  # select options' values
    required: bool = False
    multiple: bool = False


@dataclass
class HtmlForm:
    method: str
    action: str  # absolute path (query string kept)
    fields: list[HtmlField]
    enctype: str = ""

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: HtmlField | None = None
        self._textarea: HtmlField | None = None
        self._orphans: dict[str, list] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action", ""),
                          "enctype": a.get("enctype", ""), "fields": [], "id": a.get("id", "")}
            self.forms.append(self._form)
            return
        if tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if not name:
                return
            if tag == "input":
                f = HtmlField(name, (a.get("type") or "text").lower(), a.get("value", ""), required="required" in a)
                if f.type in ("checkbox", "radio") and "checked" not in a and f.type == "radio":
                    f.value = a.get("value", "")
            elif tag == "button":
                if (a.get("type") or "submit").lower() != "submit":
                    return
                f = HtmlField(name, "submit", a.get("value", ""))
            elif tag == "select":
                f = HtmlField(name, "select", "", required="required" in a, multiple="multiple" in a)
                self._select = f
            else:
                f = HtmlField(name, "textarea", "", required="required" in a)
                self._textarea = f
            target = self._form
            owner_id = a.get("form")
            if owner_id:
                target = next((fm for fm in self.forms if fm["id"] == owner_id), None)
                if target is None:
                    self._orphans.setdefault(owner_id, []).append(f)
                    return
            if target is not None:
                target["fields"].append(f)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or not self._select.value:
                if "selected" in a or (value and not self._select.value):
                    self._select.value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def close(self):
        super().close()
        for form in self.forms:
            form["fields"].extend(self._orphans.pop(form["id"], []) if form["id"] else [])


def page_forms(html: str, base_path: str) -> list[HtmlForm]:
    """The <form>s of a page; actions made absolute against base_path (an empty action posts to it)."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    out = []
    for form in parser.forms:
        action = form["action"] or base_path
        action = urljoin(base_path, action)
        out.append(HtmlForm(method=form["method"], action=action, fields=form["fields"], enctype=form["enctype"]))
    return out


def page_links(html: str, base_path: str) -> list[str]:
    """Local links of a page (absolute paths with their query strings)."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    out = []
    for href in parser.links:
        if href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        url = urljoin(base_path, href)
        parts = urlsplit(url)
        if parts.netloc and not parts.netloc.endswith("localhost"):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def view_form_classes(pattern: Pattern) -> list[type]:
    """The Django form classes a view's code names (its module's globals, found in its source)."""
    target = pattern.callback
    view_class = getattr(target, "view_class", None)
    if view_class is not None:
        found = [getattr(view_class, "form_class", None)] + list(getattr(view_class, "form_classes", []) or [])
        return [f for f in found if isinstance(f, type)]
    model_admin = getattr(target, "model_admin", None)
    if model_admin is not None:
        return []
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return []
    module = inspect.getmodule(target)
    names = set(re.findall(r"\b([A-Z]\w*)\b", source))
    out = []
    for name in sorted(names):
        obj = getattr(module, name, None)
        if isinstance(obj, type) and issubclass(obj, (django_forms.BaseForm, django_forms.BaseFormSet)):
            out.append(obj)
    return out


def _django_field_kind(f) -> str:
    if isinstance(f, (django_forms.ModelChoiceField, django_forms.TypedChoiceField)) and getattr(
            f, "coerce", None) is int:
        return "int"
    if isinstance(f, (django_forms.ModelChoiceField, django_forms.ModelMultipleChoiceField)):
        return "int"
    if isinstance(f, (django_forms.ChoiceField, django_forms.MultipleChoiceField)):
        return "choice"
    if isinstance(f, (django_forms.DecimalField, django_forms.FloatField)):
        return "decimal"
    if isinstance(f, django_forms.IntegerField):
        return "int"
    if isinstance(f, django_forms.DateTimeField):
        return "datetime"
    if isinstance(f, django_forms.DateField):
        return "date"
    if isinstance(f, django_forms.EmailField):
        return "email"
    if isinstance(f, django_forms.BooleanField):
        return "bool"
    if isinstance(f, django_forms.FileField):
        return "file"
    if isinstance(f, django_forms.JSONField):
        return "json"
    return "text"


_HTML_KINDS = {"number": "decimal", "date": "date", "datetime-local": "datetime", "month": "month", "email": "email",
               "checkbox": "bool", "radio": "choice", "file": "file", "select": "choice", "textarea": "text",
               "hidden": "text", "text": "text", "search": "text", "password": "text", "url": "text", "tel": "text",
               "submit": "choice", "week": "date", "time": "text", "color": "text"}
_ID_LIKE = re.compile(r"(^|[_-])(id|ids|pk|item|order|line|lines|location|warehouse|partner|customer|supplier|"
                      r"bom|component|reason|lot|category|uom|unit|programme|membership|enterprise|listing|"
                      r"work_center|routing|run|board)([_-]|$)|-\d+$|\d+$")


def field_kinds(form: HtmlForm, form_classes=()) -> dict[str, str]:
    """Each field of an HTML form → a kind: the Django form field's type when a form class of the view
    has a field of that name (prefixes and formset indexes stripped), else from the HTML input."""
    django_fields = {}
    for cls in form_classes:
        base_fields = getattr(cls, "base_fields", None)
        if base_fields is None and hasattr(cls, "form"):
            base_fields = getattr(cls.form, "base_fields", {})
        for name, f in (base_fields or {}).items():
            django_fields.setdefault(name, f)
    out = {}
    for f in form.fields:
        if f.name in ("csrfmiddlewaretoken",):
            continue
        bare = re.sub(r"^(?:[\w]+-\d+-|[\w]+-)", "", f.name)
        df = django_fields.get(f.name) or django_fields.get(bare)
        if df is not None:
            kind = _django_field_kind(df)
        else:
            kind = _HTML_KINDS.get(f.type, "text")
            if kind in ("choice", "text") and f.type in ("select", "hidden", "radio") and (
                    all(re.fullmatch(r"\d*", o) for o in f.options or [f.value]) and (f.options or f.value)):
                kind = "int"
            if kind == "text" and f.type == "hidden" and re.fullmatch(r"-?\d+(\.\d+)?", f.value or "") and "." in (
                    f.value or ""):
                kind = "decimal"
        out[f.name] = kind
    return out


LONG = "长" * 5000 + "x" * 95000  # 100,000 characters
HOSTILE: dict[str, list[str]] = {
    "decimal": ["NaN", "Infinity", "1e309", "9" * 40, "²", "١٢", "-Infinity", "1e-400", "sNaN", "0x1A", "1_000",
                "٣.٥", "-" + "9" * 30 + ".5"],
    "int": ["²", "١", "9" * 40, "-1", "NaN", "1.5", "0", "1e3", "٣", " 7", "9" * 19],
    "date": ["2026-02-30", "0000-00-00", "9999-99-99", "2026-13-01", "٢٠٢٦-٠١-٠١", "99999-01-01", "NaN", "2026-1-1x",
             "0001-01-01", "9999-12-31"],
    "datetime": ["2026-02-30T10:00", "0000-00-00 00:00", "2026-01-01T25:61", "٢٠٢٦-٠١-٠١T00:00", "9999-12-31T23:59"],
    "month": ["2026-13", "0000-00", "٢٠٢٦-٠١", "2026-02-30"],
    "email": ["a@" + "x" * 300 + ".test", "²@x.test", "not-an-email", "a@x.test" * 50],
    "choice": ["²", "9" * 40, "NaN", "-1", "не-выбор", "١"],
    "bool": ["²", "NaN", "9" * 40],
    "text": [LONG, "'; DROP TABLE x; --", "²١", "NaN", "<script>alert(1)</script>", "\u202e\ufeff", "9" * 40],
    "json": ["{", "NaN", '{"a": Infinity}', "9" * 40],
    "file": [""],
}
# NUL and invalid UTF-8 are sent separately (the middleware answers 400 to them before any view runs).
NUL_VALUES = ["\x00", "a\x00b", "1\x00"]
COMMON_QUERY_PARAMS = ["q", "status", "page", "sort", "order", "qty", "quantity", "date", "date_from", "date_to",
                       "from", "to", "item", "warehouse", "location", "partner", "customer", "supplier", "kind",
                       "board", "category", "per_page", "export", "format", "bucket", "week", "month", "year",
                       "next", "tab", "type", "enterprise", "programme", "lot", "run", "compare", "level", "on"]


def hostile_for(kind: str, round_: int) -> str:
    values = HOSTILE.get(kind) or HOSTILE["text"]
    return values[round_ % len(values)]


def query_kind(name: str) -> str:
    """A guess of a query parameter's kind from its name (for parameters found in links only)."""
    n = name.lower()
    if n in ("page", "per_page", "year", "level") or n.endswith(("_id", "id")):
        return "int"
    if n in ("qty", "quantity", "amount") or n.endswith(("qty", "quantity", "amount", "price")):
        return "decimal"
    if "date" in n or n in ("from", "to", "on", "since", "until", "day", "week"):
        return "date"
    if n in ("month",):
        return "month"
    if n in ("item", "warehouse", "location", "partner", "customer", "supplier", "run", "compare", "lot",
             "enterprise", "programme", "board", "category"):
        return "int"
    return "text"


# ---------------------------------------------------------------------------------------------------
# Which tables a request changed


# Tables written by design on any request (sessions, log-in throttling's attempt log and counters, the log of
# every tracking push received, refused ones included: logistics/tracking; the log of every refused payment
# webhook — bad or missing signature, stale, unreadable body — which billing keeps by design: billing/webhooks.py).
WATCH_EXCLUDED = re.compile(r"^(django_session|axes_\w+|django_admin_log|core_ratecounter|logistics_tracking_pushlog"
                            r"|billing_rejectedwebhook)$")
# Columns stamped by design on any request (last seen, last used, "read" markers set by showing a page):
# left out of the fingerprints.
WATCH_IGNORED_COLUMNS = {"tenants_membership": ["last_seen_at"], "tenants_user": ["last_login"],
                         "api_tokens_apitoken": ["last_used_at"],
                         "ecommerce_inquirythread": ["asker_read_at", "owner_read_at"],
                         "ecommerce_notification": ["read_at"]}


class DbWatch:
    """Fingerprints (row count + md5 of the rows) of every table of the given schemas.

    `changed()` returns the tables whose content differs from the previous call (or creation):
    only tables that the transaction's write counters show as touched are fingerprinted again, so a request
    that wrote nothing costs one cheap query. Rows written and rolled back (a refused service call
    inside transaction.atomic) leave the fingerprint unchanged and are not reported."""

    def __init__(self, schemas: list[str], exclude: re.Pattern = WATCH_EXCLUDED):
        self.schemas = list(dict.fromkeys(schemas))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname, c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p')", [self.schemas])
            rows = [(s, t, oid) for s, t, oid in cursor.fetchall() if not exclude.match(t)]
        self.tables = [(s, t) for s, t, _oid in rows]
        self._oids = [oid for _s, _t, oid in rows]
        self._stats = self._read_stats()
        self._prints = self._fingerprints(self.tables)

    def _read_stats(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_get_xact_tuples_inserted(oid) + pg_stat_get_xact_tuples_updated(oid)"
                           " + pg_stat_get_xact_tuples_deleted(oid) FROM unnest(%s::oid[]) WITH ORDINALITY AS u(oid, n)"
                           " ORDER BY n", [self._oids])
            return dict(zip(self.tables, (n for (n,) in cursor.fetchall())))

    @staticmethod
    def _fingerprints(tables) -> dict:
        out = {}
        tables = list(tables)
        for start in range(0, len(tables), 60):
            chunk = tables[start:start + 60]
            parts = []
            for i, (schema, table) in enumerate(chunk):
                ignored = WATCH_IGNORED_COLUMNS.get(table)
                row = (f"(to_jsonb(t) - ARRAY[{', '.join(repr(c) for c in ignored)}]::text[])::text" if ignored
                       else "t::text")
                parts.append(f"SELECT {i}, count(*), md5(coalesce(string_agg(md5({row}), '' ORDER BY md5({row})), ''))"
                             f' FROM "{schema}"."{table}" t')
            sql = " UNION ALL ".join(parts)
            with connection.cursor() as cursor:
                cursor.execute(sql)
                for i, count, digest in cursor.fetchall():
                    out[chunk[i]] = (count, digest)
        return out

    def changed(self) -> list[str]:
        stats = self._read_stats()
        touched = [key for key in self.tables if stats.get(key, 0) != self._stats.get(key, 0)]
        self._stats = stats
        if not touched:
            return []
        prints = self._fingerprints(touched)
        out = [f"{s}.{t}" for (s, t) in touched if prints[(s, t)] != self._prints.get((s, t))]
        self._prints.update(prints)
        return out

    def reset(self) -> None:
        """Take the current state as the new baseline (after a request that was allowed to write)."""
        self.changed()
