import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core.testing import error_codes, error_codes_by_field
from erp_modules.common.history import object_history
from erp_modules.common.models import AuditEntry
from pdm.parts.models import PartRevision
from pdm.vault import selectors, services
from pdm.vault.models import Blob, Document, DocumentVersion, PreviewJob
from pdm.vault.tests.factories import member, pdf_bytes, png_bytes, revision, upload

pytestmark = pytest.mark.django_db


def _create(number="DOC-1", name="a.png", data=None, user=None, **extra):
    return services.document_create(number=number, title="外壳图", kind="drawing", user=user,
                                    file=upload(name, data if data is not None else png_bytes()), **extra)


def test_a_number_differing_only_in_case_is_refused_and_the_database_enforces_it(erp):
    # given DOC-1
    _create("DOC-1")
    # when doc-1 is created, through the service or straight into the table
    with pytest.raises(ValidationError) as refused:
        _create("doc-1")
    # then the service refuses it on the field, and so does the database
    assert error_codes_by_field(refused.value) == {"number": ["number_taken"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(number="doc-1", title="x", kind="drawing")


def test_a_number_taken_between_the_check_and_the_save_is_refused_with_the_code(erp, monkeypatch):
    # given another request that creates doc-7 after this one checked the number (while its upload is stored)
    stored = services._upload_stored

    def racing(*args, **kwargs):
        Document.objects.create(number="doc-7", title="x", kind="drawing")
        return stored(*args, **kwargs)
    monkeypatch.setattr(services, "_upload_stored", racing)
    # when DOC-7 is saved
    with pytest.raises(ValidationError) as refused:
        _create("DOC-7")
    # then it is refused on the field (not a server error)
    assert error_codes_by_field(refused.value) == {"number": ["number_taken"]}


def _checked_out_by_alice(erp, make_user):
    """(document, alice, bob): two clerks, and a document alice created and has checked out."""
    alice, bob = member(erp, "clerk", make_user), member(erp, "clerk", make_user)
    document = _create(user=alice)
    services.document_check_out(document=document, user=alice)
    return document, alice, bob


def test_identical_uploads_are_stored_once_with_their_sha256(erp):
    # given the same bytes uploaded as two documents
    import hashlib

    data = png_bytes()
    first = _create("DOC-1", data=data)
    second = _create("DOC-2", name="copy.png", data=data)
    # then one blob holds both, under the file's SHA-256, in the enterprise's own storage
    blob = Blob.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert Blob.objects.count() == 1
    assert [v.blob_id for v in DocumentVersion.objects.filter(document__in=[first, second])] == [blob.pk, blob.pk]
    assert blob.size == len(data)
    assert Path(blob.file.path).read_bytes() == data
    assert f"/{connection.schema_name}/pdm/blobs/" in blob.file.path


def test_upload_over_the_size_limit_is_refused_and_nothing_is_written(erp, settings):
    settings.PDM_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as refused:
        _create(name="big.pdf", data=b"%PDF" + b"0" * (1024 * 1024))
    assert error_codes_by_field(refused.value) == {"file": ["too_large"]}
    assert Document.objects.count() == 0 and Blob.objects.count() == 0


def test_bad_fields_are_all_reported_with_their_codes(erp):
    _create("DOC-1")
    with pytest.raises(ValidationError) as refused:
        services.document_create(number="doc-1", title="", kind="poster", file=upload("virus.exe", b"MZ"))
    assert error_codes_by_field(refused.value) == {"number": ["number_taken"], "title": ["required"],
                                                   "kind": ["invalid"], "file": ["type_not_allowed"]}
    with pytest.raises(ValidationError) as refused:
        services.document_create(number="DOC 2", title="x", kind="drawing", file=None)
    assert error_codes_by_field(refused.value) == {"number": ["invalid"], "file": ["required"]}
    assert Document.objects.count() == 1


def test_a_second_member_cannot_check_out_and_is_told_who_holds_it_since_when(erp, make_user):
    document, alice, bob = _checked_out_by_alice(erp, make_user)
    with pytest.raises(ValidationError) as refused:
        services.document_check_out(document=document, user=bob)
    assert error_codes(refused.value) == ["checked_out"]
    document.refresh_from_db()
    assert alice.full_name in refused.value.messages[0]
    assert document.checked_out_at.astimezone().strftime("%Y-%m-%d %H:%M")[:10] in refused.value.messages[0]
    assert document.checked_out_by == alice


def test_only_the_holder_checks_in_a_new_version_with_a_comment_and_the_lock_is_released(erp, make_user):
    alice, bob = member(erp, "clerk", make_user), member(erp, "clerk", make_user)
    document = _create(user=alice)
    with pytest.raises(ValidationError) as refused:
        services.document_check_in(document=document, user=alice, file=upload("b.png", png_bytes((1, 2, 3))),
                                   comment="x")
    assert error_codes(refused.value) == ["not_checked_out"]
    services.document_check_out(document=document, user=alice)
    with pytest.raises(ValidationError) as refused:
        services.document_check_in(document=document, user=bob, file=upload("b.png", png_bytes((1, 2, 3))),
                                   comment="bob's")
    assert error_codes(refused.value) == ["not_holder"]
    with pytest.raises(ValidationError) as refused:
        services.document_check_in(document=document, user=alice, file=upload("b.png", png_bytes((1, 2, 3))),
                                   comment="  ")
    assert error_codes_by_field(refused.value) == {"comment": ["required"]}
    # when the holder checks in with a comment
    version = services.document_check_in(document=document, user=alice, file=upload("b.png", png_bytes((1, 2, 3))),
                                         comment="加厚 0.2 mm")
    # then version 2 is there and nobody holds the document
    document.refresh_from_db()
    assert (version.number, version.comment, version.created_by) == (2, "加厚 0.2 mm", alice)
    assert [v.number for v in selectors.document_versions(document=document)] == [2, 1]
    assert document.checked_out_by is None and document.checked_out_at is None


def test_an_admin_breaks_a_lock_and_the_audit_names_the_holder(erp, make_user):
    alice, admin = member(erp, "clerk", make_user), member(erp, "admin", make_user)
    document = _create(user=alice)
    services.document_check_out(document=document, user=alice)
    services.document_lock_break(document=document, user=admin)
    document.refresh_from_db()
    assert document.checked_out_by is None
    entry = AuditEntry.objects.filter(object_type="pdm_vault.document", object_id=document.pk).first()
    assert (entry.action, entry.user) == ("status", admin)
    assert entry.changes["_message_params"]["holder"] == alice.full_name  # shown in the reader's language
    assert alice.full_name in object_history(document)[0].message
    with pytest.raises(ValidationError) as refused:
        services.document_lock_break(document=document, user=admin)
    assert error_codes(refused.value) == ["not_checked_out"]


def test_links_follow_the_revision_and_a_released_revision_freezes_the_document(erp, make_user):
    alice = member(erp, "clerk", make_user)
    document = _create(user=alice)
    working, released = revision(), revision(PartRevision.State.RELEASED)
    line = working.bom.lines.get()
    link = services.document_link(document=document, revision=working, bom_line=line, user=alice)
    with pytest.raises(ValidationError) as refused:
        services.document_link(document=document, revision=working, bom_line=line, user=alice)
    assert error_codes_by_field(refused.value) == {"revision": ["already_linked"]}
    with pytest.raises(ValidationError) as refused:
        services.document_link(document=document, revision=working, bom_line=released.bom.lines.get())
    assert error_codes_by_field(refused.value) == {"bom_line": ["bom_line_mismatch"]}
    with pytest.raises(ValidationError) as refused:
        services.document_link(document=document, revision=released)
    assert error_codes_by_field(refused.value) == {"revision": ["revision_frozen"]}
    assert list(selectors.documents_for_revision(revision=working)) == [document]
    assert selectors.document_frozen_by(document=document) is None
    # when the linked revision is released
    PartRevision.objects.filter(pk=working.pk).update(state=PartRevision.State.RELEASED, released_at=working.created_at)
    # then the document is frozen: no check-out, no unlinking
    assert selectors.document_frozen_by(document=document) == working
    with pytest.raises(ValidationError) as refused:
        services.document_check_out(document=document, user=alice)
    assert error_codes(refused.value) == ["frozen"]
    with pytest.raises(ValidationError) as refused:
        services.document_unlink(link=link, user=alice)
    assert error_codes(refused.value) == ["revision_frozen"]


def test_a_revision_made_obsolete_without_release_leaves_its_documents_free(erp, make_user):
    # given a document linked to a revision that was never released, then made obsolete
    alice = member(erp, "clerk", make_user)
    document = _create(user=alice)
    working = revision()
    link = services.document_link(document=document, revision=working, user=alice)
    PartRevision.objects.filter(pk=working.pk).update(state=PartRevision.State.OBSOLETE)
    # when it is checked out, then unlinked
    assert selectors.document_frozen_by(document=document) is None
    services.document_check_out(document=document, user=alice)
    services.document_unlink(link=link, user=alice)
    # then both succeed: the link is gone, and no new link is accepted on the obsolete revision
    assert not document.links.exists()
    with pytest.raises(ValidationError) as refused:
        services.document_link(document=document, revision=working, user=alice)
    assert error_codes_by_field(refused.value) == {"revision": ["revision_frozen"]}


def test_previews_without_a_worker_png_corrupt_pdf_and_dwg(erp):
    png = _create("DOC-1", data=png_bytes()).versions.get().blob
    broken = _create("DOC-2", name="spec.pdf", data=b"%PDF-1.7 this is not really a PDF").versions.get().blob
    dwg = _create("DOC-3", name="shell.dwg", data=b"AC1032 not rendered").versions.get().blob
    assert PreviewJob.objects.filter(status="queued").count() == 1  # one job for both waiting files
    assert (dwg.preview_status, dwg.preview_note) == ("none", "dwg")
    assert [png.preview_status, broken.preview_status] == ["pending", "pending"]
    job = services.preview_execute(job_id=PreviewJob.objects.get().pk)
    assert (job.status, job.processed) == ("done", 2)
    png.refresh_from_db()
    broken.refresh_from_db()
    assert (png.preview_status, png.preview.content_type) == ("ready", "image/png")
    assert Path(png.preview.file.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (broken.preview_status, broken.preview_note, broken.preview) == ("none", "broken", None)
    assert "could not be read" in str(broken.get_preview_note_display())


def _noise_jpeg() -> bytes:
    """An 800 x 800 JPEG of noise: small, but its PNG preview is over 1 MB."""
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3)).save(buffer, format="JPEG", quality=20)
    return buffer.getvalue()


def test_one_file_whose_preview_fails_does_not_stop_the_job(erp, settings):
    # given a JPEG whose preview is past the 1 MB storage limit (storing it fails), then a good PNG
    failing = _create("DOC-1", name="noise.jpg", data=_noise_jpeg()).versions.get().blob
    good = _create("DOC-2", data=png_bytes()).versions.get().blob
    settings.PDM_MAX_UPLOAD_MB = 1
    # when the preview job runs
    job = services.preview_execute(job_id=PreviewJob.objects.get().pk)
    # then it finishes: the failing file has no preview (broken), the good one has its preview
    failing.refresh_from_db()
    good.refresh_from_db()
    assert (job.status, job.processed) == ("done", 2)
    assert (failing.preview_status, failing.preview_note, failing.preview) == ("none", "broken", None)
    assert (good.preview_status, good.preview.content_type) == ("ready", "image/png")


def test_a_preview_that_takes_too_long_is_given_up(erp, settings):
    settings.PDM_PREVIEW_TIMEOUT_S = 0.01
    blob = _create("DOC-1", name="spec.pdf", data=pdf_bytes()).versions.get().blob
    services.blob_preview_make(blob=blob)
    blob.refresh_from_db()
    assert (blob.preview_status, blob.preview_note) == ("none", "timeout")


def test_the_holder_undoes_a_check_out_without_a_new_version(erp, make_user):
    document, alice, bob = _checked_out_by_alice(erp, make_user)
    with pytest.raises(ValidationError) as refused:
        services.document_check_out_undo(document=document, user=bob)
    assert error_codes(refused.value) == ["not_holder"]
    services.document_check_out_undo(document=document, user=alice)
    document.refresh_from_db()
    assert document.checked_out_by is None and document.versions.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.document_check_out_undo(document=document, user=alice)
    assert error_codes(refused.value) == ["not_checked_out"]
