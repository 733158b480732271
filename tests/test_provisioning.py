"""Provisioning: the one service, fast paths (spare pool, lean clone), errors, races and rollback."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from core.testing import run_together
from core.uscc import uscc_make
from tenants import provisioning, services
from tenants.models import Domain, Enterprise, Membership, Role, SpareSchema


def _schema_exists(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _tables(schema):
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", [schema])
        return [r[0] for r in cursor.fetchall()]


def test_provision_creates_schema_domain_owner_membership(make_enterprise, make_user):
    owner = make_user(email="boss@ruifeng.test")
    enterprise = make_enterprise(slug="ruifeng-x", owner=owner, name="慈溪市瑞丰厨房电器有限公司")

    assert enterprise.status == Enterprise.Status.ACTIVE
    assert provisioning.SCHEMA_NAME_RE.match(enterprise.schema_name)
    assert enterprise.schema_name.startswith("e")
    assert "ruifeng" not in enterprise.schema_name  # generated, never taken from input
    assert _schema_exists(enterprise.schema_name)
    assert "files_attachment" in _tables(enterprise.schema_name)
    assert Domain.objects.get(tenant=enterprise).domain == "ruifeng-x.localhost"
    assert Membership.objects.get(enterprise=enterprise).role == Role.OWNER
    assert Membership.objects.get(enterprise=enterprise).user == owner


def test_provision_takes_a_spare_schema_when_one_is_ready(make_enterprise):
    provisioning.spare_pool_top_up(size=1)
    spare = SpareSchema.objects.order_by("id").first()
    enterprise = make_enterprise(fresh_ids=False)  # the pool as it is
    assert enterprise.schema_name == spare.schema_name
    assert not SpareSchema.objects.filter(schema_name=spare.schema_name).exists()


def test_provision_clones_the_template_when_the_pool_is_empty(make_enterprise):
    for spare in SpareSchema.objects.all():
        provisioning.schema_drop(spare.schema_name)
        spare.delete()
    enterprise = make_enterprise()
    assert _tables(enterprise.schema_name) == _tables("tenant_template")


def test_clone_copies_migration_records_so_no_migration_runs(make_enterprise):
    enterprise = make_enterprise()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{enterprise.schema_name}".django_migrations ORDER BY 1, 2')
        cloned = cursor.fetchall()
        cursor.execute('SELECT app, name FROM "tenant_template".django_migrations ORDER BY 1, 2')
        template = cursor.fetchall()
    assert cloned == template
    assert ("files", "0001_initial") in cloned


def _catalog(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity"
            " FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2", [schema])
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid) FROM pg_constraint con"
            " JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s ORDER BY 1, 2", [schema])
        constraints = [(t, n, k, _normal_sql(d.replace(f"{schema}.", "S."))) for t, n, k, d in cursor.fetchall()]
        cursor.execute("SELECT tablename, indexname, replace(indexdef, %s, 'S.') FROM pg_indexes"
                       " WHERE schemaname = %s ORDER BY 1, 2", [f"{schema}.", schema])
        indexes = [(t, n, _normal_sql(d)) for t, n, d in cursor.fetchall()]
        cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                       " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal"
                       " ORDER BY 1, 2", [schema])
        triggers = cursor.fetchall()
    return columns, constraints, indexes, triggers


def _normal_sql(definition: str) -> str:
    """PostgreSQL prints a re-parsed partial-index predicate or CHECK constraint with other casts and
    parentheses (`status IN (…)` → `(status)::text = ANY ((ARRAY[…])::text[])`, or each element cast
    on its own in the clone): same meaning, other text."""
    import re

    text = re.sub(r"::(text|character varying)(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", text)


def test_clone_is_identical_to_a_migrated_schema(make_enterprise):
    """The lean clone reproduces what `migrate` builds: columns, named constraints and indexes."""
    enterprise = make_enterprise()
    migrated = "migrated_for_compare"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{migrated}"')
    from django.core.management import call_command

    call_command("migrate_schemas", schema_name=migrated, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    assert _catalog(enterprise.schema_name) == _catalog(migrated)
    provisioning.schema_drop.__wrapped__ if hasattr(provisioning.schema_drop, "__wrapped__") else None
    with connection.cursor() as cursor:
        # the migrations' data rows (e.g. PDM's default ECO type) left deferred foreign-key checks pending in
        # this test's transaction: run them first, or PostgreSQL refuses to drop their tables
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'DROP SCHEMA "{migrated}" CASCADE')


def test_identity_sequences_continue_after_the_copied_rows(make_enterprise):
    enterprise = make_enterprise()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{enterprise.schema_name}".django_content_type')
        highest = cursor.fetchone()[0]
        cursor.execute(f"INSERT INTO \"{enterprise.schema_name}\".django_content_type (app_label, model)"
                       " VALUES ('x', 'y') RETURNING id")
        assert cursor.fetchone()[0] == highest + 1


def test_duplicate_credit_code_is_refused_on_the_field(make_enterprise, make_user):
    code = uscc_make(org_body="31415926")
    make_enterprise(uscc=code)
    before = Enterprise.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_enterprise(uscc=code.lower())
    assert exc.value.error_dict["uscc"][0].code == "uscc_taken"
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("slug, code", [("admin", "slug_reserved"), ("Bad_Slug", "slug_invalid"),
                                        ("x", "slug_invalid")])
def test_bad_slugs_are_refused(make_enterprise, slug, code):
    with pytest.raises(ValidationError) as exc:
        make_enterprise(slug=slug)
    assert code in [e.code for e in exc.value.error_dict["slug"]]


def test_taken_slug_is_refused(make_enterprise):
    make_enterprise(slug="taken")
    with pytest.raises(ValidationError) as exc:
        make_enterprise(slug="taken")
    assert exc.value.error_dict["slug"][0].code == "slug_taken"


def test_bad_credit_code_and_industry_are_reported_together(make_enterprise):
    with pytest.raises(ValidationError) as exc:
        make_enterprise(uscc="91330282671205242X", industry="9999")
    assert exc.value.error_dict["uscc"][0].code == "uscc_check"
    assert "industry" in exc.value.error_dict


def test_failed_provisioning_leaves_nothing_behind(make_user, monkeypatch):
    """A failure after the schema was made (here: the domain insert) rolls back schema, rows and spare."""
    owner = make_user()
    provisioning.spare_pool_top_up(size=1)
    spares_before = set(SpareSchema.objects.values_list("schema_name", flat=True))
    schemas_before = set(_all_schemas())

    def broken_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Domain.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        services.enterprise_provision(name="坏了的企业", slug="broken", uscc=uscc_make(org_body="27182818"),
                                      industry="3451", owner=owner)
    assert not Enterprise.objects.filter(slug="broken").exists()
    assert set(SpareSchema.objects.values_list("schema_name", flat=True)) == spares_before
    assert set(_all_schemas()) == schemas_before


def _all_schemas():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return [r[0] for r in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_provisionings_get_five_distinct_schemas(clean_schemas, django_user_model):
    owners = [django_user_model.objects.create_user(email=f"c{i}@example.test", password="x") for i in range(5)]
    provisioning.spare_pool_top_up(size=2)  # fewer spares than sign-ups: some take a spare, some clone
    results, errors = [], []

    def sign_up(i):
        try:
            e = services.enterprise_provision(name=f"并发企业{i}", slug=f"conc{i}", industry="3451",
                                              uscc=uscc_make(org_body=f"5555000{i}"), owner=owners[i])
            results.append(e.schema_name)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(5)]
    run_together(threads)
    assert errors == []
    assert len(set(results)) == 5
    assert Enterprise.objects.filter(slug__startswith="conc").count() == 5
    for name in results:
        assert _schema_exists(name)


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_for_the_same_code_make_exactly_one(clean_schemas, django_user_model):
    owners = [django_user_model.objects.create_user(email=f"d{i}@example.test", password="x") for i in range(4)]
    code = uscc_make(org_body="66660000")
    outcomes = []

    def sign_up(i):
        try:
            services.enterprise_provision(name=f"同码企业{i}", slug=f"same{i}", industry="3451", uscc=code,
                                          owner=owners[i])
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.error_dict["uscc"][0].code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(4)]
    run_together(threads)
    assert sorted(outcomes) == ["ok", "uscc_taken", "uscc_taken", "uscc_taken"]
    assert Enterprise.objects.filter(uscc=code).count() == 1


def test_enterprise_create_command_prints_the_url(db, capsys):
    from django.core.management import call_command

    call_command("enterprise_create", "--name", "慈溪市命令行轴承有限公司", "--uscc", uscc_make(org_body="11223344"),
                 "--industry", "3451", "--owner-email", "cli@example.test", "--owner-password", "Cli-pass-2026!",
                 "--slug", "cli-bearing")
    out = capsys.readouterr().out
    assert "http://cli-bearing.localhost:8000/" in out
    assert Enterprise.objects.get(slug="cli-bearing").memberships.get().user.email == "cli@example.test"


def test_enterprise_create_command_names_the_bad_field(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as exc:
        call_command("enterprise_create", "--name", "X", "--uscc", "91330282671205242X", "--industry", "3451",
                     "--owner-email", "cli2@example.test", "--owner-password", "Cli-pass-2026!")
    assert "uscc" in str(exc.value)
    from tenants.models import User

    assert not User.objects.filter(email="cli2@example.test").exists()


def test_delete_drops_the_schema(make_enterprise):
    enterprise = make_enterprise()
    services.enterprise_delete(enterprise=enterprise)
    assert not _schema_exists(enterprise.schema_name)
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()
