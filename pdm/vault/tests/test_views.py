import io
import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from erp_modules.common.models import AuditEntry
from pdm.vault import services
from pdm.vault.models import Blob, Document
from pdm.vault.tests.factories import member, png_bytes, revision, upload

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def shop(make_enterprise, make_user):
    """An enterprise with a viewer, two clerks and an admin, and one document of the first clerk."""
    enterprise = make_enterprise(slug="vaultshop")
    users = {role: member(enterprise, role, make_user) for role in ("viewer", "clerk", "admin")}
    users["clerk2"] = member(enterprise, "clerk", make_user)
    with tenant_context(enterprise):
        document = services.document_create(number="DWG-001", title="外壳", kind="drawing", user=users["clerk"],
                                            file=upload("shell.png", png_bytes()))
    connection.set_schema_to_public()
    return enterprise, users, document


HOST = {"HTTP_HOST": "vaultshop.localhost"}


def test_the_list_filters_by_kind_and_exports_to_excel(client, shop):
    enterprise, users, document = shop
    with tenant_context(enterprise):
        services.document_create(number="SPEC-9", title="规格书", kind="specification", file=upload("s.pdf", b"%PDF-1"))
    connection.set_schema_to_public()
    client.force_login(users["viewer"])
    page = client.get("/pdm/documents/?kind=specification", **HOST).content.decode()
    assert "SPEC-9" in page and "DWG-001" not in page
    response = client.get("/pdm/documents/?export=xlsx", **HOST)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["DWG-001", "SPEC-9"]
    assert rows[1][3] == 1


def test_upload_form_bad_input_gives_field_errors_and_writes_nothing(client, shop):
    enterprise, users, _document = shop
    client.force_login(users["clerk"])
    response = client.post("/pdm/documents/new/", {"number": "DWG-001", "title": "x", "kind": "drawing",
                                                   "file": upload("x.exe", b"MZ")}, **HOST)
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert {k: [e.code for e in v] for k, v in errors.items()} == {"number": ["number_taken"],
                                                                    "file": ["type_not_allowed"]}
    with tenant_context(enterprise):
        assert Document.objects.count() == 1 and Blob.objects.count() == 1
    connection.set_schema_to_public()
    response = client.post("/pdm/documents/new/", {"number": "DWG-002", "title": "底座", "kind": "drawing",
                                                   "file": upload("base.png", png_bytes((9, 9, 9)))}, **HOST)
    assert response.status_code == 302


def test_roles_viewer_reads_clerk_checks_out_and_in_admin_breaks_the_lock(client, shop):
    enterprise, users, document = shop
    url = f"/pdm/documents/{document.pk}/"
    client.force_login(users["viewer"])
    assert client.get(url, **HOST).status_code == 200
    assert client.post(url + "check-out/", **HOST).status_code == 403
    client.force_login(users["clerk"])
    assert client.post(url + "check-out/", **HOST).status_code == 302
    assert client.post(url + "break-lock/", **HOST).status_code == 403
    client.force_login(users["clerk2"])  # a second clerk is refused, naming the holder
    client.post(url + "check-out/", **HOST)
    page = client.get(url, **HOST).content.decode()
    assert f"{users['clerk'].full_name}" in page and "Check in" not in page
    response = client.post(url + "check-in/", {"comment": "mine", "file": upload("n.png", png_bytes((5, 5, 5)))},
                           **HOST)
    assert response.status_code == 400
    client.force_login(users["clerk"])
    response = client.post(url + "check-in/", {"comment": "", "file": upload("n.png", png_bytes((5, 5, 5)))}, **HOST)
    assert response.status_code == 400 and "comment" in response.context["checkin_form"].errors
    response = client.post(url + "check-in/", {"comment": "改孔位", "file": upload("n.png", png_bytes((5, 5, 5)))},
                           **HOST)
    assert response.status_code == 302
    client.post(url + "check-out/", **HOST)
    assert client.post(url + "undo-check-out/", **HOST).status_code == 302
    client.post(url + "check-out/", **HOST)
    client.force_login(users["admin"])
    assert client.post(url + "break-lock/", **HOST).status_code == 302
    with tenant_context(enterprise):
        document.refresh_from_db()
        assert document.checked_out_by is None and document.versions.count() == 2
        assert AuditEntry.objects.filter(object_id=document.pk, action="status").first().user == users["admin"]
    connection.set_schema_to_public()


