"""Tenant isolation of stored files, the cache and background tasks (issue 19).

- Files: every URL pattern (both URL confs, read from the resolvers) whose view sends a file — a
  stored upload, an image, a generated PDF or spreadsheet — is found by reading the view's code, filled
  with the id of B's private object and asked by A's members (owner and viewer) and anonymously, on A's
  host, on B's host and on the public host: 404 (or the log-in redirect), and not one byte of B's file.
  A file pattern that takes no enterprise object is listed, with the reason, in NO_ENTERPRISE_FILE.
- Cache: every module that uses the cache is listed (the source is scanned); each key it makes, set
  in A's schema, is not read in B's nor on the public host.
- Tasks (on a real worker, in tests/test_celery_tenancy.py): every task of the Celery app is
  classified; those that take an id of a tenant object are queued from A with the ids of B's objects:
  A's object of the same id is the one worked on, or nothing is found, and B's rows are untouched.
"""

from __future__ import annotations

import ast
import inspect
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tests.isolation_world import MARK, host, pdm_shares_make, world_transaction
from tests.walker import PUBLIC_HOST, Unfillable, iter_patterns, param_kind

BASE_DIR = Path(settings.BASE_DIR)
MISSING_ID = 987654321
pytestmark = pytest.mark.django_db  # each test in a savepoint of the module's world (see `world`)

# ---- files ------------------------------------------------------------------------------------------

# What a view's code says when it sends a file.
FILE_MARKERS = ("FileResponse", "_pdf_response", "Content-Disposition", "export_response", "as_attachment",
                "application/pdf", "spreadsheetml")
# File patterns that take no enterprise object, by design.
NO_ENTERPRISE_FILE = {
    "import_template": "the empty Excel template of an import kind: the same for every enterprise",
    "govdata:template": "the empty template of a government-data file: the same for everyone",
}


def _view_source(callback) -> str:
    target = getattr(callback, "view_class", None) or callback
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        return ""


def _file_patterns():
    """Patterns whose view sends a file and names an object in its path. (Exports of a whole list, with
    no path parameter, export the host's own list: the page walk proves a list never holds B's rows.)"""
    for urlconf in ("config.urls_tenants", "config.urls_public"):
        for pattern in iter_patterns(urlconf):
            source = _view_source(pattern.callback)
            if pattern.params and any(marker in source for marker in FILE_MARKERS):
                yield pattern


def _pattern_name(pattern) -> str:
    module = pattern.module
    prefix = "govdata:" if module.startswith("api.govdata") else ""
    return prefix + (pattern.name or pattern.route)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_transaction(django_db_blocker) as w:
        yield w


def _b_file_ids(w) -> dict:
    """kind (tests.walker.PARAM_RULES) → the id of B's (or C's) private object of that kind."""
    from erp_modules.common.models import ImportJob
    from erp_modules.mrp.models import MrpRun
    from erp_modules.sales.models import AvailabilityCheck, Delivery, Invoice, Quotation, SalesOrder

    ids = {"enterprise_pk": w.b.pk,"listing_image": w.b_private["ListingImage"]["b_draft"],
           "listing_attachment": w.b_private["ListingAttachment"]["b_draft"],
           "board_quotation_received": w.b_private["Quotation"]["c_on_b"],
           "board_quotation_sent": w.b_private["Quotation"]["b_on_c"],
           "monthly_report": w.monthly_report, "attachment": w.files["b_attachment"][1],
           "pdm_document": w.files["b_vault_document"][1], "pdm_document_version": w.files["b_vault_version"][1]}
    from pdm.vault.links import version_link_token

    # a link A could hold (made for A's host) naming B's version: 404 on A's host (no such version) and on B's
    ids["pdm_document_link"] = version_link_token(enterprise=w.a, version_id=w.files["b_vault_version"][1])
    with tenant_context(w.b):
        ids.update({"import_job": ImportJob.objects.get().pk, "sales_quotation": Quotation.objects.get().pk,
                    "sales_order": SalesOrder.objects.order_by("pk").first().pk,
                    "delivery": Delivery.objects.get().pk, "invoice": Invoice.objects.get().pk,
                    "availability_check": AvailabilityCheck.objects.get().pk, "mrp_run": MrpRun.objects.get().pk})
        from logistics.shipments.models import ProofOfDelivery, Shipment

        shipment = Shipment.objects.order_by("pk").first()  # labels, packing list, proof (logistics_objects_make)
        ids.update({"logistics_shipment": shipment.pk, "logistics_parcel": shipment.parcels.order_by("pk").first().pk,
                    "logistics_proof": ProofOfDelivery.objects.get(shipment=shipment).pk,
                    "logistics_tracking_token": shipment.tracking_token})
    connection.set_schema_to_public()
    ids["pdm_share"] = pdm_shares_make(w)["b_to_c"]  # B's document shared with C (pdm/sharing)
    ids.update(w.b_ids)  # B's carrier's bill; B's subscription, invoice and fapiao request (public schema)
    ids.update(_programme_statement_ids(w))
    return ids


