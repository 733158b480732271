"""From the label "programs" to "office": a database made before the move keeps its rows.

Until the move out of tenants/ this app was ``tenants.programs`` with the label "programs"; its tables
were programs_<model>, its migrations and content types were recorded under "programs". Now:

- Migrations 0001–0004 ``replace`` programs 0001–0004, so on a database where those are recorded
  Django counts 0001–0004 as applied (and records them under "office" too) and runs only this one.
  (A database must have reached programs 0004, i.e. any made on or after 45a35f8, first.)
- This migration renames what carries the old label, each only if it is there: the tables
  programs_<model> → office_<model> (rows, ids, constraints and the append-only trigger stay with
  them), their identity sequences, the indexes and constraints Django or PostgreSQL named after the
  table (to the names a new database gets), the trigger function of programme changes, and the
  content types (permissions and admin log entries point at them by id, so they follow).
- On a new database nothing is named programs_*: 0001 made office_* and this does nothing.

Public schema only, like every migration of this shared app. Reversing it does nothing (the
state before it is office 0004, whose tables are office_*). office/tests/test_migration_from_programs.py
upgrades a copy of the old tables and compares the result with a new database's."""

from django.db import migrations

OLD, NEW = "programs", "office"
FUNCTION = "programmechange_append_only"


def _constraint_name(schema_editor, old: str, new: str, name: str, kind: str, columns: list[str],
                     target: tuple[str, str] | None) -> str | None:
    """The name a new database gives this constraint; None for a name not made from the table's."""
    if not name.startswith(OLD + "_"):
        return None  # named in the model (e.g. "subsidy_paid_within_grant"): the same everywhere
    if kind == "p":
        return f"{new}_pkey"
    if kind == "f":  # named by Django: table_column_hash_fk_target, cut to fit
        return schema_editor._create_index_name(new, columns, suffix=f"_fk_{target[0]}_{target[1]}")
    if name.startswith(old + "_") and name.endswith(("_key", "_check")):  # by PostgreSQL: table_column_suffix
        return new + name[len(old):]
    return None


def _rename_constraints(schema_editor, cursor, old: str, new: str) -> None:
    cursor.execute(
        "SELECT con.conname, con.contype, ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)"
        "   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),"
        " ref.relname, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = con.confrelid"
        "   AND a.attnum = con.confkey[1])"
        " FROM pg_constraint con LEFT JOIN pg_class ref ON ref.oid = con.confrelid"
        " WHERE con.conrelid = %s::regclass", [new])
    for name, kind, columns, ref_table, ref_column in cursor.fetchall():
        renamed = _constraint_name(schema_editor, old, new, name, kind, columns, (ref_table, ref_column))
        if renamed and renamed != name:
            schema_editor.execute(f'ALTER TABLE "{new}" RENAME CONSTRAINT "{name}" TO "{renamed}"')


def _rename_indexes(schema_editor, cursor, old: str, new: str) -> None:
    """Indexes of no constraint that Django named table_column_hash[_like] (foreign keys, db_index)."""
    cursor.execute(
        "SELECT i.relname, ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, i)"
        "   JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.i)"
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [new])
    for name, columns in cursor.fetchall():
        if not name.startswith(OLD + "_"):  # Django's names start with the table's (cut to fit)
            continue
        suffix = "_like" if name.endswith("_like") else ""
        renamed = schema_editor._create_index_name(new, columns, suffix=suffix)
        if renamed != name:
            schema_editor.execute(f'ALTER INDEX "{name}" RENAME TO "{renamed}"')


def _rename_sequences(schema_editor, cursor, old: str, new: str) -> None:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [new])
    sequence = (cursor.fetchone()[0] or "").rpartition(".")[2].strip('"')
    if sequence == f"{old}_id_seq":
        schema_editor.execute(f'ALTER SEQUENCE "{sequence}" RENAME TO "{new}_id_seq"')


def tables_rename(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for model in apps.get_app_config(NEW).get_models():
            new = model._meta.db_table
            old = OLD + new[len(NEW):]
            if old not in existing:
                continue
            if new in existing:
                raise RuntimeError(f"both {old} and {new} exist: move the rows of {old} by hand, then drop it")
            schema_editor.alter_db_table(model, old, new)
            _rename_sequences(schema_editor, cursor, old, new)
            _rename_constraints(schema_editor, cursor, old, new)
            _rename_indexes(schema_editor, cursor, old, new)
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = %s AND pronamespace = current_schema()::regnamespace",
                       [f"{OLD}_{FUNCTION}"])
        if cursor.fetchone():
            schema_editor.execute(f'ALTER FUNCTION "{OLD}_{FUNCTION}"() RENAME TO "{NEW}_{FUNCTION}"')


def content_types_relabel(apps, schema_editor):
    """The content types keep their ids (auth permissions and admin log entries point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=NEW).values_list("model", flat=True))
    ContentType.objects.filter(app_label=OLD).exclude(model__in=taken).update(app_label=NEW)


class Migration(migrations.Migration):
    dependencies = [
        ("office", "0004_programme_change"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(tables_rename, migrations.RunPython.noop),
        migrations.RunPython(content_types_relabel, migrations.RunPython.noop),
    ]
