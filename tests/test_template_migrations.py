"""`migrate_schemas` keeps the template and the spare pool in step with new migrations: add a
migration, migrate, provision, and the new column is there (for spares and clones alike)."""

import shutil
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tenants import provisioning
from tenants.models import SpareSchema

NEW_MIGRATION = '''
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial")]
    operations = [
        migrations.AddField("attachment", "drawing_number", models.CharField(max_length=40, default="", blank=True)),
    ]
'''


def _has_column(schema, table, column):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
                       " AND column_name = %s", [schema, table, column])
        return cursor.fetchone() is not None


@pytest.fixture
def files_migrations_with_a_new_one(tmp_path, settings):
    package = tmp_path / "files_migrations_next"
    shutil.copytree(Path(__file__).resolve().parent.parent / "erp_modules" / "files" / "migrations", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (package / "0002_attachment_drawing_number.py").write_text(NEW_MIGRATION)
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {"files": "files_migrations_next"}
    yield
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("files_migrations_next")]:
        del sys.modules[name]


def test_new_migration_reaches_template_pool_existing_and_new_enterprises(db, make_enterprise,
                                                                         files_migrations_with_a_new_one):
    existing = make_enterprise(slug="before-migration")
    provisioning.spare_pool_top_up(size=2)
    old_spares = set(SpareSchema.objects.values_list("schema_name", flat=True))
    assert not _has_column("tenant_template", "files_attachment", "drawing_number")

    call_command("migrate_schemas", interactive=False, verbosity=0)
    connection.set_schema_to_public()

    assert _has_column("tenant_template", "files_attachment", "drawing_number")
    assert _has_column(existing.schema_name, "files_attachment", "drawing_number")
    new_spares = set(SpareSchema.objects.values_list("schema_name", flat=True))
    assert new_spares and not (new_spares & old_spares)  # stale spares were replaced
    for name in new_spares:
        assert _has_column(name, "files_attachment", "drawing_number")
    from_pool = make_enterprise(slug="after-migration-pool")
    assert _has_column(from_pool.schema_name, "files_attachment", "drawing_number")
    for spare in SpareSchema.objects.all():  # empty the pool: the next one is cloned
        provisioning.schema_drop(spare.schema_name)
        spare.delete()
    cloned = make_enterprise(slug="after-migration-clone")
    assert _has_column(cloned.schema_name, "files_attachment", "drawing_number")
