"""The PDM programme's measures: parts under revision control, documents in the vault and ECOs completed
in 90 days, counted in each enterprise's own schema from real PDM rows, kept in the snapshot, judged by the
PDM demonstration rule and shown on the office's programme page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone
from django_tenants.utils import tenant_context

from office import metrics, services
from office.adoption import (ADOPTED, AT_RISK, PDM_DEMONSTRATION, adoption_evaluate, criteria_text,
                             pdm_demonstration_evaluate, programme_criteria, reasons_text)
from office.models import AdoptionSnapshot, Enrolment, Programme
from office.tasks import adoption_snapshot_enterprise
from office.tests.builders import client_for, make_programme, xlsx_rows
from tenants.models import Membership, Role


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _applied_eco(revision, user):
    """An ECO on `revision` taken through review and approval to applied, as the pages do."""
    from pdm.changes.services import eco_advance, eco_apply, eco_decide, eco_start
    from pdm.changes.tests.factories import new_eco

    eco = eco_start(eco=new_eco([revision], user=user), user=user)
    eco_decide(eco=eco, user=user, decision="approved")
    eco = eco_advance(eco=eco, user=user)
    return eco_apply(eco=eco, user=user)


def _pdm_use(enterprise, *, revised: int, unrevised: int = 0, documents: int = 0, applied_ecos: int = 0,
             open_ecos: int = 0) -> list:
    """Real PDM rows in the enterprise's schema through the PDM services; returns the applied ECOs."""
    from pdm.changes.services import eco_start
    from pdm.changes.tests.factories import new_eco, released_part
    from pdm.parts.services import part_create
    from pdm.vault.services import document_create
    from pdm.vault.tests.factories import dxf_bytes, upload
    from erp_modules.workspace.testing import make_item

    owner = _owner(enterprise)
    with tenant_context(enterprise):
        revisions = [released_part() for _ in range(revised)]
        for n in range(unrevised):
            part_create(item=make_item(f"BARE{n}"), number=f"BARE-{n}", user=owner)
        for n in range(documents):
            document_create(number=f"DOC-{n:05d}", title=f"图纸 {n}", kind="drawing",
                            file=upload(f"d{n}.dxf", dxf_bytes(f"图纸 {n} {enterprise.slug}")), user=owner)
        ecos = [_applied_eco(revisions[n], owner) for n in range(applied_ecos)]
        for n in range(open_ecos):
            eco_start(eco=new_eco([revisions[applied_ecos + n]], user=owner), user=owner)
        return ecos


def test_each_enterprise_counts_only_its_own_pdm_rows(make_enterprise):
    # given two enterprises with different PDM use
    a, b = make_enterprise(), make_enterprise()
    _pdm_use(a, revised=3, unrevised=1, documents=2, applied_ecos=1, open_ecos=1)
    _pdm_use(b, revised=1)
    # when the nightly task counts each in its own schema
    for enterprise in (a, b):
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
    # then each snapshot holds that enterprise's rows only; a part without a revision and an open ECO don't count
    snap_a, snap_b = (AdoptionSnapshot.objects.get(enterprise=e, day=timezone.localdate()) for e in (a, b))
    assert (snap_a.pdm_parts_under_revision, snap_a.pdm_vault_documents, snap_a.pdm_ecos_completed_90d) == (3, 2, 1)
    assert (snap_b.pdm_parts_under_revision, snap_b.pdm_vault_documents, snap_b.pdm_ecos_completed_90d) == (1, 0, 0)


