"""Tenant isolation of ECOs: enterprise A's people never see or change enterprise B's ECOs."""

from django.db import connection
from django_tenants.utils import tenant_context

from pdm.changes.models import Eco, EcoApproval
from pdm.changes.services import eco_start
from pdm.changes.tests.factories import new_eco, released_part


def test_a_member_of_a_gets_404_for_bs_ecos_and_changes_nothing(client, enterprise_pair):
    # given B has three ECOs (the third's id does not exist in A) and A one of its own
    a, b, alice, _bob = enterprise_pair("eco-a", "eco-b")
    with tenant_context(a):
        mine = new_eco([released_part("A-HOOD")], title="甲方的变更")
    with tenant_context(b):
        new_eco([released_part("B-HOOD1")])
        new_eco([released_part("B-HOOD2")])
        secret = eco_start(eco=new_eco([released_part("B-HOOD3")], title="乙方的秘密变更"))
    connection.set_schema_to_public()
    client.force_login(alice)
    # when alice asks for B's ECO on her host and on B's
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        assert client.get(f"/pdm/ecos/{secret.pk}/", HTTP_HOST=host).status_code == 404
        for action in ("start", "advance", "apply", "cancel", "rebase"):
            assert client.post(f"/pdm/ecos/{secret.pk}/{action}/", HTTP_HOST=host).status_code == 404
        assert client.post(f"/pdm/ecos/{secret.pk}/decide/", {"decision": "approved"},
                           HTTP_HOST=host).status_code == 404
    # then her list shows only hers, and B's ECO is untouched
    page = client.get("/pdm/ecos/", HTTP_HOST=f"{a.slug}.localhost").content.decode()
    assert mine.number in page and "乙方的秘密变更" not in page
    assert client.get("/pdm/ecos/", HTTP_HOST=f"{b.slug}.localhost").status_code == 404
    with tenant_context(b):
        eco = Eco.objects.get(pk=secret.pk)
        assert (eco.state, eco.stage.name) == (Eco.State.IN_PROGRESS, "审核")
        assert EcoApproval.objects.count() == 0
