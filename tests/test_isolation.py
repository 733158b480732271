"""Tenant isolation: enterprise A's people cannot read or change enterprise B's data through pages,
files, cache or tasks, and a non-member sees exactly what a missing enterprise shows."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from erp_modules.files.models import Attachment
from erp_modules.files.services import attachment_upload
from tenants.models import Membership, Role

TENANT_URLS = ["/", "/members/", "/settings/", "/files/", "/files/1/download/"]
TENANT_POST_URLS = ["/members/", "/settings/", "/files/", "/files/1/delete/", "/members/1/role/",
                    "/members/1/remove/", "/invitations/1/revoke/"]


@pytest.fixture
def two_enterprises(make_enterprise, make_user):
    alice = make_user(email="alice@a.test")
    bob = make_user(email="bob@b.test")
    a = make_enterprise(slug="alpha", owner=alice)
    b = make_enterprise(slug="bravo", owner=bob)
    for enterprise, text in ((a, b"drawing of A"), (b, b"secret drawing of B")):
        with tenant_context(enterprise):
            attachment_upload(file=SimpleUploadedFile("part.pdf", text), title=f"图纸 {enterprise.slug}")
    connection.set_schema_to_public()
    return a, b, alice, bob


def _host(enterprise):
    return f"{enterprise.slug}.localhost"


def test_member_reaches_own_pages(client, two_enterprises):
    a, _b, alice, _bob = two_enterprises
    client.force_login(alice)
    for url in TENANT_URLS:
        response = client.get(url, HTTP_HOST=_host(a))
        assert response.status_code == 200, url
    assert b"drawing of A" == b"".join(client.get("/files/1/download/", HTTP_HOST=_host(a)).streaming_content)


@pytest.mark.parametrize("url", TENANT_URLS)
def test_non_member_gets_404_on_every_page_of_another_enterprise(client, two_enterprises, url):
    _a, b, alice, _bob = two_enterprises
    client.force_login(alice)
    assert client.get(url, HTTP_HOST=_host(b)).status_code == 404


@pytest.mark.parametrize("url", TENANT_POST_URLS)
def test_non_member_cannot_post_to_another_enterprise(client, two_enterprises, url):
    _a, b, alice, _bob = two_enterprises
    client.force_login(alice)
    assert client.post(url, {"name": "hijacked", "email": "x@x.test", "role": "owner"},
                       HTTP_HOST=_host(b)).status_code == 404
    with tenant_context(b):
        assert Attachment.objects.count() == 1
    assert not Membership.objects.filter(enterprise=b, user=alice).exists()
    b.refresh_from_db()
    assert b.name != "hijacked"


def test_non_member_404_is_the_same_as_a_missing_enterprise(client, two_enterprises):
    _a, b, alice, _bob = two_enterprises
    client.force_login(alice)
    existing = client.get("/", HTTP_HOST=_host(b))
    missing = client.get("/", HTTP_HOST="no-such-enterprise.localhost")
    assert existing.status_code == missing.status_code == 404
    assert _without_csrf(existing.content) == _without_csrf(missing.content)
    assert b"bravo" not in existing.content and b"bravo" not in missing.content


def _without_csrf(html: bytes) -> bytes:
    import re

    return re.sub(rb'(csrf-token" content="|X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', rb"\1", html)


def test_anonymous_visitor_is_sent_to_log_in_whether_or_not_the_enterprise_exists(client, two_enterprises):
    _a, b, _alice, _bob = two_enterprises
    existing = client.get("/files/", HTTP_HOST=_host(b))
    missing = client.get("/files/", HTTP_HOST="no-such-enterprise.localhost")
    assert existing.status_code == missing.status_code == 302
    assert existing["Location"].startswith("http://localhost/login/?next=")
    assert missing["Location"].startswith("http://localhost/login/?next=")


def test_file_ids_do_not_cross_schemas(two_enterprises):
    a, b, _alice, _bob = two_enterprises
    with tenant_context(a):
        a_file = Attachment.objects.get()
        a_path = a_file.file.path
    with tenant_context(b):
        b_file = Attachment.objects.get()
        b_path = b_file.file.path
    assert a_file.pk == b_file.pk  # same id in two schemas ...
    assert a.schema_name in a_path and b.schema_name in b_path  # ... stored in separate folders
    assert open(a_path, "rb").read() == b"drawing of A"


def test_cache_entries_are_per_enterprise(two_enterprises):
    a, b, _alice, _bob = two_enterprises
    with tenant_context(a):
        cache.set("dashboard:stats", "A's figures", 30)
    with tenant_context(b):
        assert cache.get("dashboard:stats") is None
        cache.set("dashboard:stats", "B's figures", 30)
    with tenant_context(a):
        assert cache.get("dashboard:stats") == "A's figures"
    with schema_context("public"):
        assert cache.get("dashboard:stats") is None


def test_viewer_cannot_upload_or_manage(client, two_enterprises, make_user):
    a, _b, _alice, _bob = two_enterprises
    viewer = make_user(email="viewer@a.test")
    Membership.objects.create(user=viewer, enterprise=a, role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/files/", HTTP_HOST=_host(a)).status_code == 200
    upload = SimpleUploadedFile("x.pdf", b"x")
    assert client.post("/files/", {"file": upload}, HTTP_HOST=_host(a)).status_code == 403
    assert client.post("/members/", {"email": "y@y.test", "role": "clerk"}, HTTP_HOST=_host(a)).status_code == 403
    assert client.post("/settings/", {"name": "changed"}, HTTP_HOST=_host(a)).status_code == 403
    with tenant_context(a):
        assert Attachment.objects.count() == 1
