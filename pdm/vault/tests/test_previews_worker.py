"""Previews made by a real Celery worker on the real broker, from real files: a DXF with Chinese text in an
SHX style (ezdxf) and a PDF (reportlab)."""

import time
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from pdm.vault import services
from pdm.vault.models import Blob, PreviewJob
from pdm.vault.tests.factories import dxf_bytes, pdf_bytes, upload


def _wait_for(enterprise, job_id: int) -> PreviewJob:
    deadline = time.monotonic() + 90
    while True:
        with tenant_context(enterprise):
            job = PreviewJob.objects.filter(pk=job_id).first()
        if job is None or job.status in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.3)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_an_svg_of_a_chinese_dxf_and_a_png_of_a_pdf(clean_schemas, celery_worker_process,
                                                                      make_enterprise):
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        drawing = services.document_create(number="DWG-1", title="外壳图", kind="drawing",
                                           file=upload("shell.dxf", dxf_bytes("油烟机外壳 CXW-200")))
        spec = services.document_create(number="SPEC-1", title="规格书", kind="specification",
                                        file=upload("spec.pdf", pdf_bytes()))
        job = PreviewJob.objects.get()  # one job for both files, queued to the worker on commit
    job = _wait_for(enterprise, job.pk)
    assert (job.status, job.processed, job.error) == ("done", 2, "")
    with tenant_context(enterprise):
        dxf_blob = Blob.objects.get(pk=drawing.versions.get().blob_id)
        pdf_blob = Blob.objects.get(pk=spec.versions.get().blob_id)
        assert dxf_blob.preview_status == "ready" and dxf_blob.preview.content_type == "image/svg+xml"
        svg = Path(dxf_blob.preview.file.path).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg and "<script" not in svg
        # no CJK font on this machine: the preview is made and says so; with one it would be drawn
        from pdm.vault.render import cjk_font

        assert dxf_blob.preview_note == ("" if cjk_font() else "no_cjk_font")
        assert pdf_blob.preview_status == "ready" and pdf_blob.preview.content_type == "image/png"
        assert Path(pdf_blob.preview.file.path).read_bytes()[:4] == b"\x89PNG"
