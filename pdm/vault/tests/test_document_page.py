"""The document page as the PDM walk in zh-Hans found it: names not emails, the link form, the versions table."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from pdm.parts.models import PartRevision
from pdm.vault import services
from pdm.vault.forms import LinkForm
from pdm.vault.tests.factories import member, png_bytes, revision, upload

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "vaultpage.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
State = PartRevision.State


@pytest.fixture
def shop(make_enterprise, make_user):
    """An enterprise with a clerk (named 王工) and one of his documents, checked out by him."""
    enterprise = make_enterprise(slug="vaultpage")
    clerk = member(enterprise, "clerk", make_user)
    clerk.full_name = "王工"
    clerk.save(update_fields=["full_name"])
    with tenant_context(enterprise):
        document = services.document_create(number="DWG-001", title="外壳", kind="drawing", user=clerk,
                                            file=upload("shell.png", png_bytes()))
        services.document_check_out(document=document, user=clerk)
    connection.set_schema_to_public()
    return enterprise, clerk, document


def test_the_holder_versions_and_history_name_the_user_not_the_email(client, shop):
    enterprise, clerk, document = shop
    client.force_login(clerk)
    page = client.get(f"/pdm/documents/{document.pk}/", **HOST).content.decode()
    assert re.search(r'id="holder">Checked out by 王工 since \d{4}-\d\d-\d\d \d\d:\d\d\.<', page)
    assert clerk.email not in page[page.index("<h1"):]  # (the user menu shows the reader's own email)
    # the versions table does not wrap, its SHA-256 shortened to 12 characters with the whole in the title
    with tenant_context(enterprise):
        sha = document.versions.get().blob.sha256
    assert '<thead class="text-nowrap">' in page
    assert f'title="{sha}">{sha[:12]}…</td>' in page
    assert re.search(r'<td class="text-nowrap"><a class="btn btn-sm btn-outline-primary text-nowrap" href="[^"]+/download/">'
                     r'Download</a>', page)


def test_the_link_form_offers_only_revisions_in_work_and_their_bom_lines_by_part_and_revision(erp):
    # given a revision in work, one in review and one released
    in_work, in_review, released = revision(), revision(State.IN_REVIEW), revision(State.RELEASED)
    form = LinkForm()
    # then the released one is not offered, nor its BOM line; lines are named by part and revision
    assert [revision for value, revision in form.fields["revision"].choices if value] == [
        str(in_work), str(in_review)]
    line = in_work.bom.lines.get()
    labels = [label for value, label in form.fields["bom_line"].choices if value]
    assert labels == [f"{in_work.part.number} A · {line.component.code} × 2",
                      f"{in_review.part.number} A · {in_review.bom.lines.get().component.code} × 2"]


def test_a_frozen_document_has_no_link_form(client, shop):
    enterprise, clerk, document = shop
    with tenant_context(enterprise):
        in_work = revision()
        services.document_link(document=document, revision=in_work, user=clerk)
    connection.set_schema_to_public()
    client.force_login(clerk)
    assert 'id="link-form"' in client.get(f"/pdm/documents/{document.pk}/", **HOST).content.decode()
    # when its revision is released, the document is frozen: no link form
    with tenant_context(enterprise):
        PartRevision.objects.filter(pk=in_work.pk).update(state=State.RELEASED, released_at=in_work.created_at)
    connection.set_schema_to_public()
    page = client.get(f"/pdm/documents/{document.pk}/", **HOST).content.decode()
    assert 'id="link-form"' not in page and 'id="document-state"' in page



def test_the_vaults_history_reads_in_the_readers_language_whoever_acted(erp, owner):
    # given: a document checked out and checked in by a member working in English
    from django.utils import translation

    from erp_modules.common.history import object_history
    from erp_modules.common.models import AuditEntry

    with translation.override("en"):
        document = services.document_create(number="HIST-1", title="外壳图", kind="drawing",
                                            file=upload("a.png", png_bytes()), user=owner)
        services.document_check_out(document=document, user=owner)
        services.document_check_in(document=document, file=upload("b.png", png_bytes()), comment="改孔距",
                                   user=owner)
    # then: the stored entry holds the source text and its parameters, not an English sentence ...
    stored = AuditEntry.objects.get(object_id=document.pk, message__startswith="Checked in")
    assert stored.message == "Checked in version %(n)d: %(comment)s"
    assert stored.changes["_message_params"] == {"n": 2, "comment": "改孔距"}
    # ... which a reader in zh-Hans reads in Chinese, and one in English in English
    with translation.override("zh-hans"):
        messages = [entry.message for entry in object_history(document)]
    assert "已检入版本 2：改孔距" in messages and not any(m.startswith("Checked") for m in messages)
    with translation.override("en"):
        assert "Checked in version 2: 改孔距" in [entry.message for entry in object_history(document)]
