"""The catalog's BOM page of a part revision's BOM: no forms the BOM guard would refuse, a link to the revision."""

import pytest

from erp_modules.catalog.bom_guard import BomOwner, bom_owner
from pdm.parts.tests.factories import hood_family, part_with_revision
from tenants.models import Role

pytestmark = pytest.mark.django_db


def test_the_catalog_knows_which_revision_owns_a_bom_in_the_readers_language(erp):
    # given revision A of the hood (its own draft BOM) and the screw's plain catalog BOM
    family = hood_family()
    part, rev = part_with_revision(family["hood"], "RH-HOOD-200")
    # then the catalog learns the revision and its page; a BOM of no revision has no owner
    assert bom_owner(rev.bom) == BomOwner(label="part RH-HOOD-200 revision A", url=f"/pdm/revisions/{rev.pk}/",
                                          page="the revision's page")
    assert bom_owner(family["assembly_bom"]) is None


def test_the_bom_page_of_a_revision_hides_edit_release_and_archive_and_links_to_the_revision(erp, web):
    # given revision A of the hood, its BOM a draft, and a manager
    family = hood_family()
    part, rev = part_with_revision(family["hood"], "RH-HOOD-200")
    client = web(Role.MANAGER)
    # when the manager opens the catalogue's page of that BOM
    page = client.get(f"/catalog/boms/{rev.bom.pk}/").content.decode()
    # then no form to add or remove a line, release or archive; a note links to the revision
    for form in ('id="bom-line-form"', 'id="release-form"', '/archive/"', '/remove/"'):
        assert form not in page, form
    assert (f'This BOM belongs to part RH-HOOD-200 revision A: change it on '
            f'<a href="/pdm/revisions/{rev.pk}/" id="bom-owner-link">the revision&#x27;s page</a>.') in page
    # while a draft BOM of no revision keeps its forms and has no note
    draft = client.post(f"/catalog/boms/{family['assembly_bom'].pk}/new-version/")
    page = client.get(draft["Location"]).content.decode()
    assert 'id="bom-line-form"' in page and 'id="release-form"' in page and 'id="bom-owner"' not in page

