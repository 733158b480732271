"""Three enterprises for the sharing tests: A (the owner: a design centre's customer with part revisions and
documents), B (the design partner) and C (on the platform, nobody's partner)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from pdm.vault import services as vault
from pdm.vault.tests.factories import member, png_bytes, revision, upload
from tenants.models import Role


@dataclass
class Trio:
    a: object
    b: object
    c: object
    users: dict  # "a_owner", "a_manager", "a_clerk", "a_viewer", "b_owner", "b_clerk", "b_viewer", "c_owner"
    ids: dict = field(default_factory=dict)  # objects of A's schema (and a few of B's) by name

    def client(self, who: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(self.users[who])
        return client

    @staticmethod
    def host(enterprise) -> dict:
        return {"HTTP_HOST": f"{enterprise.slug}.localhost"}


@pytest.fixture
def trio(make_enterprise, make_user):
    users = {}
    for side in ("a", "b", "c"):
        users[f"{side}_owner"] = make_user(email=f"owner@share{side}.test", full_name=f"{side.upper()} 负责人")
    a = make_enterprise(slug="sharea", owner=users["a_owner"], name="慈溪市共享测试甲电器有限公司")
    b = make_enterprise(slug="shareb", owner=users["b_owner"], name="宁波共享测试乙设计中心有限公司")
    c = make_enterprise(slug="sharec", owner=users["c_owner"], name="慈溪市共享测试丙电器有限公司")
    for role in (Role.MANAGER, Role.CLERK, Role.VIEWER):
        users[f"a_{role.value}"] = member(a, role, make_user)
    for role in (Role.CLERK, Role.VIEWER):
        users[f"b_{role.value}"] = member(b, role, make_user)
    t = Trio(a=a, b=b, c=c, users=users)
    with tenant_context(a):
        rev = revision()
        other_rev = revision()
        linked = vault.document_create(number="DWG-LINKED", title="外壳图", kind="drawing",
                                       file=upload("shell.png", png_bytes()), user=users["a_owner"])
        vault.document_link(document=linked, revision=rev, user=users["a_owner"])
        spec = vault.document_create(number="SPEC-SHARED", title="控制板规格", kind="specification",
                                     file=upload("spec.pdf", b"%PDF-1.4 spec of A"), user=users["a_owner"])
        secret = vault.document_create(number="SECRET-DOC", title="ASECRET 成本", kind="other",
                                       file=upload("secret.pdf", b"%PDF-1.4 ASECRET"), user=users["a_owner"])
        vault.document_link(document=secret, revision=other_rev, user=users["a_owner"])
        t.ids.update(revision=rev.pk, other_revision=other_rev.pk, linked=linked.pk,
                     linked_version=linked.versions.get().pk, spec=spec.pk, spec_version=spec.versions.get().pk,
                     secret=secret.pk, secret_version=secret.versions.get().pk,
                     component=rev.bom.lines.get().component.code)
    connection.set_schema_to_public()
    return t
