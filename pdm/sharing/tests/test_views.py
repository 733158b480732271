"""The pages of sharing, on each enterprise's own host, and their isolation: B (the partner) sees exactly what
A shared, C (no partner) nothing; ids changed in a shared URL, a read-only share and a revoked share give B
nothing more; B's members cannot share A's objects; A's shares never show on C's lists."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.common.models import AuditEntry
from pdm.sharing import services
from pdm.sharing.models import Share
from pdm.vault import services as vault
from pdm.vault.models import Blob, Document, DocumentVersion
from pdm.vault.tests.factories import png_bytes, upload

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _share(t, *, kind="document", name="spec", mode="read", partner=None) -> Share:
    return services.share_create(owner=t.a, kind=kind, object_id=t.ids[name], partner_text=(partner or t.b).uscc,
                                 mode=mode, user=t.users["a_owner"])


def _shared_rows(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-share="(\d+)"', html)}


def test_a_manager_shares_a_revision_from_its_page_and_the_partner_sees_it_on_its_host(trio):
    t = trio
    a_manager, b_viewer = t.client("a_manager"), t.client("b_viewer")
    page = a_manager.get(f"/pdm/revisions/{t.ids['revision']}/", **t.host(t.a)).content.decode()
    assert 'id="share-panel"' in page and 'id="share-form"' in page and "Not shared with any partner." in page
    assert 'value="upload"' not in page  # a revision is shared read-only
    response = a_manager.post("/pdm/shares/new/", {"kind": "revision", "object_id": t.ids["revision"],
                                                   "partner": t.b.uscc, "mode": "read", "note": "请确认结构"},
                              **t.host(t.a))
    assert response.status_code == 302 and response["Location"] == f"/pdm/revisions/{t.ids['revision']}/"
    share = Share.objects.get()
    assert (share.partner, share.kind, share.object_id, share.note) == (t.b, "revision", t.ids["revision"], "请确认结构")
    page = a_manager.get(f"/pdm/revisions/{t.ids['revision']}/", **t.host(t.a)).content.decode()
    assert _shared_rows(page) == {share.pk} and t.b.display_name in page
    # B's list and the shared revision page: owner, number, revision, state, BOM lines, linked documents
    listing = b_viewer.get("/pdm/shared/", **t.host(t.b)).content.decode()
    assert _shared_rows(listing) == {share.pk} and t.a.name in listing
    response = b_viewer.get(f"/pdm/shared/{share.pk}/", **t.host(t.b))
    page = response.content.decode()
    assert response.status_code == 200
    assert share.label.split()[0] in page and t.a.name in page
    assert "in work" in page and t.ids["component"] in page and "DWG-LINKED" in page
    assert "SECRET-DOC" not in page and "ASECRET" not in page
    # the linked document, read-only, and its file
    response = b_viewer.get(f"/pdm/shared/{share.pk}/documents/{t.ids['linked']}/", **t.host(t.b))
    assert response.status_code == 200 and 'id="upload-form"' not in response.content.decode()
    response = b_viewer.get(f"/pdm/shared/{share.pk}/versions/{t.ids['linked_version']}/download/", **t.host(t.b))
    assert response.status_code == 200 and _body(response) == png_bytes()
    assert response["Content-Disposition"].startswith("attachment") and response["Cache-Control"] == "private, no-store"


def test_the_share_form_names_the_field_of_each_problem_and_writes_nothing(trio):
    t = trio
    a_manager = t.client("a_manager")
    response = a_manager.post("/pdm/shares/new/", {"kind": "document", "object_id": t.ids["spec"],
                                                   "partner": "91330000000000000X", "mode": "read"}, **t.host(t.a))
    assert response.status_code == 400
    assert "No active enterprise on the platform has the credit code or name" in response.content.decode()
    assert 'id="error-partner"' in response.content.decode()
    response = a_manager.post("/pdm/shares/new/", {"kind": "document", "object_id": t.ids["spec"],
                                                   "partner": t.a.name, "mode": "read"}, **t.host(t.a))
    assert response.status_code == 400 and "That is your own enterprise" in response.content.decode()
    response = a_manager.post("/pdm/shares/new/", {"kind": "document", "object_id": 987654,
                                                   "partner": t.b.uscc, "mode": "read"}, **t.host(t.a))
    assert response.status_code == 404  # no such document in A's schema
    assert Share.objects.count() == 0
    # a clerk sees the panel, not the form; a GET of the form page is for managers
    page = t.client("a_clerk").get(f"/pdm/documents/{t.ids['spec']}/", **t.host(t.a)).content.decode()
    assert 'id="share-panel"' in page and 'id="share-form"' not in page
    assert t.client("a_clerk").post("/pdm/shares/new/", {"kind": "document", "object_id": t.ids["spec"],
                                                         "partner": t.b.uscc, "mode": "read"},
                                    **t.host(t.a)).status_code == 403
    assert a_manager.get(f"/pdm/shares/new/?kind=document&object_id={t.ids['spec']}", **t.host(t.a)).status_code == 200
    assert Share.objects.count() == 0


def test_the_partner_sees_exactly_what_was_shared_and_the_third_enterprise_nothing(trio):
    t = trio
    doc_share = _share(t)
    rev_share = _share(t, kind="revision", name="revision")
    to_c = _share(t, name="secret", partner=t.c)
    b, c = t.client("b_viewer"), t.client("c_owner")
    assert _shared_rows(b.get("/pdm/shared/", **t.host(t.b)).content.decode()) == {doc_share.pk, rev_share.pk}
    c_list = c.get("/pdm/shared/", **t.host(t.c)).content.decode()
    assert _shared_rows(c_list) == {to_c.pk} and "SPEC-SHARED" not in c_list
    assert _shared_rows(t.client("a_viewer").get("/pdm/shares/", **t.host(t.a)).content.decode()) == {
        doc_share.pk, rev_share.pk, to_c.pk}
    assert _shared_rows(c.get("/pdm/shares/", **t.host(t.c)).content.decode()) == set()  # A's shares are A's
    assert _shared_rows(b.get("/pdm/shares/", **t.host(t.b)).content.decode()) == set()
    # C cannot open B's shares on its own host, nor A's or B's host at all
    for path in (f"/pdm/shared/{doc_share.pk}/", f"/pdm/shared/{rev_share.pk}/",
                 f"/pdm/shared/{doc_share.pk}/versions/{t.ids['spec_version']}/download/",
                 f"/pdm/shared/{rev_share.pk}/documents/{t.ids['linked']}/"):
        assert c.get(path, **t.host(t.c)).status_code == 404, path
        assert c.get(path, **t.host(t.a)).status_code == 404, path
    # nor can A's own members read its shares through the partner pages (they are the partner's)
    assert t.client("a_owner").get(f"/pdm/shared/{doc_share.pk}/", **t.host(t.a)).status_code == 404
    # B's members are not members of A: A's host is a 404 for them
    assert b.get(f"/pdm/documents/{t.ids['spec']}/", **t.host(t.a)).status_code == 404


def test_changing_ids_in_a_shared_url_reaches_nothing_else_of_the_owner(trio):
    t = trio
    doc_share = _share(t)
    rev_share = _share(t, kind="revision", name="revision")
    b = t.client("b_owner")
    forbidden = [
        # another document of A, through either share
        f"/pdm/shared/{rev_share.pk}/documents/{t.ids['secret']}/",
        f"/pdm/shared/{rev_share.pk}/documents/{t.ids['spec']}/",
        f"/pdm/shared/{doc_share.pk}/documents/{t.ids['secret']}/",
        f"/pdm/shared/{doc_share.pk}/documents/{t.ids['linked']}/",
        # versions of documents not shared
        f"/pdm/shared/{rev_share.pk}/versions/{t.ids['secret_version']}/download/",
        f"/pdm/shared/{rev_share.pk}/versions/{t.ids['spec_version']}/download/",
        f"/pdm/shared/{doc_share.pk}/versions/{t.ids['secret_version']}/download/",
        f"/pdm/shared/{doc_share.pk}/versions/{t.ids['linked_version']}/preview/",
        f"/pdm/shared/{doc_share.pk}/versions/987654/download/",
        # shares that do not exist or are not B's
        "/pdm/shared/987654/", f"/pdm/shared/{doc_share.pk + 1000}/",
    ]
    for path in forbidden:
        response = b.get(path, **t.host(t.b))
        assert response.status_code == 404, path
        assert b"ASECRET" not in _body(response), path
    # B's own document with the same id as A's secret one is B's, not A's: no share reaches it either
    with tenant_context(t.b):
        for n in range(3):
            vault.document_create(number=f"B-{n}", title="B 自己的", kind="drawing",
                                  file=upload(f"b{n}.pdf", f"%PDF-1.4 B {n}".encode()))
    connection.set_schema_to_public()
    assert b.get(f"/pdm/shared/{doc_share.pk}/documents/{t.ids['secret']}/", **t.host(t.b)).status_code == 404
    # the shared ones open
    assert b.get(f"/pdm/shared/{doc_share.pk}/versions/{t.ids['spec_version']}/download/",
                 **t.host(t.b)).status_code == 200
    # upload on a revision share, or on a read-only share: nothing written
    response = b.post(f"/pdm/shared/{rev_share.pk}/upload/", {"file": upload("x.pdf", b"%PDF-1.4 x"),
                                                               "comment": "新版本"}, **t.host(t.b))
    assert response.status_code == 404
    response = b.post(f"/pdm/shared/{doc_share.pk}/upload/", {"file": upload("x.pdf", b"%PDF-1.4 x"),
                                                               "comment": "新版本"}, **t.host(t.b))
    assert response.status_code == 400 and "shared read-only" in response.content.decode()
    with tenant_context(t.a):
        assert DocumentVersion.objects.count() == 3
        assert not Document.objects.filter(checked_out_by__isnull=False).exists()


def test_in_upload_mode_a_partner_clerk_uploads_a_version_for_review(trio):
    t = trio
    share = _share(t, mode="upload")
    page = t.client("b_viewer").get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).content.decode()
    assert 'id="upload-form"' not in page  # viewers read only
    assert t.client("b_viewer").post(f"/pdm/shared/{share.pk}/upload/", {"file": upload("v.pdf", b"%PDF-1.4 v"),
                                                                          "comment": "x"},
                                     **t.host(t.b)).status_code == 403
    b = t.client("b_clerk")
    assert 'id="upload-form"' in b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).content.decode()
    response = b.post(f"/pdm/shared/{share.pk}/upload/", {"file": upload("spec-v2.pdf", b"%PDF-1.4 v2 by B"),
                                                           "comment": ""}, **t.host(t.b))
    assert response.status_code == 400 and 'id="error-comment"' in response.content.decode()
    response = b.post(f"/pdm/shared/{share.pk}/upload/", {"file": upload("spec-v2.pdf", b"%PDF-1.4 v2 by B"),
                                                           "comment": "改了引脚"}, **t.host(t.b))
    assert response.status_code == 302
    with tenant_context(t.a):
        version = DocumentVersion.objects.get(document_id=t.ids["spec"], number=2)
        assert version.created_by_id == t.users["b_clerk"].pk and t.b.name in version.comment
        assert AuditEntry.objects.filter(object_type="pdm_vault.document", object_id=t.ids["spec"],
                                         message__contains="(design partner)").count() == 1
    connection.set_schema_to_public()
    # the owner's page shows the version, the partner's page too, with its download
    assert "改了引脚" in t.client("a_viewer").get(f"/pdm/documents/{t.ids['spec']}/", **t.host(t.a)).content.decode()
    page = b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).content.decode()
    assert f'data-version="{version.pk}"' in page
    response = b.get(f"/pdm/shared/{share.pk}/versions/{version.pk}/download/", **t.host(t.b))
    assert _body(response) == b"%PDF-1.4 v2 by B"
    # checked out by A's clerk: refused, naming the holder
    with tenant_context(t.a):
        vault.document_check_out(document=Document.objects.get(pk=t.ids["spec"]), user=t.users["a_clerk"])
    connection.set_schema_to_public()
    response = b.post(f"/pdm/shared/{share.pk}/upload/", {"file": upload("v3.pdf", b"%PDF-1.4 v3"),
                                                           "comment": "再改"}, **t.host(t.b))
    assert response.status_code == 400 and t.users["a_clerk"].full_name in response.content.decode()


def test_the_preview_of_a_shared_version_is_served_to_the_partner_only(trio):
    t = trio
    share = _share(t, name="linked")
    with tenant_context(t.a):
        blob = DocumentVersion.objects.get(pk=t.ids["linked_version"]).blob
        vault.blob_preview_make(blob=blob)
        assert Blob.objects.get(pk=blob.pk).preview_id is not None
    connection.set_schema_to_public()
    b = t.client("b_viewer")
    page = b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).content.decode()
    path = f"/pdm/shared/{share.pk}/versions/{t.ids['linked_version']}/preview/"
    assert f'src="{path}"' in page
    response = b.get(path, **t.host(t.b))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert t.client("c_owner").get(path, **t.host(t.c)).status_code == 404


def test_after_a_revoke_every_partner_url_is_a_404(trio):
    t = trio
    doc_share = _share(t, mode="upload")
    rev_share = _share(t, kind="revision", name="revision")
    b = t.client("b_clerk")
    paths = [f"/pdm/shared/{doc_share.pk}/", f"/pdm/shared/{doc_share.pk}/versions/{t.ids['spec_version']}/download/",
             f"/pdm/shared/{rev_share.pk}/", f"/pdm/shared/{rev_share.pk}/documents/{t.ids['linked']}/",
             f"/pdm/shared/{rev_share.pk}/versions/{t.ids['linked_version']}/download/"]
    assert [b.get(p, **t.host(t.b)).status_code for p in paths] == [200] * 5
    a_manager = t.client("a_manager")
    for share, back in ((doc_share, "list"), (rev_share, "")):
        response = a_manager.post(f"/pdm/shares/{share.pk}/revoke/", {"back": back}, **t.host(t.a))
        assert response.status_code == 302
    assert Share.objects.filter(revoked_at__isnull=True).count() == 0
    assert [b.get(p, **t.host(t.b)).status_code for p in paths] == [404] * 5
    response = b.post(f"/pdm/shared/{doc_share.pk}/upload/", {"file": upload("v.pdf", b"%PDF-1.4 v"),
                                                               "comment": "晚了"}, **t.host(t.b))
    assert response.status_code == 404
    assert _shared_rows(b.get("/pdm/shared/", **t.host(t.b)).content.decode()) == set()
    # the owner keeps the record: revoked, by whom
    page = t.client("a_viewer").get("/pdm/shares/", **t.host(t.a)).content.decode()
    assert _shared_rows(page) == {doc_share.pk, rev_share.pk} and "revoked" in page
    with tenant_context(t.a):
        assert DocumentVersion.objects.filter(document_id=t.ids["spec"]).count() == 1


def test_partner_members_cannot_share_or_revoke_the_owner_objects(trio):
    t = trio
    share = _share(t)
    b_owner = t.client("b_owner")
    # on A's host B's members are strangers
    assert b_owner.post("/pdm/shares/new/", {"kind": "document", "object_id": t.ids["spec"], "partner": t.c.uscc,
                                             "mode": "read"}, **t.host(t.a)).status_code == 404
    assert b_owner.post(f"/pdm/shares/{share.pk}/revoke/", **t.host(t.a)).status_code == 404
    # on B's own host, A's share is not B's to revoke, and A's object ids name nothing of B's
    assert b_owner.post(f"/pdm/shares/{share.pk}/revoke/", **t.host(t.b)).status_code == 404
    response = b_owner.post("/pdm/shares/new/", {"kind": "document", "object_id": t.ids["secret"],
                                                 "partner": t.c.uscc, "mode": "read"}, **t.host(t.b))
    assert response.status_code == 404
    # A's clerk is below the role
    assert t.client("a_clerk").post(f"/pdm/shares/{share.pk}/revoke/", **t.host(t.a)).status_code == 403
    assert Share.objects.get().revoked_at is None and Share.objects.count() == 1


def test_the_shares_of_a_suspended_owner_rest_until_it_is_active_again(trio):
    from tenants.models import Enterprise

    t = trio
    share = _share(t)
    b = t.client("b_viewer")
    Enterprise.objects.filter(pk=t.a.pk).update(status=Enterprise.Status.SUSPENDED)
    assert b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).status_code == 404
    assert _shared_rows(b.get("/pdm/shared/", **t.host(t.b)).content.decode()) == set()
    Enterprise.objects.filter(pk=t.a.pk).update(status=Enterprise.Status.ACTIVE)
    assert b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b)).status_code == 200


def test_a_shared_step_model_is_shown_to_the_partner_in_the_3d_viewer(trio):
    # given: A shares a 3D model whose STEP file the vault turned into a GLB
    from pdm.vault.tests.test_previews_step import step_box

    t = trio
    with tenant_context(t.a):
        model = vault.document_create(number="M3D-SHARED", title="外壳 3D", kind=Document.Kind.MODEL_3D,
                                      file=upload("shell.step", step_box()), user=t.users["a_owner"])
        version = model.versions.get()
        vault.blob_preview_make(blob=version.blob)
        assert Blob.objects.get(pk=version.blob_id).preview.content_type == "model/gltf-binary"
    connection.set_schema_to_public()
    share = services.share_create(owner=t.a, kind="document", object_id=model.pk, partner_text=t.b.uscc,
                                  mode="read", user=t.users["a_owner"])
    # when: the partner opens it on its own host
    b = t.client("b_viewer")
    response = b.get(f"/pdm/shared/{share.pk}/", **t.host(t.b))
    page = response.content.decode()
    # then: the model viewer loads the shared GLB, with the viewer's CSP exceptions on this page only
    path = f"/pdm/shared/{share.pk}/versions/{version.pk}/preview/"
    assert '<model-viewer id="preview-model"' in page and f'src="{path}"' in page
    assert "'wasm-unsafe-eval'" in response["Content-Security-Policy"]
    glb = b.get(path, **t.host(t.b))
    assert glb.status_code == 200 and glb["Content-Type"] == "model/gltf-binary" and _body(glb)[:4] == b"glTF"
    assert t.client("c_owner").get(path, **t.host(t.c)).status_code == 404
