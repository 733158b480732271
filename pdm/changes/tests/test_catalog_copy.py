"""Issue 13, part 3: the catalogue's "Copy to a new version" of a BOM that belongs to a part revision makes a
free catalogue draft (a version of no revision); the revision's own BOM does not change."""

from erp_modules.catalog.bom_guard import bom_owner
from erp_modules.catalog.models import Bom
from erp_modules.workspace.testing import make_item
from pdm.changes.tests.factories import released_part
from pdm.parts.models import PartRevision
from tenants.models import Role


def test_a_manager_copies_a_released_pdm_bom_into_a_free_catalogue_draft(erp, client, member):
    # given revision A of a hood, released, its BOM owned by the revision
    rev = released_part("HOOD900")
    assert bom_owner(rev.bom) is not None
    client.force_login(member(Role.MANAGER))
    host = {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    # when a manager copies it on the catalogue's BOM page
    assert "Copy to a new version" in client.get(f"/catalog/boms/{rev.bom_id}/", **host).content.decode()
    response = client.post(f"/catalog/boms/{rev.bom_id}/new-version/", **host)
    # then a draft with the same lines, owned by no revision, that the catalogue page lets them change
    copy = Bom.objects.exclude(pk=rev.bom_id).get(item=rev.part.item)
    assert response.status_code == 302 and response["Location"] == f"/catalog/boms/{copy.pk}/"
    assert copy.status == Bom.Status.DRAFT and bom_owner(copy) is None
    assert not PartRevision.objects.filter(bom=copy).exists()
    assert sorted(copy.lines.values_list("component__code", "quantity")) == sorted(
        rev.bom.lines.values_list("component__code", "quantity"))
    cable = make_item("HOOD900-CABLE")
    response = client.post(f"/catalog/boms/{copy.pk}/", {"component": cable.pk, "quantity": "2", "scrap_pct": "0",
                                                         "line_type": "component", "sequence": "90"},
                           **host)
    assert response.status_code == 302 and copy.lines.filter(component=cable).exists()
    # and the revision's BOM is as it was
    assert rev.bom.lines.count() == 2 and Bom.objects.get(pk=rev.bom_id).status == Bom.Status.RELEASED
