"""Fast enterprise schemas: a migrated template, a lean catalog clone of it, and a pool of spares.

Running Django migrations for every new enterprise costs seconds (it grows with every tenant
migration). Instead:

* ``tenant_template`` is an ordinary schema that ``migrate_schemas`` migrates with the tenant
  apps, exactly like an enterprise schema (see tenants/management/commands/migrate_schemas.py).
* ``schema_clone_from_template`` copies it by reading the catalog once and replaying tables,
  constraints (with their names, so later migrations can find them), indexes, identity
  sequences and the rows of the template (django_migrations, content types), in the caller's
  transaction: a failure leaves nothing behind. Clones are serialised with an advisory lock.
* ``spare_pool_top_up`` keeps TENANT_SPARE_POOL_SIZE cloned schemas ready; ``spare_take`` hands
  one out with ``FOR UPDATE SKIP LOCKED`` so that concurrent sign-ups never get the same one.
  Each spare records the template's migration fingerprint; spares of an older fingerprint are
  never handed out and are dropped by ``migrate_schemas``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.db import connection, transaction

from tenants.models import SpareSchema

log = logging.getLogger(__name__)

SCHEMA_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CLONE_LOCK_KEY = 0x5348_4D43  # "SHMC": one advisory lock for every clone from the template
POOL_LOCK_KEY = 0x504F_4F4C  # "POOL": one top-up at a time


class CloneUnsupported(RuntimeError):
    """The template holds an object the lean clone does not copy yet (views, functions, ...).

    Triggers are copied when their function lives in the public schema (write tenant migrations'
    trigger functions as ``CREATE OR REPLACE FUNCTION public.…``)."""


def template_schema_name() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


def schema_name_generate() -> str:
    """Schema names are always made here, never from user input."""
    return "e" + secrets.token_hex(7)


def _check_name(schema_name: str) -> str:
    if not SCHEMA_NAME_RE.match(schema_name) or schema_name in ("public", template_schema_name()):
        raise ValueError(f"refusing schema name {schema_name!r}")
    return schema_name


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def schema_drop(schema_name: str) -> None:
    _check_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def template_ensure_schema() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template_schema_name()}"')


def template_fingerprint() -> str:
    """A hash of the migrations applied to the template; empty when it has none."""
    template = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{template}.django_migrations"])
        if cursor.fetchone()[0] is None:
            return ""
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations ORDER BY app, name')
        rows = cursor.fetchall()
    if not rows:
        return ""
    return hashlib.sha256("\n".join(f"{a}.{n}" for a, n in rows).encode()).hexdigest()


def _template_clone_script() -> list[str]:
    """Statements that rebuild the template in a schema named by the ``{schema}`` placeholder: the schema,
    its tables, their constraints (foreign keys last, after the rows), indexes, rows and triggers."""
    template = template_schema_name()
    qualified = re.compile(rf"(?<![\w\"]){re.escape(template)}\.")
    with connection.cursor() as cursor:
        ns = _template_namespace(cursor, template)
        _check_clone_supported(cursor, ns)
        cursor.execute("SELECT c.oid, c.relname FROM pg_class c WHERE c.relnamespace = %s AND c.relkind = 'r'"
                       " ORDER BY c.relname", [ns])
        tables = cursor.fetchall()
        statements = ['CREATE SCHEMA "{schema}"']
        for _oid, name in tables:
            statements.append(
                f'CREATE TABLE "{{schema}}"."{name}" (LIKE "{template}"."{name}" INCLUDING DEFAULTS INCLUDING IDENTITY '
                "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)"
            )
        constraints, foreign_keys = _clone_constraints(cursor, ns, qualified)
        statements += constraints
        statements += _clone_indexes(cursor, ns, qualified)
        statements += _clone_rows(cursor, template, [name for _oid, name in tables])
        statements += foreign_keys
        statements += _clone_triggers(cursor, ns, qualified)
    return statements


def _template_namespace(cursor, template: str) -> int:
    cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [template])
    row = cursor.fetchone()
    if row is None:
        raise CloneUnsupported(f"template schema {template} does not exist; run migrate_schemas")
    return row[0]


def _check_clone_supported(cursor, ns: int) -> None:
    """Views, functions, types, triggers of the schema's own functions, free sequences: not copied, refused."""
    cursor.execute(
        "SELECT c.relkind, c.relname FROM pg_class c WHERE c.relnamespace = %s AND c.relkind IN ('v','m','f','p')"
        " UNION ALL SELECT 'function', p.proname FROM pg_proc p WHERE p.pronamespace = %s"
        " UNION ALL SELECT 'type', t.typname FROM pg_type t WHERE t.typnamespace = %s AND t.typtype IN ('e','d','c')"
        "   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)"
        " UNION ALL SELECT 'trigger', tg.tgname FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid"
        "   JOIN pg_proc p ON p.oid = tg.tgfoid"
        "   WHERE c.relnamespace = %s AND NOT tg.tgisinternal AND p.pronamespace <> 'public'::regnamespace"
        " UNION ALL SELECT 'sequence', s.relname FROM pg_class s WHERE s.relnamespace = %s AND s.relkind = 'S'"
        "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')",
        [ns, ns, ns, ns, ns],
    )
    unsupported = cursor.fetchall()
    if unsupported:
        raise CloneUnsupported(
            "the tenant template holds objects the lean clone does not copy: "
            + ", ".join(f"{kind} {name}" for kind, name in unsupported)
            + " (extend tenants/provisioning.py)"
        )


