"""Every enterprise starts with the units Chinese factories use (copied into new schemas with the template)."""

from django.db import migrations

UNITS = [
    ("pcs", "个", "piece", "count", 0), ("jian", "件", "item", "count", 0), ("set", "套", "set", "count", 0),
    ("tai", "台", "unit", "count", 0), ("box", "箱", "box", "count", 0), ("sheet", "张", "sheet", "count", 0),
    ("pair", "副", "pair", "count", 0), ("roll", "卷", "roll", "count", 0), ("kg", "千克", "kg", "weight", 3),
    ("g", "克", "g", "weight", 1), ("t", "吨", "t", "weight", 3), ("m", "米", "m", "length", 2),
    ("mm", "毫米", "mm", "length", 1), ("m2", "平方米", "m²", "area", 2), ("l", "升", "L", "volume", 2),
    ("h", "小时", "hour", "time", 2),
]
CONVERSIONS = [("kg", "g", "1000"), ("t", "kg", "1000"), ("m", "mm", "1000")]


def forwards(apps, schema_editor):
    Unit = apps.get_model("catalog", "UnitOfMeasure")
    Conversion = apps.get_model("catalog", "UomConversion")
    units = {}
    for code, name, name_en, kind, decimals in UNITS:
        units[code], _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                         "kind": kind, "decimals": decimals})
    for a, b, factor in CONVERSIONS:
        Conversion.objects.get_or_create(item=None, from_uom=units[a], to_uom=units[b], defaults={"factor": factor})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
