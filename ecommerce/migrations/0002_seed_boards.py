"""Seed the four boards (家电, 轻纺化纤, 轴承, 机车) and their GB/T 4754-2017 category trees."""

from django.db import migrations

from ecommerce.board_data import boards_write


def seed(apps, schema_editor):
    boards_write(apps.get_model("ecommerce", "Board"), apps.get_model("ecommerce", "Category"))


class Migration(migrations.Migration):
    dependencies = [("ecommerce", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
