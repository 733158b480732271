"""STEP models get a 3D view: the preview job converts them to GLB in its child process (OpenCASCADE through
cascadio, checked with trimesh), the document page shows the GLB with the vendored model-viewer under the
Content-Security-Policy, and a file that cannot be converted gets "no preview" with its reason. The STEP files
are written here: a box as an AP214 manifold solid B-rep (what CAD programs export)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import trimesh
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from pdm.vault import render, services
from pdm.vault.models import Blob, Document, PreviewJob
from pdm.vault.tests.factories import member, upload

PASSWORD = "Model-Viewer-2026!"


def step_box(dx: float = 40.0, dy: float = 30.0, dz: float = 20.0) -> bytes:
    """An AP214 STEP file of one box in millimetres (8 vertices, 12 line edges, 6 planar faces): the demo's writer."""
    from pdm.changes.demo import plate_step

    return plate_step(length=dx, width=dy, thickness=dz, name="BOX")


def step_that_crashes_opencascade() -> bytes:
    """The box with its lines' vectors written inline (not allowed in STEP): OpenCASCADE dies reading it."""
    text = step_box().decode("ascii")
    vectors = dict(re.findall(r"^#(\d+)=(VECTOR\([^;]*\));$", text, flags=re.M))
    return re.sub(r"LINE\('',#(\d+),#(\d+)\)", lambda m: f"LINE('',#{m[1]},{vectors[m[2]]})", text).encode("ascii")


def _glb_triangles(path: str) -> tuple[int, list]:
    scene = trimesh.load(path, file_type="glb", force="scene")
    return sum(len(g.faces) for g in scene.geometry.values()), scene.bounds.tolist()


def _run_previews() -> PreviewJob:
    return services.preview_execute(job_id=PreviewJob.objects.get(status="queued").pk)


@pytest.mark.django_db
def test_a_step_model_gets_a_glb_through_the_preview_job(erp):
    # given a STEP file of a 40 x 30 x 20 mm box, uploaded as a 3D model (.stp works as .step)
    document = services.document_create(number="M-1", title="外壳 3D", kind=Document.Kind.MODEL_3D,
                                        file=upload("shell.stp", step_box()))
    blob = document.versions.get().blob
    assert blob.preview_status == "pending"
    # when the preview job runs (the conversion happens in its child process)
    job = _run_previews()
    # then the file's preview is a GLB of 12 triangles, in metres, stored in the enterprise's storage
    blob.refresh_from_db()
    assert (job.status, job.processed) == ("done", 1)
    assert (blob.preview_status, blob.preview_note) == ("ready", "")
    assert (blob.preview.content_type, blob.preview.extension) == ("model/gltf-binary", ".glb")
    assert Path(blob.preview.file.path).read_bytes()[:4] == b"glTF"
    assert f"/{connection.schema_name}/pdm/blobs/" in blob.preview.file.path
    triangles, bounds = _glb_triangles(blob.preview.file.path)
    assert triangles == 12
    assert [round(c, 6) for corner in bounds for c in corner] == [0, 0, 0, 0.04, 0.03, 0.02]


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"this is not a STEP file at all\n", step_box()[:2500],
                                  step_that_crashes_opencascade()],
                         ids=["garbage", "truncated", "crashes-opencascade"])
def test_a_step_file_that_cannot_be_converted_gets_no_preview_with_the_reason(erp, data):
    document = services.document_create(number="M-2", title="坏文件", kind=Document.Kind.MODEL_3D,
                                        file=upload("broken.step", data))
    job = _run_previews()
    blob = document.versions.get().blob
    blob.refresh_from_db()
    assert (job.status, job.processed) == ("done", 1)
    assert (blob.preview_status, blob.preview_note, blob.preview) == ("none", "broken", None)
    assert "could not be read" in str(blob.get_preview_note_display())


