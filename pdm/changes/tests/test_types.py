"""The ECO types page: administrators add types, stages and approval rules; others are refused."""

from pdm.changes.models import EcoApprovalRule, EcoStage, EcoType
from pdm.changes.tests.factories import standard_type
from tenants.models import Role


def test_an_administrator_adds_a_type_a_stage_and_rules_and_removes_one(erp, web, member):
    # given an engineer who is a member
    engineer = member(Role.CLERK)
    # when the owner adds a type, a stage, a named approver and a role rule
    assert web.post("/pdm/ecos/types/", {"action": "type", "type-name": "快速变更", "type-code": "fast"}).status_code == 302
    fast = EcoType.objects.get(code="FAST")
    assert web.post("/pdm/ecos/types/", {"action": "stage", "stage-eco_type": fast.pk, "stage-sequence": "10",
                                         "stage-name": "工程确认", "stage-is_final": "on",
                                         "stage-allow_apply": "on"}).status_code == 302
    stage = EcoStage.objects.get(type=fast)
    assert web.post("/pdm/ecos/types/", {"action": "rule", "rule-stage": stage.pk, "rule-approver": engineer.pk,
                                         "rule-requirement": "mandatory"}).status_code == 302
    assert web.post("/pdm/ecos/types/", {"action": "rule", "rule-stage": stage.pk, "rule-role": "manager",
                                         "rule-requirement": "optional"}).status_code == 302
    # then the page shows them
    page = web.get("/pdm/ecos/types/").content.decode()
    assert "快速变更" in page and "工程确认" in page and engineer.email in page and "any Manager" in page
    # when a rule is removed
    rule = EcoApprovalRule.objects.get(stage=stage, role="manager")
    assert web.post("/pdm/ecos/types/", {"action": "rule_remove", "remove-rule": rule.pk}).status_code == 302
    assert list(EcoApprovalRule.objects.filter(stage=stage).values_list("user_id", flat=True)) == [engineer.pk]


def test_bad_input_on_the_types_page_comes_back_on_its_field(erp, web, make_user):
    stage = standard_type().stages.get(sequence=10)
    response = web.post("/pdm/ecos/types/", {"action": "type", "type-name": "再一个", "type-code": "std"})
    assert response.status_code == 400
    assert response.context["forms"]["type"].errors["code"] == ["The code STD is used already."]
    response = web.post("/pdm/ecos/types/", {"action": "stage", "stage-eco_type": stage.type_id,
                                             "stage-sequence": "10", "stage-name": "重复"})
    assert response.context["forms"]["stage"].errors["sequence"] == ["Another stage of 标准变更 has the sequence 10."]
    response = web.post("/pdm/ecos/types/", {"action": "rule", "rule-stage": stage.pk, "rule-requirement": "mandatory"})
    assert response.context["forms"]["rule"].errors["approver"] == ["Choose either an approver or a role."]
    outsider = make_user()
    response = web.post("/pdm/ecos/types/", {"action": "rule", "rule-stage": stage.pk, "rule-approver": outsider.pk,
                                             "rule-requirement": "mandatory"})
    assert response.status_code == 400 and "approver" in response.context["forms"]["rule"].errors
    assert web.post("/pdm/ecos/types/", {"action": "melt"}).status_code == 400
    assert EcoType.objects.count() == 1 and EcoStage.objects.count() == 2 and EcoApprovalRule.objects.count() == 2


def test_only_administrators_reach_the_types_page(erp, client, member):
    manager = member(Role.MANAGER)
    client.force_login(manager)
    host = {"HTTP_HOST": f"{erp.slug}.localhost"}
    assert client.get("/pdm/ecos/types/", **host).status_code == 403
    assert client.post("/pdm/ecos/types/", {"action": "type", "type-name": "x", "type-code": "X"},
                       **host).status_code == 403
    assert EcoType.objects.count() == 1