def _programme_statement_ids(w) -> dict:
    """An office programme with a subsidy scheme and last month's settlement statement (billing's office
    pages): the statement lists the enterprises a programme subsidised, so only the office downloads it."""
    from billing.tests.walk_objects import make_billing_office_walk_objects
    from office import services as office
    from office.models import Programme

    programme = office.programme_create(
        actor=w.office, code="iso-walk", name="隔离测试试点", module=Programme.Module.ERP,
        target_kind=Programme.TargetKind.COUNT, target_count=10,
        period_start=timezone.localdate().replace(month=1, day=1), period_end=timezone.localdate() + timedelta(days=365), budget=Decimal("1000000.00"), criteria={})
    return {"programme_code": programme.code, **make_billing_office_walk_objects(programme, w.office)}


def _b_bytes(w) -> list[bytes]:
    """The contents of B's (and C's) private stored files."""
    out = []
    for name, (path, _pk) in w.files.items():
        if "public" not in name:
            out.append(Path(path).read_bytes())
    return out


def _fill(pattern, ids: dict) -> list[str]:
    """The pattern's paths with B's ids (every value of a choice parameter); Unfillable otherwise."""
    values = {}
    for name in pattern.params:
        kind = param_kind(pattern, name)
        if kind == "choices":
            values[name] = list(pattern.choices[name])
        elif kind == "choice:report_fmt":
            values[name] = ["pdf", "xlsx"]
        elif kind in ids:
            values[name] = [str(ids[kind])]
        else:
            raise Unfillable(f"{pattern}: no private object of B of kind {kind!r} for {name!r} "
                             f"(add it to tests/isolation_world.py and _b_file_ids)")
    paths = [pattern.route]
    for name, options in values.items():
        paths = [re.sub(r"<(?:\w+:)?%s>" % name, option, path) for path in paths for option in options]
    return ["/" + path for path in paths]


def test_file_patterns_are_found_and_named(world):
    """The scan finds the known download paths, and every one that takes no object is listed with a reason."""
    found = {_pattern_name(p) for p in _file_patterns()}
    for expected in ("attachment_download", "quotation_pdf", "order_pdf", "delivery_pdf", "invoice_pdf",
                     "import_detail", "boards:image", "boards:image_thumb", "boards:attachment",
                     "boards:quotation_attachment", "office:report_download"):
        assert any(name.endswith(expected.split(":")[-1]) for name in found), (expected, sorted(found))
    for pattern in _file_patterns():
        if all(param_kind(pattern, n).startswith("choice") for n in pattern.params):
            assert _pattern_name(pattern) in NO_ENTERPRISE_FILE, f"{pattern}: a file path without an object id"
    assert {n for n in NO_ENTERPRISE_FILE} <= found, "NO_ENTERPRISE_FILE names a pattern that is gone"


def _clients(w) -> dict:
    clients = {}
    for role in ("owner", "viewer"):
        clients[role] = Client()
        clients[role].force_login(w.a_members[role])
    clients["anonymous"] = Client()
    return clients


