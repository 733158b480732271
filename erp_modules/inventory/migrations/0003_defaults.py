"""Every enterprise starts with a main warehouse and the usual adjustment reasons."""

from django.db import migrations

REASONS = [("COUNT", "盘点差异"), ("DAMAGE", "损坏报废"), ("FOUND", "盘盈"), ("SAMPLE", "样品领用"),
           ("RETURN", "退货入库"), ("OTHER", "其他")]


def forwards(apps, schema_editor):
    Warehouse = apps.get_model("inventory", "Warehouse")
    Location = apps.get_model("inventory", "Location")
    Reason = apps.get_model("inventory", "ReasonCode")
    warehouse, created = Warehouse.objects.get_or_create(code="WH", defaults={"name": "主仓库"})
    if created:
        Location.objects.create(warehouse=warehouse, code="STOCK", name="库存区", is_default=True)
    for code, name in REASONS:
        Reason.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_stockmove_immutable")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
