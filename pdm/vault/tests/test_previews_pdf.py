"""Every page of a PDF gets a preview image (the first 20): made by the preview job in its child process, shown as
a strip of pages on the document page, each opening larger; served to the enterprise's members only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from PIL import Image

from pdm.vault import render, services
from pdm.vault.models import Blob, PreviewJob, PreviewPage
from pdm.vault.tests.factories import member, upload

pytestmark = pytest.mark.django_db


def pdf_pages(count: int) -> bytes:
    """A PDF of `count` A4 pages, each saying its number (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, count + 1):
        pdf.setFont("Helvetica", 48)
        pdf.drawString(72, 700, f"Page {number}")
        pdf.rect(72, 100 + number * 10, 200, 100)  # every page different: no two page images are the same file
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _run_previews() -> PreviewJob:
    return services.preview_execute(job_id=PreviewJob.objects.get(status="queued").pk)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_three_page_pdf_gets_three_page_images(erp):
    # given a PDF of 3 pages
    document = services.document_create(number="SPEC-3", title="规格书", kind="specification",
                                        file=upload("spec.pdf", pdf_pages(3)))
    # when the preview job runs
    job = _run_previews()
    # then the file has its preview (page 1) and one PNG per page, in order, page 1 being the preview itself
    blob = document.versions.get().blob
    blob.refresh_from_db()
    assert (job.status, job.processed) == ("done", 1)
    assert (blob.preview_status, blob.page_count, blob.preview.content_type) == ("ready", 3, "image/png")
    pages = list(blob.preview_pages.select_related("image"))
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[0].image == blob.preview
    assert len({p.image_id for p in pages}) == 3
    for page in pages:
        with Image.open(page.image.file.path) as image:
            assert image.format == "PNG" and max(image.size) == render.PAGE_PX


def test_a_25_page_pdf_gets_the_first_20_and_says_so(client, make_enterprise, make_user):
    # given a PDF of 25 pages, read by a viewer of the enterprise
    enterprise = make_enterprise(slug="pdfshop")
    viewer = member(enterprise, "viewer", make_user)
    with tenant_context(enterprise):
        document = services.document_create(number="MAN-25", title="说明书", kind="specification",
                                            file=upload("manual.pdf", pdf_pages(25)))
        # when the preview job runs
        _run_previews()
        blob = Blob.objects.get(pk=document.versions.get().blob_id)
        version = document.versions.get()
        # then 20 page images are stored and the file knows it has 25 pages
        assert (blob.page_count, blob.preview_pages.count()) == (25, 20)
        assert list(blob.preview_pages.values_list("number", flat=True)) == list(range(1, 21))
    connection.set_schema_to_public()
    client.force_login(viewer)
    host = {"HTTP_HOST": "pdfshop.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.get(f"/pdm/documents/{document.pk}/", **host).content.decode()
    # and the page shows a strip of 20 pages, each a link to its larger image, and says it shows 20 of 25
    base = f"/pdm/documents/versions/{version.pk}/preview/?page="
    assert page.count(f'<img class="border bg-white d-block" src="{base}') == 20
    assert f'href="{base}20"' in page and f"{base}21" not in page
    assert "First 20 of 25 pages" in page
    # and each page image is served inline, sandboxed, as a PNG; a page past the 20th is not found
    response = client.get(f"{base}20", **host)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert response["Content-Disposition"].startswith("inline") and "sandbox" in response["Content-Security-Policy"]
    assert _body(response)[:4] == b"\x89PNG"
    for bad in ("21", "0", "-1", "x", "1,000", ""):
        assert client.get(f"{base}{bad}", **host).status_code == 404, bad


def test_a_short_pdf_counts_its_pages_and_a_broken_one_has_none(client, make_enterprise, make_user):
    enterprise = make_enterprise(slug="pdfshort")
    viewer = member(enterprise, "viewer", make_user)
    with tenant_context(enterprise):
        three = services.document_create(number="S-3", title="三页", kind="specification", file=upload("a.pdf", pdf_pages(3)))
        broken = services.document_create(number="S-X", title="坏", kind="specification",
                                          file=upload("b.pdf", b"%PDF-1.7 not really a PDF"))
        _run_previews()
        broken_blob = Blob.objects.get(pk=broken.versions.get().blob_id)
        assert (broken_blob.preview_status, broken_blob.preview_note, broken_blob.page_count) == ("none", "broken", None)
        assert not PreviewPage.objects.filter(blob=broken_blob).exists()
    connection.set_schema_to_public()
    client.force_login(viewer)
    host = {"HTTP_HOST": "pdfshort.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    assert "3 pages; click one to open it larger." in client.get(f"/pdm/documents/{three.pk}/", **host).content.decode()
    page = client.get(f"/pdm/documents/{broken.pk}/", **host).content.decode()
    assert "No preview: the file could not be read" in page and 'id="preview-pages"' not in page


def test_the_page_images_of_a_pdf_that_fails_to_store_leave_nothing_behind(erp, settings):
    # given a 3-page PDF and a storage limit the page images cannot be stored under
    document = services.document_create(number="SPEC-L", title="大", kind="specification",
                                        file=upload("big.pdf", pdf_pages(3)))
    blobs_before = set(Blob.objects.values_list("pk", flat=True))
    settings.PDM_MAX_UPLOAD_MB = 0
    # when the preview job runs
    job = _run_previews()
    # then the file has no preview, no page image row and no new stored file (rows and files rolled back)
    blob = document.versions.get().blob
    blob.refresh_from_db()
    assert (job.status, blob.preview_status, blob.preview_note) == ("done", "none", "broken")
    assert not PreviewPage.objects.exists() and set(Blob.objects.values_list("pk", flat=True)) == blobs_before
    blob_dir = Path(blob.file.path).parent.parent
    assert sorted(p.name for p in blob_dir.rglob("*") if p.is_file()) == [blob.sha256]


def test_another_enterprises_page_images_are_404(client, enterprise_pair):
    # given a 3-page PDF with its page images in B, and one document in A
    a, b, alice, bob = enterprise_pair("pdfa", "pdfb")
    with tenant_context(a):
        services.document_create(number="A-1", title="A", kind="other", file=upload("a.txt", b"a"))
    with tenant_context(b):
        services.document_create(number="B-0", title="B0", kind="other", file=upload("b0.txt", b"b0"))
        b_doc = services.document_create(number="B-PDF", title="B", kind="specification",
                                         file=upload("b.pdf", pdf_pages(3)))
        _run_previews()
        b_version = b_doc.versions.get()
        page_two = Path(b_version.blob.preview_pages.get(number=2).image.file.path).read_bytes()
    connection.set_schema_to_public()
    # when alice (A's owner) asks for B's page images, on A's host and on B's
    client.force_login(alice)
    for host in ("pdfa.localhost", "pdfb.localhost"):
        for number in (1, 2, 3):
            response = client.get(f"/pdm/documents/versions/{b_version.pk}/preview/?page={number}", HTTP_HOST=host)
            # then nothing of B is sent
            assert response.status_code == 404, (host, number)
            assert page_two not in _body(response)