def test_download_any_version_as_an_attachment_with_nosniff(client, shop):
    enterprise, users, document = shop
    with tenant_context(enterprise):
        version = document.versions.get()
    connection.set_schema_to_public()
    client.force_login(users["viewer"])
    response = client.get(f"/pdm/documents/versions/{version.pk}/download/", **HOST)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shell.png"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == png_bytes()
    assert client.get(f"/pdm/documents/versions/{version.pk}/preview/", **HOST).status_code == 404  # none yet


def test_links_page_refuses_a_frozen_revision_on_the_field(client, shop):
    enterprise, users, document = shop
    with tenant_context(enterprise):
        working, released = revision(), revision("released")
    connection.set_schema_to_public()
    client.force_login(users["clerk"])
    url = f"/pdm/documents/{document.pk}/links/"
    response = client.post(url, {"revision": released.pk}, **HOST)
    assert response.status_code == 400
    assert [e.code for e in response.context["link_form"].errors.as_data()["revision"]] == ["revision_frozen"]
    line = working.bom.lines.select_related("component").get()
    # the form offers the revision in work and its BOM line by part and revision, not the released one
    page = response.content.decode()
    assert f"{working.part.number} A · {line.component.code} × 2" in page
    assert not re.search(rf"<option[^>]*>[^<]*{released.part.number}", page)
    assert client.post(url, {"revision": working.pk}, **HOST).status_code == 302
    assert "ENG-" in client.get("/pdm/documents/", **HOST).content.decode()
    assert client.post(url, {"unlink": "999999"}, **HOST).status_code == 404


def test_another_enterprises_documents_versions_and_downloads_are_404(client, enterprise_pair):
    a, b, alice, bob = enterprise_pair("vaulta", "vaultb")
    with tenant_context(a):
        services.document_create(number="A-1", title="A 图", kind="drawing", file=upload("a.png", png_bytes()))
    with tenant_context(b):
        services.document_create(number="B-0", title="B 图 0", kind="other", file=upload("b0.txt", b"b zero"))
        secret = b"BSECRET vault bytes"
        b_doc = services.document_create(number="B-SECRET", title="B 图", kind="drawing", user=bob,
                                         file=upload("b.dxf", secret))
        b_version = b_doc.versions.get()
    connection.set_schema_to_public()
    # B's ids (document 2, version 2) exist in B's schema only: A holds document 1 and version 1
    client.force_login(alice)
    urls = [f"/pdm/documents/{b_doc.pk}/", f"/pdm/documents/versions/{b_version.pk}/download/",
            f"/pdm/documents/versions/{b_version.pk}/preview/"]
    posts = [f"/pdm/documents/{b_doc.pk}/check-out/", f"/pdm/documents/{b_doc.pk}/undo-check-out/", f"/pdm/documents/{b_doc.pk}/break-lock/",
             f"/pdm/documents/{b_doc.pk}/links/", f"/pdm/documents/{b_doc.pk}/previews/",
             f"/pdm/documents/{b_doc.pk}/check-in/"]
    for host in ("vaulta.localhost", "vaultb.localhost"):
        for url in urls:
            response = client.get(url, HTTP_HOST=host)
            assert response.status_code == 404, (host, url)
            assert secret not in _body(response)
        for url in posts:
            assert client.post(url, HTTP_HOST=host).status_code == 404, (host, url)
    page = client.get("/pdm/documents/", HTTP_HOST="vaulta.localhost").content.decode()
    assert "A-1" in page and "B-SECRET" not in page
    with tenant_context(b):
        b_doc.refresh_from_db()
        assert b_doc.checked_out_by is None
    connection.set_schema_to_public()


def test_the_preview_is_an_image_of_the_page_served_inline_and_sandboxed(client, shop):
    enterprise, users, document = shop
    with tenant_context(enterprise):
        from pdm.vault.models import PreviewJob

        services.preview_execute(job_id=PreviewJob.objects.get().pk)
        version = document.versions.get()
    connection.set_schema_to_public()
    client.force_login(users["viewer"])
    page = client.get(f"/pdm/documents/{document.pk}/", **HOST).content.decode()
    assert f'src="/pdm/documents/versions/{version.pk}/preview/"' in page
    response = client.get(f"/pdm/documents/versions/{version.pk}/preview/", **HOST)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert _body(response)[:4] == b"\x89PNG"
