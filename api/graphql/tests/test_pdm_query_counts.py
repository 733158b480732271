"""PDM's list fields cost a constant number of SQL queries whatever the page size (issue 13): 3 and 30 parts,
documents and ECOs, with every nested list and relation asked for, cost the same (DataLoaders batch them).
`whereUsed` is left out on purpose: it is pdm.parts' where_used per part (six queries), at most 10 a request.

Counted as in test_query_counts.py: a whole request, without django-tenants' `SET search_path`."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from api.graphql.tests.conftest import gql
from erp_modules.catalog.models import Bom, BomLine, Item, UnitOfMeasure
from pdm.changes.models import Eco, EcoAffectedPart, EcoApproval, EcoType
from pdm.parts.models import Part, PartRevision
from pdm.vault.models import Blob, Document, DocumentLink, DocumentVersion
from tenants.models import Membership, Role

N = 30
D = Decimal


def _fill(owner, clerk):
    """N parts (revision A released with a BOM of two components, B in work), each with a document of two
    versions linked to both revisions and held by the clerk; N ECOs in progress, each with an affected part
    and a comment, every other one an approval too. Written in bulk: these tests measure reads."""
    pcs = UnitOfMeasure.objects.get(code="pcs")
    raw = Item.objects.bulk_create([Item(code=f"RAW-{n}", name=f"钢板 {n}", item_type="raw", uom=pcs) for n in range(2)])
    items = Item.objects.bulk_create([Item(code=f"FG-{n:03d}", name=f"油烟机 {n}", item_type="finished", uom=pcs)
                                      for n in range(N)])
    boms = Bom.objects.bulk_create([Bom(item=i, version=v, status="released" if v == 1 else "draft",
                                        effective_from=date(2024, 1, 1) if v == 1 else None)
                                    for i in items for v in (1, 2)])
    BomLine.objects.bulk_create([BomLine(bom=b, sequence=s, component=c, quantity=D("2"))
                                 for b in boms for s, c in ((10, raw[0]), (20, raw[1]))])
    parts = Part.objects.bulk_create([Part(item=i, number=f"ENG-{n:03d}") for n, i in enumerate(items)]
                                     + [Part(item=raw[0], number="ENG-RAW")])
    now = timezone.now()
    released = PartRevision.objects.bulk_create([
        PartRevision(part=p, revision="A", state="released", bom=boms[2 * n], released_at=now,
                     effective_from=date(2024, 1, 1)) for n, p in enumerate(parts[:N])])
    working = PartRevision.objects.bulk_create([
        PartRevision(part=p, revision="B", state="in_work", bom=boms[2 * n + 1], based_on=r)
        for n, (p, r) in enumerate(zip(parts[:N], released))])
    blobs = Blob.objects.bulk_create([Blob(sha256=f"{n:064x}", size=1000 + n, file=f"pdm/blobs/{n}", extension=".png",
                                           content_type="image/png", preview_status="none") for n in range(2 * N)])
    documents = Document.objects.bulk_create([Document(number=f"DOC-{n:03d}", title=f"图纸 {n}", created_by=owner,
                                                       checked_out_by=clerk, checked_out_at=now) for n in range(N)])
    DocumentVersion.objects.bulk_create([DocumentVersion(document=d, number=v, file_name=f"d{n}-{v}.png",
                                                         blob=blobs[2 * n + v - 1], created_by=owner if v == 1 else clerk)
                                         for n, d in enumerate(documents) for v in (1, 2)])
    DocumentLink.objects.bulk_create([DocumentLink(document=d, revision=r) for d, r in zip(documents, released)]
                                     + [DocumentLink(document=d, revision=r) for d, r in zip(documents, working)])
    eco_type = EcoType.objects.get(code="STD")
    stage = eco_type.stages.order_by("sequence").first()
    ecos = Eco.objects.bulk_create([Eco(number=f"ECO-2026-{n:04d}", type=eco_type, stage=stage, title=f"变更 {n}",
                                        state="in_progress", effective_date=timezone.localdate() + timedelta(days=30),
                                        requested_by=owner, started_at=now) for n in range(N)])
    EcoAffectedPart.objects.bulk_create([EcoAffectedPart(eco=e, old_revision=r, new_revision=w)
                                         for e, r, w in zip(ecos, released, working)])
    EcoApproval.objects.bulk_create([EcoApproval(eco=e, stage=stage, user=u, user_label=u.email, decision=d,
                                                 comment="ok") for n, e in enumerate(ecos)
                                     for u, d in ((owner, "approved" if n % 2 else "comment"), (clerk, "comment"))])


@pytest.fixture
def loaded(make_enterprise, make_user, make_token):
    owner = make_user(email="pdm-qc@a.test")
    clerk = make_user(email="pdm-qc-clerk@a.test")
    enterprise = make_enterprise(slug="pdmcount", owner=owner)
    Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    with tenant_context(enterprise):
        _fill(owner, clerk)
    connection.set_schema_to_public()
    return {"enterprise": enterprise, "token": make_token(enterprise, ["pdm:read", "catalog:read"])}


LIST_FIELDS = {  # as deep as the cost limit lets a page of 30 go (api/graphql/core/limits.py)
    "parts": "totalCount edges { node { number item { code uom { code } } "
             "revisions { revision state part { number } basedOn { revision } } "
             "currentRevision { revision bomLines { quantity component { code } componentPart { number } } "
             "documents { number checkedOutBy latestVersion { number uploadedBy downloadUrl } } } } }",
    "documents": "totalCount edges { node { number title checkedOutBy latestVersion { number uploadedBy } "
                 "versions { number fileName size sha256 contentType uploadedBy uploadedAt downloadUrl } } }",
    "ecos": "totalCount edges { node { number type { code } stage { name } requestedBy "
            "affectedParts { disposition oldRevision { revision part { number item { code } } } "
            "newRevision { revision } } "
            "approvals { approver status stage { name } } waitingForApprovals missingApprovals } }",
}


def _count(client, loaded, field: str, size: int) -> tuple[int, int]:
    query = "{ %s(first: %d) { %s } }" % (field, size, LIST_FIELDS[field])
    gql(client, query, enterprise=loaded["enterprise"], token=loaded["token"])  # warm up (last-used stamps)
    with CaptureQueriesContext(connection) as captured:
        result = gql(client, query, enterprise=loaded["enterprise"], token=loaded["token"])
    assert "errors" not in result, result["errors"]
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return len(result["data"][field]["edges"]), len(statements)


def test_pdm_lists_cost_the_same_for_3_and_30(client, loaded):
    measured = {}
    for field in LIST_FIELDS:
        (rows_small, small), (rows_large, large) = _count(client, loaded, field, 3), _count(client, loaded, field, N)
        assert (rows_small, rows_large) == (3, N), field
        measured[field] = (small, large)
    assert all(small == large for small, large in measured.values()), measured
    # a whole request: host, token and its last use, the page, the COUNT, then one query per loader
    assert measured == {"parts": (12, 12), "documents": (8, 8), "ecos": (13, 13)}, measured


def test_ecos_waiting_for_approvals_in_bulk(client, loaded):
    """The batched rule check agrees with pdm.changes' missing_approvals for every ECO of the page."""
    from pdm.changes.services import missing_approvals

    result = gql(client, "{ ecos(first: 30) { edges { node { number waitingForApprovals missingApprovals } } } }",
                 enterprise=loaded["enterprise"], token=loaded["token"])
    answered = {e["node"]["number"]: (e["node"]["waitingForApprovals"], e["node"]["missingApprovals"])
                for e in result["data"]["ecos"]["edges"]}
    with tenant_context(loaded["enterprise"]):
        expected = {eco.number: (bool(missing), [rule.label for rule in missing])
                    for eco in Eco.objects.all() for missing in [missing_approvals(eco)]}
    assert answered == expected and len(answered) == N
