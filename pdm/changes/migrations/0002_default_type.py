"""A default ECO type in every enterprise: 标准变更 (standard change) with two stages — 审核 (review:
one mandatory approval by any manager or above) and 批准 (approval: the final stage, from which the ECO
is applied). Enterprises change or add types on the ECO types page."""

from django.db import migrations


def default_type(apps, schema_editor):
    EcoType = apps.get_model("pdm_changes", "EcoType")
    EcoStage = apps.get_model("pdm_changes", "EcoStage")
    EcoApprovalRule = apps.get_model("pdm_changes", "EcoApprovalRule")
    if EcoType.objects.filter(code="STD").exists():
        return
    eco_type = EcoType.objects.create(name="标准变更", code="STD")
    review = EcoStage.objects.create(type=eco_type, sequence=10, name="审核")
    EcoApprovalRule.objects.create(stage=review, role="manager", requirement="mandatory")
    final = EcoStage.objects.create(type=eco_type, sequence=20, name="批准", is_final=True, allow_apply=True)
    EcoApprovalRule.objects.create(stage=final, role="manager", requirement="optional")


class Migration(migrations.Migration):
    dependencies = [("pdm_changes", "0001_initial")]
    operations = [migrations.RunPython(default_type, migrations.RunPython.noop)]