def test_every_file_path_with_b_ids_gives_404_and_no_bytes(world):
    w = world
    ids = _b_file_ids(w)
    secrets = _b_bytes(w)
    clients = _clients(w)
    failures, walked = [], 0
    for pattern in _file_patterns():
        if _pattern_name(pattern) in NO_ENTERPRISE_FILE:
            continue
        walked += 1
        tenant = pattern.urlconf == "config.urls_tenants"
        hosts = [host(w.a), host(w.b)] if tenant else [PUBLIC_HOST]
        missing = _fill(pattern, {kind: MISSING_ID for kind in ids})
        for path, missing_path in zip(_fill(pattern, ids), missing):
            for query in ("", "?export=xlsx"):
                for who, client in clients.items():
                    for target in hosts:
                        response = client.get(path + query, HTTP_HOST=target)
                        body = b"".join(response.streaming_content) if response.streaming else response.content
                        label = f"{who} GET {target}{path}{query}"
                        if any(secret in body for secret in secrets) or MARK.encode() in body:
                            failures.append(f"LEAK {label}: B's file bytes in the answer")
                        # 404; or a refusal that comes before any lookup: the same answer as for a missing id
                        absent = client.get(missing_path + query, HTTP_HOST=target).status_code
                        status = response.status_code
                        if status != absent or status not in (404, 403, 302):
                            failures.append(f"{label}: HTTP {status} (a missing id gets {absent}), expected 404")
                        elif status == 302 and (who != "anonymous" or "/login/" not in response["Location"]):
                            failures.append(f"{label}: redirected to {response['Location']}")
    print(f"\nFile isolation: {walked} file patterns with an object id walked")
    assert walked >= 10
    assert not failures, "\n".join(failures)


def test_shared_files_are_served_and_private_ones_are_not(world):
    """Control: B's public listing image reaches A (the boards show it to everyone); the same path with
    B's draft's image does not. A's own attachment downloads on A's host."""
    w = world
    owner = Client()
    owner.force_login(w.a_owner)
    public_image = w.b_public["ListingImage"]["b_supply"]
    assert owner.get(f"/boards/images/{public_image}/", HTTP_HOST=PUBLIC_HOST).status_code == 200
    assert owner.get(f"/boards/images/{w.b_private['ListingImage']['b_draft']}/",
                     HTTP_HOST=PUBLIC_HOST).status_code == 404
    with tenant_context(w.a):
        from erp_modules.files.models import Attachment

        own = Attachment.objects.get()
    connection.set_schema_to_public()
    response = owner.get(f"/files/{own.pk}/download/", HTTP_HOST=host(w.a))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 drawing of A"


# ---- cache ------------------------------------------------------------------------------------------

# Every module that uses the cache, what it keys, and why a key cannot cross enterprises.
CACHE_USERS = {
    "erp_modules/common/imports.py": "import progress, 'import-progress:<job id>', set and read in the "
                                     "enterprise's schema (the key carries the schema)",
    "ecommerce/selectors/listings.py": "boards 'in stock', 'boards:stock:<listing id>:<item id>', set and read "
                                       "in the public schema; the listing id is global and names its enterprise",
    "core/views.py": "the health check pings the cache server (no key)",
    "logistics/tracking/tasks.py": "the flag 'tracking-pushes-ingest-queued' (one ingest task waiting), added and "
                                   "deleted in the enterprise's schema (django-tenants puts the schema in the key): "
                                   "one flag per enterprise, no user's data",
}
CACHE_CALL = re.compile(r"\b(cache|caches\[[^\]]+\])\s*\.\s*(get|set|add|delete|incr|decr|get_or_set|get_many|"
                        r"set_many|delete_many|touch|has_key|_cache)\b")


def _cache_users() -> set[str]:
    found = set()
    for path in BASE_DIR.rglob("*.py"):
        rel = path.relative_to(BASE_DIR).as_posix()
        if rel.startswith((".venv/", "bench/", "build/")) or "/tests/" in f"/{rel}" or rel.startswith("tests/") \
                or path.name.startswith("test_") or rel == "conftest.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "django.core.cache" not in text:
            continue
        tree = ast.parse(text)
        names = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == "django.core.cache" for alias in node.names}
        if names & {"cache", "caches"} and CACHE_CALL.search(text):
            found.add(rel)
    return found


