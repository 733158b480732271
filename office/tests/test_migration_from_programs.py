"""A database made before the move to office/ (label "programs", tables programs_*) keeps every row
through `migrate`, and ends with the schema a new database gets (migration 0005; office/README.md).

The test turns the test database back into what 45a35f8 left (the old tables from
programs_0004_schema.sql, the old migration records and content types), writes rows, runs the
migrations as `migrate_schemas --shared` does, and compares. All of it inside the test's transaction:
PostgreSQL rolls the DDL back with the rest."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from office.models import ProgrammeChange, Subsidy

pytestmark = pytest.mark.django_db

OLD_SCHEMA = Path(__file__).with_name("programs_0004_schema.sql")
OLD_MIGRATIONS = ["0001_initial", "0002_seed_programmes", "0003_programme_editing_subsidy_reversals",
                  "0004_programme_change"]
MODELS = sorted(m._meta.model_name for m in apps.get_app_config("office").get_models())


def _schema() -> list[tuple]:
    """What a table of the office is made of: columns, constraints, indexes and triggers with their
    names and definitions, identity sequences, the trigger function."""
    pattern = r"office\_%"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'column', c.relname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
            "   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || ' ' || a.attidentity::text"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relkind = 'r' AND c.relname LIKE %s AND a.attnum > 0 AND NOT a.attisdropped"
            " UNION ALL SELECT 'constraint', c.relname, con.conname || ' ' || pg_get_constraintdef(con.oid)"
            " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid WHERE c.relname LIKE %s"
            " UNION ALL SELECT 'index', c.relname, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname LIKE %s"
            " UNION ALL SELECT 'trigger', c.relname, pg_get_triggerdef(t.oid)"
            " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE %s AND NOT t.tgisinternal"
            " UNION ALL SELECT 'sequence', '', s.relname FROM pg_class s"
            " WHERE s.relkind = 'S' AND (s.relname LIKE %s OR s.relname LIKE 'programs\\_%%')"
            " UNION ALL SELECT 'function', '', p.proname FROM pg_proc p WHERE p.proname LIKE '%%programmechange%%'",
            [pattern] * 5)
        return sorted(cursor.fetchall())


def _rows(prefix: str) -> dict[str, tuple]:
    """Per table: how many rows, and a digest of all of them in id order."""
    result = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), ''))"
                           f" FROM {prefix}_{model} t")
            result[model] = cursor.fetchone()
    return result


def _old_rows_write(cursor, *, enterprise_id: int, user_id: int) -> None:
    """One row in each old table, as the code of 45a35f8 would have written them."""
    def insert(table: str, values: dict) -> int:
        cursor.execute(f"INSERT INTO programs_{table} ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})"
                       " RETURNING id", list(values.values()))
        return cursor.fetchone()[0]

    now = "2026-10-05T08:00:00+08:00"
    programme = insert("programme", dict(
        code="legacy-erp", name="旧标签下的项目", name_en="", module="erp", description="", target_kind="count",
        target_count=10, cohort_sales_bands=[], period_start="2026-01-01", period_end="2027-12-31", fund="",
        budget="1000000.00", granted_total="300000.00", paid_total="149000.00", criteria="{}", created_at=now))
    insert("programmechange", dict(kind="updated", changed_by_id=user_id, changed_by_label="office@old.test",
                                   changed_at=now, programme_id=programme,
                                   changes='[{"field": "name", "label": "name", "old": "旧", "new": "新"}]'))
    enrolment = insert("enrolment", dict(
        status="enrolled", note="", adoption_status="adopted", adoption_reasons="[]", created_at=now,
        enterprise_id=enterprise_id, programme_id=programme, enrolled_on="2026-02-01"))
    insert("milestone", dict(kind="kickoff", note="启动会", updated_at=now, enrolment_id=enrolment))
    subsidy = insert("subsidy", dict(
        amount="300000.00", paid_amount="149000.00", returned_amount="0", status="granted", purpose="ERP 实施",
        granted_on="2026-03-01", created_at=now, enrolment_id=enrolment, programme_id=programme))
    insert("subsidypayment", dict(amount="150000.00", paid_on="2026-04-01", reference="慈财 17", created_at=now,
                                  subsidy_id=subsidy))
    insert("subsidyreversal", dict(kind="clawback", reversed_on="2026-05-01", paid_back="1000.00",
                                   budget_returned="0", reason="退回", reference="", created_at=now,
                                   subsidy_id=subsidy))
    insert("adoptionsnapshot", dict(
        day="2026-10-04", active_users_7d=2, active_users_30d=3, documents_7d="{}", documents_30d='{"receipts": 9}',
        documents_prev_30d="{}", documents_7d_total=0, documents_30d_total=9, modules_in_use=["erp"],
        items_count=4, computed_at=now, enterprise_id=enterprise_id))
    insert("adoptionrecord", dict(day="2026-10-04", status="adopted", reasons="[]", enrolment_id=enrolment))
    insert("monthlyreport", dict(month="2026-09-01", status="done", error="", created_at=now, pdf=b"%PDF-1.4"))


def _database_of_45a35f8(*, enterprise_id: int, user_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {', '.join(f'office_{m}' for m in MODELS)} CASCADE")
        cursor.execute("DROP FUNCTION office_programmechange_append_only()")
        cursor.execute(OLD_SCHEMA.read_text())
        _old_rows_write(cursor, enterprise_id=enterprise_id, user_id=user_id)
        cursor.execute("DELETE FROM django_migrations WHERE app IN ('office', 'programs')")
        for name in OLD_MIGRATIONS:
            cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('programs', %s, now())", [name])
        cursor.execute("UPDATE django_content_type SET app_label = 'programs' WHERE app_label = 'office'")
    ContentType.objects.clear_cache()


@pytest.fixture
def content_type_cache():
    yield
    ContentType.objects.clear_cache()  # the test's content types are rolled back with it


def test_a_database_made_under_the_label_programs_keeps_its_rows_and_gets_the_new_schema(
        make_enterprise, make_user, content_type_cache):
    # given: the office's schema and content types in a new database, then the database as 45a35f8 left it
    new_schema = _schema()
    content_types = dict(ContentType.objects.filter(app_label="office").values_list("model", "pk"))
    enterprise, user = make_enterprise(), make_user(email="office@old.test", platform_role="office")
    _database_of_45a35f8(enterprise_id=enterprise.pk, user_id=user.pk)
    rows = _rows("programs")
    assert all(count == 1 for count, _digest in rows.values()), rows
    # when: migrated as `migrate_schemas --shared` does
    executor = MigrationExecutor(connection)
    label_office = [("office", "0005_label_office")]
    assert executor.migration_plan(label_office) == [
        (executor.loader.graph.nodes[label_office[0]], False)]  # 0001–0004 count as applied
    executor.migrate(label_office)
    # then: every row is there, under the new names (before later migrations add columns) ...
    assert _rows("office") == rows
    # ... and after the later migrations the schema is a new database's
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the old rows' deferred checks, before any ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("office"))
    assert _schema() == new_schema
    ContentType.objects.clear_cache()
    assert dict(ContentType.objects.filter(app_label="office").values_list("model", "pk")) == content_types
    assert not ContentType.objects.filter(app_label="programs").exists()
    applied = set(MigrationRecorder(connection).applied_migrations())
    assert {("office", name) for name in [*OLD_MIGRATIONS, "0005_label_office"]} <= applied
    subsidy = Subsidy.objects.select_related("programme", "enrolment__enterprise").get()
    assert (subsidy.programme.code, subsidy.enrolment.enterprise_id, subsidy.paid_amount) == (
        "legacy-erp", enterprise.pk, 149000)
    # and the change history is still append-only
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProgrammeChange.objects.update(kind="created")
