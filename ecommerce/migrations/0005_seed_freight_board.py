"""Seed the fifth board, 物流运力 (freight capacity: GB/T 4754-2017 543x road freight, 6020 express), and its
categories (整车, 零担, 快递, 冷链, 同城配送). Idempotent: a database seeded after the board was added to
board_data already has it, and this only brings it up to date."""

from django.db import migrations

from ecommerce.board_data import FREIGHT_BOARD, boards_write


def seed(apps, schema_editor):
    boards_write(apps.get_model("ecommerce", "Board"), apps.get_model("ecommerce", "Category"), codes={FREIGHT_BOARD})


class Migration(migrations.Migration):
    dependencies = [("ecommerce", "0004_quotation_created_by_blank")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