def test_ecos_count_when_applied_in_the_90_days_up_to_the_day(make_enterprise):
    from pdm.changes.models import Eco

    enterprise = make_enterprise()
    inside, edge, outside = _pdm_use(enterprise, revised=3, applied_ecos=3)
    today = timezone.localdate()
    end = metrics.Windows.ending(today).end
    with tenant_context(enterprise):
        Eco.objects.filter(pk=inside.pk).update(applied_at=end - timedelta(days=89))
        Eco.objects.filter(pk=edge.pk).update(applied_at=end - timedelta(days=90))
        Eco.objects.filter(pk=outside.pk).update(applied_at=end - timedelta(days=90, seconds=1))
        assert metrics.tenant_activity_count(day=today).pdm_ecos_completed_90d == 2
        # ten days earlier the window reaches back further: all three, none applied after that day's end
        assert metrics.tenant_activity_count(day=today - timedelta(days=10)).pdm_ecos_completed_90d == 3
        # and before any was applied: none
        assert metrics.tenant_activity_count(day=today - timedelta(days=91)).pdm_ecos_completed_90d == 0


def test_parts_and_documents_count_as_they_stood_at_the_end_of_the_day(make_enterprise):
    enterprise = make_enterprise()
    _pdm_use(enterprise, revised=2, documents=1)
    with tenant_context(enterprise):
        yesterday = metrics.tenant_activity_count(day=timezone.localdate() - timedelta(days=1))
        today = metrics.tenant_activity_count(day=timezone.localdate())
    assert (yesterday.pdm_parts_under_revision, yesterday.pdm_vault_documents) == (0, 0)
    assert (today.pdm_parts_under_revision, today.pdm_vault_documents) == (2, 1)


def _snap(parts: int, documents: int, ecos: int, users: int = 2):
    return SimpleNamespace(active_users_30d=users, documents_30d={"items": 1}, documents_prev_30d={},
                           modules_in_use=[], completeness_pct=None, pdm_parts_under_revision=parts,
                           pdm_vault_documents=documents, pdm_ecos_completed_90d=ecos, day=timezone.localdate())


def test_the_pdm_demonstration_rule():
    assert PDM_DEMONSTRATION == {"min_parts_under_revision": 10, "min_vault_documents": 5,
                                 "min_ecos_completed_90d": 1}
    assert pdm_demonstration_evaluate(snapshot=_snap(10, 5, 1)).status == ADOPTED
    for parts, documents, ecos, why in [
            (9, 5, 1, "9 parts under revision control (needs 10)"),
            (10, 4, 1, "4 documents in the vault (needs 5)"),
            (10, 5, 0, "0 ECOs completed in 90 days (needs 1)")]:
        evaluation = pdm_demonstration_evaluate(snapshot=_snap(parts, documents, ecos))
        assert evaluation.status == AT_RISK
        assert reasons_text(evaluation.status, evaluation.reasons) == why
    assert pdm_demonstration_evaluate(snapshot=None).status == "not_started"


def test_a_pdm_programme_is_evaluated_with_the_rule_under_its_own_criteria():
    pdm = SimpleNamespace(module="pdm", criteria={"min_active_users_30d": 2, "min_vault_documents": 3})
    erp = SimpleNamespace(module="erp", criteria={"min_active_users_30d": 2})
    assert programme_criteria(pdm) == {"min_parts_under_revision": 10, "min_vault_documents": 3,
                                       "min_ecos_completed_90d": 1, "min_active_users_30d": 2}
    assert programme_criteria(erp) == {"min_active_users_30d": 2}
    assert adoption_evaluate(criteria=programme_criteria(pdm), snapshot=_snap(10, 3, 1)).status == ADOPTED
    one_user = adoption_evaluate(criteria=programme_criteria(pdm), snapshot=_snap(12, 3, 1, users=1))
    assert reasons_text(one_user.status, one_user.reasons) == "1 active user in 30 days (needs 2)"
    assert criteria_text(programme_criteria(pdm))[1:] == [
        "at least 10 parts under revision control (with a revision)", "at least 3 documents in the vault",
        "at least 1 ECOs completed (applied) in the last 90 days"]


