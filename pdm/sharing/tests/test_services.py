"""Sharing and revoking, and the partner's upload, through the services: exact results and error codes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from core.errors import error_codes, error_codes_by_field
from erp_modules.common.models import AuditEntry
from pdm.sharing import services
from pdm.sharing.models import Share
from pdm.vault import services as vault
from pdm.vault.models import Document, DocumentVersion
from pdm.vault.tests.factories import png_bytes, upload

pytestmark = pytest.mark.django_db


def _share(t, *, kind="document", name="spec", partner=None, mode="read", user="a_manager", note=""):
    return services.share_create(owner=t.a, kind=kind, object_id=t.ids[name], partner_text=partner or t.b.uscc,
                                 mode=mode, note=note, user=t.users[user])


def _history(t, model, pk) -> list[str]:
    with tenant_context(t.a):
        return list(AuditEntry.objects.filter(object_type=model._meta.label_lower, object_id=pk)
                    .order_by("at", "id").values_list("message", flat=True))


def test_a_manager_shares_a_document_by_credit_code_and_the_owner_history_says_so(trio):
    t = trio
    share = _share(t, note="请审核外形尺寸")
    assert (share.owner, share.partner, share.kind, share.object_id, share.label, share.mode) == (
        t.a, t.b, "document", t.ids["spec"], "SPEC-SHARED 控制板规格", "read")
    assert share.created_by == t.users["a_manager"] and share.revoked_at is None
    assert _history(t, Document, t.ids["spec"])[-1] == f"Shared with {t.b.name} (read only)"


def test_the_partner_is_found_by_exact_name_or_a_full_width_credit_code(trio):
    t = trio
    assert services.partner_find(text=f"  {t.b.name} ", owner=t.a) == t.b
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in t.b.uscc.lower())
    assert services.partner_find(text=full_width, owner=t.a) == t.b


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(trio):
    t = trio
    with pytest.raises(ValidationError) as exc:
        services.share_create(owner=t.a, kind="document", object_id=987654, partner_text="没有这家企业",
                              mode="delete", note="x" * 301, user=t.users["a_owner"])
    assert error_codes_by_field(exc.value) == {"object_id": ["not_found"], "mode": ["invalid"],
                                               "note": ["invalid"], "partner": ["partner_not_found"]}
    with pytest.raises(ValidationError) as exc:
        _share(t, partner=t.a.uscc)
    assert error_codes_by_field(exc.value) == {"partner": ["partner_self"]}
    with pytest.raises(ValidationError) as exc:
        _share(t, partner="   ")
    assert error_codes_by_field(exc.value) == {"partner": ["required"]}
    with pytest.raises(ValidationError) as exc:
        _share(t, kind="revision", name="revision", mode="upload")
    assert error_codes_by_field(exc.value) == {"mode": ["upload_not_for_revision"]}
    assert Share.objects.count() == 0
    assert all("Shared" not in m for m in _history(t, Document, t.ids["spec"]))


def test_a_share_cannot_name_an_id_that_exists_only_in_another_schema(trio):
    """B's schema holds a document whose id A's schema does not have: A cannot share that id."""
    t = trio
    with tenant_context(t.b):
        for n in range(5):
            vault.document_create(number=f"B-{n}", title="B 的图纸", kind="drawing",
                                  file=upload(f"b{n}.pdf", f"%PDF-1.4 B {n}".encode()))
        b_only = Document.objects.order_by("-pk").first().pk
    with tenant_context(t.a):
        assert not Document.objects.filter(pk=b_only).exists()
    connection.set_schema_to_public()
    with pytest.raises(ValidationError) as exc:
        services.share_create(owner=t.a, kind="document", object_id=b_only, partner_text=t.c.uscc, mode="read",
                              user=t.users["a_owner"])
    assert error_codes_by_field(exc.value) == {"object_id": ["not_found"]}
    with pytest.raises(ValidationError) as exc:
        services.share_create(owner=t.a, kind="revision", object_id=987654, partner_text=t.c.uscc, mode="read",
                              user=t.users["a_owner"])
    assert error_codes_by_field(exc.value) == {"object_id": ["not_found"]}


def test_only_managers_and_above_of_the_owner_share_and_revoke(trio):
    t = trio
    for who in ("a_clerk", "a_viewer", "b_owner", "c_owner"):
        with pytest.raises(ValidationError) as exc:
            _share(t, user=who)
        assert error_codes(exc.value) == ["not_allowed"], who
    share = _share(t, user="a_owner")
    for who in ("a_clerk", "b_owner", "c_owner"):
        with pytest.raises(ValidationError) as exc:
            services.share_revoke(share=share, user=t.users[who])
        assert error_codes(exc.value) == ["not_allowed"], who
    assert Share.objects.get().revoked_at is None


def test_one_active_share_per_partner_and_object_and_again_after_a_revoke(trio):
    t = trio
    first = _share(t)
    with pytest.raises(ValidationError) as exc:
        _share(t, mode="upload")
    assert error_codes_by_field(exc.value) == {"partner": ["already_shared"]}
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says the same
        Share.objects.create(owner=t.a, partner=t.b, kind="document", object_id=t.ids["spec"], label="x")
    services.share_revoke(share=first, user=t.users["a_manager"])
    with pytest.raises(ValidationError) as exc:
        services.share_revoke(share=first, user=t.users["a_manager"])
    assert error_codes(exc.value) == ["already_revoked"]
    again = _share(t, mode="upload")
    assert again.pk != first.pk and Share.objects.filter(revoked_at__isnull=True).get() == again
    assert _history(t, Document, t.ids["spec"])[-3:] == [
        f"Shared with {t.b.name} (read only)", f"Share with {t.b.name} revoked",
        f"Shared with {t.b.name} (may upload new versions for review)"]


def test_a_partner_upload_is_a_new_version_of_the_owner_document_named_after_the_partner(trio):
    t = trio
    share = _share(t, mode="upload")
    version = services.share_version_upload(share=share, partner=t.b, user=t.users["b_clerk"],
                                            file=upload("spec-v2.pdf", b"%PDF-1.4 spec v2 by B"),
                                            comment="改了接口定义")
    with tenant_context(t.a):
        version = DocumentVersion.objects.select_related("document").get(pk=version.pk)
        assert (version.document_id, version.number, version.created_by_id) == (t.ids["spec"], 2,
                                                                                t.users["b_clerk"].pk)
        assert version.comment == (f"改了接口定义 (uploaded for review by {t.users['b_clerk'].full_name} "
                                   f"of {t.b.name})")
        assert version.document.checked_out_by_id is None
    assert _history(t, Document, t.ids["spec"])[-1] == (
        f"Version 2 uploaded for review by {t.users['b_clerk'].full_name} of {t.b.name} (design partner)")


def test_a_partner_upload_is_refused_read_only_held_by_someone_else_or_for_a_viewer(trio):
    t = trio
    read_only = _share(t)
    with pytest.raises(ValidationError) as exc:
        services.share_version_upload(share=read_only, partner=t.b, user=t.users["b_clerk"],
                                      file=upload("x.pdf", b"%PDF-1.4 x"), comment="试试")
    assert error_codes(exc.value) == ["read_only"]
    services.share_revoke(share=read_only, user=t.users["a_owner"])
    share = _share(t, mode="upload")
    with pytest.raises(ValidationError) as exc:
        services.share_version_upload(share=share, partner=t.b, user=t.users["b_viewer"],
                                      file=upload("x.pdf", b"%PDF-1.4 x"), comment="试试")
    assert error_codes(exc.value) == ["not_allowed"]
    with pytest.raises(ValidationError) as exc:  # C is not the partner of this share
        services.share_version_upload(share=share, partner=t.c, user=t.users["c_owner"],
                                      file=upload("x.pdf", b"%PDF-1.4 x"), comment="试试")
    assert error_codes(exc.value) == ["not_found"]
    with tenant_context(t.a):
        vault.document_check_out(document=Document.objects.get(pk=t.ids["spec"]), user=t.users["a_clerk"])
    connection.set_schema_to_public()
    with pytest.raises(ValidationError) as exc:
        services.share_version_upload(share=share, partner=t.b, user=t.users["b_clerk"],
                                      file=upload("x.pdf", b"%PDF-1.4 x"), comment="试试")
    assert error_codes(exc.value) == ["checked_out"]
    assert t.users["a_clerk"].full_name in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # bad input: every field named
        services.share_version_upload(share=share, partner=t.b, user=t.users["b_clerk"], file=None, comment=" ")
    assert error_codes_by_field(exc.value) == {"comment": ["required"], "file": ["required"]}
    with tenant_context(t.a):
        assert DocumentVersion.objects.filter(document_id=t.ids["spec"]).count() == 1
        assert Document.objects.get(pk=t.ids["spec"]).checked_out_by_id == t.users["a_clerk"].pk


def test_a_refused_file_type_leaves_the_document_as_it_was(trio):
    t = trio
    share = _share(t, mode="upload")
    with pytest.raises(ValidationError) as exc:
        services.share_version_upload(share=share, partner=t.b, user=t.users["b_clerk"],
                                      file=upload("run.exe", b"MZ"), comment="新版本")
    assert error_codes_by_field(exc.value) == {"file": ["type_not_allowed"]}
    with tenant_context(t.a):
        document = Document.objects.get(pk=t.ids["spec"])
        assert document.checked_out_by_id is None and document.versions.count() == 1
    assert all("Checked out" not in m for m in _history(t, Document, t.ids["spec"]))


def test_a_frozen_document_takes_no_partner_upload(trio):
    from django.utils import timezone

    from pdm.parts.models import PartRevision

    t = trio
    share = _share(t, name="linked", mode="upload")
    with tenant_context(t.a):
        PartRevision.objects.filter(pk=t.ids["revision"]).update(state="released", released_at=timezone.now())
    connection.set_schema_to_public()
    with pytest.raises(ValidationError) as exc:
        services.share_version_upload(share=share, partner=t.b, user=t.users["b_clerk"],
                                      file=upload("v2.png", png_bytes(color=(1, 2, 3))), comment="新版本")
    assert error_codes(exc.value) == ["frozen"]