def test_a_model_past_the_caps_is_refused_as_too_large(tmp_path, monkeypatch, capsys):
    # given the box (12 triangles) and caps below it: first the triangle count, then the file size
    (tmp_path / "box.step").write_bytes(step_box())
    monkeypatch.setattr(render, "MAX_TRIANGLES", 5)
    assert render.main(["step", str(tmp_path / "box.step"), str(tmp_path / "box.glb")]) == 0
    assert '"ok": false, "reason": "model_too_large", "detail": "12 triangles"' in capsys.readouterr().out
    monkeypatch.setattr(render, "MAX_TRIANGLES", 1000)
    monkeypatch.setattr(render, "STEP_MAX_BYTES", 100)
    assert render.main(["step", str(tmp_path / "box.step"), str(tmp_path / "box.glb")]) == 0
    assert '"reason": "model_too_large"' in capsys.readouterr().out
    assert not (tmp_path / "box.glb").exists()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_the_document_page_shows_the_3d_view_and_the_glb_is_served_to_members_only(client, make_enterprise,
                                                                                    make_user):
    # given a STEP model with its GLB, and a garbage one
    enterprise = make_enterprise(slug="stepshop")
    viewer = member(enterprise, "viewer", make_user)
    with tenant_context(enterprise):
        model = services.document_create(number="M-3", title="外壳 3D", kind="model_3d", file=upload("a.step", step_box()))
        broken = services.document_create(number="M-4", title="坏", kind="model_3d", file=upload("b.step", b"junk"))
        _run_previews()
        version = model.versions.get()
    connection.set_schema_to_public()
    client.force_login(viewer)
    host = {"HTTP_HOST": "stepshop.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    # when the pages are read
    response = client.get(f"/pdm/documents/{model.pk}/", **host)
    page = response.content.decode()
    # then the model's page has the viewer (vendored, no CDN), with the page's two CSP exceptions
    assert f'<model-viewer id="preview-model" src="/pdm/documents/versions/{version.pk}/preview/"' in page
    assert '/static/vendor/model-viewer-4.4.0/model-viewer.min.js' in page and "https://" not in page
    policy = response["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in policy and "'sha256-" in policy and "'unsafe-eval'" not in policy
    glb = client.get(f"/pdm/documents/versions/{version.pk}/preview/", **host)
    assert (glb.status_code, glb["Content-Type"]) == (200, "model/gltf-binary")
    assert glb["X-Content-Type-Options"] == "nosniff"
    assert glb["Content-Disposition"].startswith("inline") and ".glb" in glb["Content-Disposition"]
    assert _body(glb)[:4] == b"glTF"
    # and the broken one says why there is no preview
    page = client.get(f"/pdm/documents/{broken.pk}/", **host).content.decode()
    assert "No preview: the file could not be read" in page and "<model-viewer" not in page
    # and the other pages keep the strict policy
    assert "wasm-unsafe-eval" not in client.get("/pdm/documents/", **host)["Content-Security-Policy"]


@pytest.mark.django_db
def test_another_enterprises_3d_view_is_404(client, enterprise_pair):
    # given a STEP model with its GLB in B, and a document in A
    a, b, alice, bob = enterprise_pair("stepa", "stepb")
    with tenant_context(a):
        services.document_create(number="A-1", title="A", kind="other", file=upload("a.txt", b"a"))
    with tenant_context(b):
        services.document_create(number="B-0", title="B0", kind="other", file=upload("b0.txt", b"b0"))
        b_doc = services.document_create(number="B-3D", title="B 3D", kind="model_3d", file=upload("b.step", step_box()))
        _run_previews()
        b_version = b_doc.versions.get()
        glb = Path(b_version.blob.preview.file.path).read_bytes()
    connection.set_schema_to_public()
    # when alice (A's owner) asks for B's model page and GLB, on A's host and on B's
    client.force_login(alice)
    for host in ("stepa.localhost", "stepb.localhost"):
        for url in (f"/pdm/documents/{b_doc.pk}/", f"/pdm/documents/versions/{b_version.pk}/preview/"):
            response = client.get(url, HTTP_HOST=host)
            # then nothing of B is sent
            assert response.status_code == 404, (host, url)
            assert glb not in _body(response)


WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_3d_view_renders_in_the_browser_under_the_content_security_policy(live_server, clean_schemas, chromium,
                                                                              make_enterprise, make_user):
    # given a STEP model whose GLB the preview job made
    owner = make_user(email="owner@step3d.test", password=PASSWORD)
    enterprise = make_enterprise(slug="step3d", owner=owner)
    with tenant_context(enterprise):
        document = services.document_create(number="M-3D", title="外壳 3D", kind="model_3d",
                                            file=upload("shell.step", step_box()), user=owner)
        _run_previews()
        assert Blob.objects.get(pk=document.versions.get().blob_id).preview_status == "ready"
    connection.set_schema_to_public()
    page = browser_page(chromium, timeout_ms=30_000)
    page.context.add_init_script(WATCH_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: console.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    site, host = live_site(live_server), live_site(live_server, "step3d")
    browser_login(page, site, "owner@step3d.test", PASSWORD, then=f"{host}/**")
    # when the owner opens the model's page
    page.goto(f"{host}/pdm/documents/{document.pk}/")
    # then the viewer loads the GLB and draws it on a canvas, with no CSP violation and no console error
    # (no wait_for_function: Playwright evaluates its text with eval, which the policy refuses)
    try:
        expect(page.locator("#preview-model")).to_have_attribute("data-state", "loaded", timeout=60_000)
    except AssertionError:
        page.screenshot(path=str(screenshots_dir() / "pdm-step-3d-view-failed.png"), full_page=True)
        raise AssertionError(f"the model did not load: {console} {page.evaluate('window.__cspViolations')}")
    assert page.evaluate("document.getElementById('preview-model').loaded") is True
    assert page.evaluate("!!document.getElementById('preview-model').shadowRoot.querySelector('canvas')")
    box = page.locator("#preview-model").bounding_box()
    assert box["width"] > 300 and box["height"] > 200  # laid out by its own stylesheet (allowed by its hash)
    time.sleep(0.5)
    page.screenshot(path=str(screenshots_dir() / "pdm-step-3d-view.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []
    assert console == []
    expect(page.locator("#preview-3d-error")).to_be_hidden()
    page.context.close()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_glb_of_a_step_model_and_the_pages_of_a_pdf(clean_schemas, celery_worker_process,
                                                                          make_enterprise):
    # given a STEP model and a 3-page PDF uploaded together (one preview job, queued to the worker on commit)
    from pdm.vault.tests.test_previews_pdf import pdf_pages

    enterprise = make_enterprise()
    with tenant_context(enterprise):
        model = services.document_create(number="M-W", title="外壳 3D", kind="model_3d", file=upload("a.step", step_box()))
        spec = services.document_create(number="S-W", title="规格书", kind="specification",
                                        file=upload("s.pdf", pdf_pages(3)))
        job = PreviewJob.objects.get()
    # when the real Celery worker runs it
    deadline = time.monotonic() + 120
    while True:
        with tenant_context(enterprise):
            job.refresh_from_db()
        if job.status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    # then both previews are made: a GLB with 12 triangles, and 3 page images
    assert (job.status, job.processed, job.error) == ("done", 2, "")
    with tenant_context(enterprise):
        glb = Blob.objects.get(pk=model.versions.get().blob_id).preview
        assert glb.content_type == "model/gltf-binary" and _glb_triangles(glb.file.path)[0] == 12
        pdf = Blob.objects.get(pk=spec.versions.get().blob_id)
        assert (pdf.page_count, pdf.preview_pages.count()) == (3, 3)