def test_the_pdm_programme_page_shows_each_enterprise_the_totals_and_the_rule(make_enterprise, make_user):
    # given a PDM programme with two enrolled enterprises: one demonstrating PDM, one not yet
    office = make_user(email="office-pdm@office.test", platform_role="office")
    programme = make_programme(module=Programme.Module.PDM, target_count=5, criteria={"min_active_users_30d": 0})
    leader, starter = make_enterprise(name="慈溪市示范厨电有限公司"), make_enterprise(name="慈溪市起步五金有限公司")
    _pdm_use(leader, revised=10, documents=5, applied_ecos=1)
    _pdm_use(starter, revised=2, documents=1)
    for enterprise in (leader, starter):
        services.enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
    # then the enrolments are evaluated with the rule: the leader adopted, the starter at risk
    status = dict(Enrolment.objects.filter(programme=programme).values_list("enterprise_id", "adoption_status"))
    assert status == {leader.pk: "adopted", starter.pk: "at_risk"}
    # and the programme page shows the measures, their totals and the rule
    client = client_for(office)
    page = client.get(f"/office/programmes/{programme.code}/").content.decode()
    assert 'id="pdm-demonstrating">1 / 5<' in page
    assert 'id="pdm-parts-total">12<' in page and 'id="pdm-documents-total">6<' in page
    assert 'id="pdm-ecos-total">1<' in page
    assert "at least 10 parts under revision control (parts with a revision), 5 documents in the vault" in page
    assert "2 parts under revision control (needs 10)" in page
    rows = xlsx_rows(client.get(f"/office/programmes/{programme.code}/?export=xlsx&table={programme.code}-pdm"))
    assert [row[:5] for row in rows[1:]] == [
        ("慈溪市示范厨电有限公司", 10, 5, 1, True), ("慈溪市起步五金有限公司", 2, 1, 0, False)]
    # an ERP programme's page has no PDM section
    erp = make_programme()
    assert 'id="pdm-measures"' not in client.get(f"/office/programmes/{erp.code}/").content.decode()


def test_the_demo_enrols_the_range_hood_maker_once_it_has_pdm_data(make_enterprise, make_user):
    from erp_modules.workspace.demo import seed_range_hood_factory
    from office.demo import seed_programme_demo
    from pdm.changes.demo import seed_range_hood_pdm

    office = make_user(email="office@cixi.demo", platform_role="office")
    ruifeng = make_enterprise(slug="ruifeng", sales_band="20m_100m")
    # without PDM data the office's demo leaves the PDM programme alone
    assert seed_programme_demo() is True
    assert not Enrolment.objects.filter(programme__code="pdm-demo").exists()
    with tenant_context(ruifeng):
        seed_range_hood_factory()
        seed_range_hood_pdm()
    # with it, 瑞丰 is enrolled and its figures show it demonstrating PDM (11 parts, 7 documents, 1 ECO)
    assert seed_programme_demo() is True
    assert seed_programme_demo() is False
    assert Enrolment.objects.get(programme__code="pdm-demo").enterprise == ruifeng
    snapshot = AdoptionSnapshot.objects.get(enterprise=ruifeng, day=timezone.localdate())
    assert (snapshot.pdm_parts_under_revision, snapshot.pdm_vault_documents, snapshot.pdm_ecos_completed_90d) == (
        11, 7, 1)
    page = client_for(office).get("/office/programmes/pdm-demo/").content.decode()
    assert 'id="pdm-demonstrating">1 / 5<' in page


def test_an_enrolled_enterprise_page_shows_its_pdm_figures(make_enterprise, make_user):
    office = make_user(email="office-pdm2@office.test", platform_role="office")
    programme = make_programme(module=Programme.Module.PDM)
    with_pdm, without = make_enterprise(), make_enterprise()
    _pdm_use(with_pdm, revised=1, documents=1)
    for enterprise in (with_pdm, without):
        services.enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
        with tenant_context(enterprise):
            adoption_snapshot_enterprise(timezone.localdate().isoformat())
    client = client_for(office)
    page = client.get(f"/office/enterprises/{with_pdm.pk}/").content.decode()
    assert 'id="latest-pdm-figures"' in page and "Parts under revision control" in page
    assert 'id="latest-pdm-figures"' not in client.get(f"/office/enterprises/{without.pk}/").content.decode()