def test_every_cache_user_is_known():
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"
    assert _cache_users() == set(CACHE_USERS), "a module started or stopped using the cache: review its keys " \
                                               "and update CACHE_USERS and the tests below"


def test_every_cache_key_set_in_a_is_not_read_in_b(world):
    """The keys each module makes, set in A's schema: not there in B's schema nor on the public host."""
    from erp_modules.common.imports import _progress_key
    from logistics.tracking.tasks import INGEST_KEY

    w = world
    keys = [_progress_key(1), _progress_key(w.files["b_attachment"][1]),
            f"boards:stock:{w.b_public['Listing']['b_supply']}:1", INGEST_KEY, "any:key"]
    for key in keys:
        with tenant_context(w.a):
            cache.set(key, f"A's value of {key}", 60)
        with tenant_context(w.b):
            assert cache.get(key) is None, key
        with schema_context("public"):
            assert cache.get(key) is None, key
        with tenant_context(w.a):
            assert cache.get(key) == f"A's value of {key}"
            cache.delete(key)
    connection.set_schema_to_public()


def test_import_progress_of_a_job_in_a_is_not_shown_for_b_job_of_the_same_id(world):
    from erp_modules.common import imports
    from erp_modules.common.models import ImportJob

    w = world
    with tenant_context(w.b):
        job = ImportJob.objects.get()
        seen_before = imports.import_progress(job=job)
    with tenant_context(w.a):  # A's worker publishes live figures for a job with B's job's id
        cache.set(imports._progress_key(job.pk), {"status": "writing", "processed": 999, "total": 999}, 60)
    with tenant_context(w.b):
        assert imports.import_progress(job=job) == seen_before == {"processed": 1, "total": 1, "status": "failed"}
    with tenant_context(w.a):
        cache.delete(imports._progress_key(job.pk))
    connection.set_schema_to_public()


def test_pushes_ingest_queued_in_a_does_not_hold_back_b(world):
    """A's "ingest waiting" flag (logistics.tracking.tasks.pushes_ingest_soon adds it): B's first push still
    queues B's own ingest, and B's ingest run clears only B's flag."""
    from logistics.tracking.tasks import INGEST_KEY

    w = world
    with tenant_context(w.a):
        assert cache.add(INGEST_KEY, 1, 60)
    with tenant_context(w.b):
        assert cache.add(INGEST_KEY, 1, 60), "A's waiting ingest held back B's"
        cache.delete(INGEST_KEY)  # what B's tracking_pushes_ingest does first
    with tenant_context(w.a):
        assert cache.get(INGEST_KEY) == 1
        cache.delete(INGEST_KEY)
    connection.set_schema_to_public()


def test_board_stock_is_read_in_the_posting_enterprise_schema(world):
    """B's listing shows B's stock of B's item (read in B's schema, cached under the global listing id),
    whatever A holds."""
    from ecommerce.models import Listing
    from ecommerce.selectors import listing_stock
    from erp_modules.catalog.models import Item
    from erp_modules.inventory.selectors import stock_level_list
    from erp_modules.workspace.testing import receive

    w = world
    listing = Listing.objects.get(pk=w.b_public["Listing"]["b_supply"])
    with tenant_context(w.b):
        item = Item.objects.get(code=w.b_codes["item"])
        receive(item, 7)  # B's figure differs from A's item of the same kind
        expected = sum(row.available for row in stock_level_list(item=item))
    connection.set_schema_to_public()
    assert expected == 17
    assert listing.erp_item_id == item.pk
    cache.delete(f"boards:stock:{listing.pk}:{listing.erp_item_id}")
    with tenant_context(w.a):  # asked while A's schema is active: still B's figure
        assert listing_stock(listing=listing) == expected
    connection.set_schema_to_public()
    assert listing_stock(listing=listing) == expected  # from the cache now
    cache.delete(f"boards:stock:{listing.pk}:{listing.erp_item_id}")