def _clone_constraints(cursor, ns: int, qualified: re.Pattern) -> tuple[list[str], list[str]]:
    """(primary, unique, exclusion and check constraints; foreign keys), keeping their names (Django looks
    some up by name in later migrations)."""
    cursor.execute(
        "SELECT con.contype, c.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con"
        " JOIN pg_class c ON c.oid = con.conrelid WHERE c.relnamespace = %s AND con.contype IN ('p','u','x','c','f')"
        " ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 ELSE 4 END,"
        " c.relname, con.conname",
        [ns],
    )
    statements, foreign_keys = [], []
    for contype, table, conname, definition in cursor.fetchall():
        stmt = f'ALTER TABLE "{{schema}}"."{table}" ADD CONSTRAINT "{conname}" ' + qualified.sub('"{schema}".', definition)
        (foreign_keys if contype == "f" else statements).append(stmt)
    return statements, foreign_keys


def _clone_indexes(cursor, ns: int, qualified: re.Pattern) -> list[str]:
    """Indexes that do not back a constraint, with their names."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " WHERE c.relnamespace = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid"
        " AND con.contype IN ('p','u','x')) ORDER BY 1",
        [ns],
    )
    return [qualified.sub('"{schema}".', indexdef) for (indexdef,) in cursor.fetchall()]


def _clone_rows(cursor, template: str, tables: list[str]) -> list[str]:
    """Rows (migration records, content types, any seeded reference data) and identity positions."""
    statements = []
    for name in tables:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{template}"."{name}")')
        if not cursor.fetchone()[0]:
            continue
        cursor.execute(
            "SELECT a.attname, a.attidentity FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0"
            " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
            [f'"{template}"."{name}"'],
        )
        columns = cursor.fetchall()
        column_list = ", ".join(f'"{c}"' for c, _ in columns)
        statements.append(
            f'INSERT INTO "{{schema}}"."{name}" ({column_list}) OVERRIDING SYSTEM VALUE '
            f'SELECT {column_list} FROM "{template}"."{name}"'
        )
        for column, identity in columns:
            if identity:
                statements.append(
                    f"SELECT setval(pg_get_serial_sequence('\"{{schema}}\".\"{name}\"', '{column}'), "
                    f'(SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{{schema}}"."{name}"), false)'
                )
    return statements


def _clone_triggers(cursor, ns: int, qualified: re.Pattern) -> list[str]:
    """Triggers (their functions live in the public schema, shared by every enterprise)."""
    cursor.execute(
        "SELECT pg_get_triggerdef(tg.oid) FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid"
        " WHERE c.relnamespace = %s AND NOT tg.tgisinternal ORDER BY c.relname, tg.tgname",
        [ns],
    )
    return [qualified.sub('"{schema}".', triggerdef) for (triggerdef,) in cursor.fetchall()]


def schema_clone_from_template(schema_name: str) -> None:
    """Create ``schema_name`` as a copy of the template inside the current transaction."""
    _check_name(schema_name)
    if not connection.in_atomic_block:
        raise RuntimeError("schema_clone_from_template must run inside transaction.atomic()")
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLONE_LOCK_KEY])
        script = ";\n".join(_template_clone_script()).replace("{schema}", schema_name)
        cursor.execute(script)


def spare_take(fingerprint: str) -> str | None:
    """Hand out one spare schema of the current template version (call inside the provisioning transaction)."""
    if not fingerprint:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM tenants_spareschema WHERE id = (SELECT id FROM tenants_spareschema WHERE fingerprint = %s"
            " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING schema_name",
            [fingerprint],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def spare_pool_discard_stale() -> int:
    """Drop spares made from an older template (after new migrations). Returns how many."""
    current = template_fingerprint()
    dropped = 0
    with transaction.atomic():
        for spare in SpareSchema.objects.select_for_update(skip_locked=True).exclude(fingerprint=current):
            schema_drop(spare.schema_name)
            spare.delete()
            dropped += 1
    return dropped


def spare_pool_top_up(size: int | None = None) -> int:
    """Clone spares until the pool holds ``size`` current ones. Returns how many were made."""
    size = settings.TENANT_SPARE_POOL_SIZE if size is None else size
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0  # another process is topping up
    made = 0
    try:
        fingerprint = template_fingerprint()
        if not fingerprint:
            return 0
        while SpareSchema.objects.filter(fingerprint=fingerprint).count() < size:
            with transaction.atomic():
                name = schema_name_generate()
                schema_clone_from_template(name)
                SpareSchema.objects.create(schema_name=name, fingerprint=fingerprint)
            made += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_LOCK_KEY])
    if made:
        log.info("spare schema pool: made %d", made)
    return made
