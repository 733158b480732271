"""The PDM demo builds on the ERP demo through the real services, once, and the PDM pages show it."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import ezdxf
import pypdfium2
import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Bom, Item
from erp_modules.catalog.selectors import bom_effective
from erp_modules.workspace.demo import BOMS, seed_range_hood_documents, seed_range_hood_factory
from pdm.changes.models import Eco, EcoApproval
from pdm.changes.services import missing_approvals
from pdm.changes.demo import IN_WORK, PRODUCT, RELEASED, plate_step, seed_range_hood_pdm
from pdm.parts.models import NumberingRule, Part, PartRevision
from pdm.vault.models import Blob, Document, DocumentLink

State = PartRevision.State


@pytest.fixture
def demo(make_enterprise, make_user):
    """A fresh enterprise with the ERP demo, then the PDM demo (inside its schema)."""
    owner = make_user(email="owner-pdm-demo@example.test")
    enterprise = make_enterprise(owner=owner, slug="pdm-demo-hoods")
    with tenant_context(enterprise):
        assert seed_range_hood_factory() is True
        seed_range_hood_documents()
        assert seed_range_hood_pdm() is True
        yield enterprise, owner


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in (NumberingRule, Part, PartRevision, Document,
                                                                DocumentLink, Blob, Eco, EcoApproval, Bom)}


def _lines(bom: Bom) -> list[tuple[str, Decimal]]:
    return sorted((line.component.code, line.quantity.normalize()) for line in bom.lines.select_related("component"))


def test_parts_get_revision_a_released_with_the_erp_demo_bom(demo):
    assert NumberingRule.objects.get().format(1) == "RF-HD-00001"
    assert Part.objects.get(item__code=PRODUCT).number == "RF-HD-00001"
    revisions = {(r.part.item.code, r.revision): r for r in PartRevision.objects.select_related("part__item", "bom")}
    for code in RELEASED:
        # the applied ECO's revision B of the body assembly supersedes A (whose BOM stays in force until B's date)
        expected = State.SUPERSEDED if code == "BODY-ASM-A1" else State.RELEASED
        assert revisions[(code, "A")].state == expected, code
        assert revisions[(code, "A")].effective_from == timezone.localdate()
        if code in BOMS:  # revision A's BOM is the ERP demo's structure, the one in force today
            assert _lines(revisions[(code, "A")].bom) == sorted(
                (component, Decimal(quantity).normalize()) for component, quantity in BOMS[code]), code
    for code in IN_WORK:
        assert revisions[(code, "A")].state == State.IN_WORK
    assert revisions[(PRODUCT, "A")].state == State.RELEASED
    assert revisions[(PRODUCT, "B")].state == State.IN_WORK


def test_one_eco_in_review_and_one_applied_from_a_future_date(demo):
    today = timezone.localdate()
    applied, review = Eco.objects.order_by("number")
    # applied: body assembly B released with the date 30 days ahead; A stays in force until then
    assert applied.state == Eco.State.APPLIED and applied.effective_date == today + timedelta(days=30)
    body = Item.objects.get(code="BODY-ASM-A1")
    new = applied.affected.get().new_revision
    assert (new.revision, new.state, new.effective_from) == ("B", State.RELEASED, today + timedelta(days=30))
    assert bom_effective(item=body, on=today) == applied.affected.get().old_revision.bom
    assert bom_effective(item=body, on=today + timedelta(days=29)) == applied.affected.get().old_revision.bom
    assert bom_effective(item=body, on=today + timedelta(days=30)) == new.bom
    assert dict(_lines(bom_effective(item=body, on=today)))["STEEL-CR"] == Decimal("8.5")
    assert dict(_lines(bom_effective(item=body, on=today + timedelta(days=30))))["STEEL-CR"] == Decimal("8.2")
    # in review: started, the product's revision B in work with one changed line, the review's approval missing
    assert review.state == Eco.State.IN_PROGRESS and review.stage.name == "审核"
    affected = review.affected.get()
    assert affected.old_revision.part.item.code == PRODUCT
    assert (affected.new_revision.revision, affected.new_revision.state) == ("B", State.IN_WORK)
    old, new_lines = dict(_lines(affected.old_revision.bom)), dict(_lines(affected.new_revision.bom))
    assert {code for code in old if old[code] != new_lines.get(code)} == {"FILTER-SS"}
    assert (old["FILTER-SS"], new_lines["FILTER-SS"]) == (Decimal("2"), Decimal("3"))
    assert [rule.requirement for rule in missing_approvals(review)] == ["mandatory"]
    assert bom_effective(item=Item.objects.get(code=PRODUCT), on=today + timedelta(days=60)) == \
        affected.old_revision.bom


def test_documents_are_real_files_linked_to_revisions_and_wait_for_their_previews(demo):
    documents = {d.number: d for d in Document.objects.all()}
    assert len(documents) == 7
    kinds = sorted(d.kind for d in documents.values())
    assert kinds == ["drawing"] * 5 + ["model_3d", "specification"]
    assert all(d.links.exists() for d in documents.values())
    drawing = documents["DWG-RF-HD-00001"]
    version = drawing.versions.get()
    with version.blob.file.open("rb") as handle:
        doc = ezdxf.read(io.StringIO(handle.read().decode("utf-8")))
    texts = [e.dxf.text for e in doc.modelspace().query("TEXT")]
    assert {"零件名称", "材料", "比例", "图号", "RF-HD-00001", "1:5"} <= set(texts)
    assert doc.styles.get("GB").dxf.font == "gbenor.shx"
    assert len(doc.modelspace().query("DIMENSION")) >= 4 and doc.modelspace().query("MTEXT")
    assert doc.audit().has_errors is False
    spec = documents["SPEC-RF-HD-00001"].versions.get()
    with spec.blob.file.open("rb") as handle:
        pdf = pypdfium2.PdfDocument(handle.read())
    assert len(pdf) >= 2
    assert "产品规格书" in pdf[0].get_textpage().get_text_range()
    model = documents["3D-RF-HD-00004"].versions.get()
    with model.blob.file.open("rb") as handle:
        assert handle.read().startswith(b"ISO-10303-21;")
    assert model.file_name.endswith(".stp")
    # previews: the DXF and PDF files wait for the vault's job (the worker makes them), the STEP model too
    assert set(Blob.objects.filter(extension__in=[".dxf", ".pdf"]).values_list("preview_status", flat=True)) == {
        "pending"}


def test_the_queued_preview_job_draws_the_drawings_and_the_specification(demo):
    from pdm.vault.models import PreviewJob
    from pdm.vault.services import preview_execute

    job = preview_execute(job_id=PreviewJob.objects.get(status="queued").pk)
    assert job.status == "done"
    drawings = Blob.objects.filter(extension=".dxf")
    assert drawings.count() == 5
    for blob in drawings.select_related("preview"):
        assert (blob.preview_status, blob.preview.content_type) == ("ready", "image/svg+xml")
        with blob.preview.file.open("rb") as handle:
            assert b"<svg" in handle.read(4096)
    spec = Blob.objects.select_related("preview").get(extension=".pdf")
    assert (spec.preview_status, spec.preview.content_type) == ("ready", "image/png")


def test_the_step_model_is_a_200_x_100_x_2_solid(tmp_path):
    import cascadio
    import trimesh

    source, target = tmp_path / "plate.stp", tmp_path / "plate.glb"
    source.write_bytes(plate_step())
    cascadio.step_to_glb(str(source), str(target))
    mesh = trimesh.load(str(target), force="mesh")
    assert len(mesh.faces) == 12  # six rectangles, two triangles each
    assert [round(v * 1000, 3) for v in mesh.extents] == [200, 100, 2]  # glTF is in metres
    assert round(mesh.volume * 1e9) == 200 * 100 * 2


def test_a_second_run_adds_nothing(demo):
    before = _counts()
    assert seed_range_hood_pdm() is False
    assert _counts() == before


def test_the_pdm_pages_answer_for_the_owner(demo):
    enterprise, owner = demo
    client = Client(HTTP_HOST=f"{enterprise.slug}.localhost")
    client.force_login(owner)
    part = Part.objects.get(item__code=PRODUCT)
    revision = part.revisions.get(revision="B")
    document = Document.objects.get(number="DWG-RF-HD-00001")
    eco = Eco.objects.get(state=Eco.State.IN_PROGRESS)
    for url in ["/pdm/parts/", f"/pdm/parts/{part.pk}/", f"/pdm/revisions/{revision.pk}/",
                f"/pdm/documents/{document.pk}/", "/pdm/documents/", "/pdm/ecos/", f"/pdm/ecos/{eco.pk}/"]:
        assert client.get(url).status_code == 200, url
    assert "RF-HD-00001" in client.get("/pdm/parts/").content.decode()
    assert eco.number in client.get("/pdm/ecos/").content.decode()


def test_each_enterprise_sees_only_its_own_demo(demo, make_enterprise):
    enterprise, owner = demo
    other = make_enterprise()
    with tenant_context(other):
        assert (Part.objects.count(), Document.objects.count(), Eco.objects.count()) == (0, 0, 0)
    client = Client(HTTP_HOST=f"{other.slug}.localhost")
    client.force_login(owner)  # not a member of the other enterprise
    assert client.get("/pdm/parts/").status_code == 404
