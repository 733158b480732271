"""Shared set-up of the benchmarks: a database of their own on the embedded PostgreSQL (or on
DATABASE_URL's server), dropped and recreated each run."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_database_url(name: str = "bench") -> tuple[str, object]:
    """(URL of <db>_<name>, the embedded server we started or None). Each benchmark uses its own
    name so that two benchmarks on one server never drop each other's database."""
    from core.embedded import start_postgres

    server = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        server = start_postgres(Path(os.environ.get("BENCH_DATA_DIR", BASE_DIR / ".data" / "bench")))
        url = server.url()
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + f"_{name}")), server


def recreate_database(bench_url: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(bench_url.replace("postgres://", "postgresql://", 1))
    name = params["dbname"]
    params["dbname"] = "postgres"
    if params.get("host", "").startswith("%2F"):
        params["host"] = unquote(params["host"])
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_redis_url() -> tuple[str, object]:
    """REDIS_URL, else an embedded Redis under BENCH_DATA_DIR (for code that uses the cache)."""
    from core.embedded import start_redis

    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    server = start_redis(Path(os.environ.get("BENCH_DATA_DIR", BASE_DIR / ".data" / "bench")))
    return server.url(db=0), server


def bench_enterprise(*, db_name: str, name: str, slug: str, org_body: str):
    """A fresh bench database with Django set up on it, migrated, and one enterprise provisioned (no
    spare pool, nothing queued, INFO logs off). Returns (enterprise, embedded server or None)."""
    bench_url, server = bench_database_url(db_name)
    recreate_database(bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")  # not used: nothing is queued
    os.environ["TENANT_SPARE_POOL_SIZE"] = "0"
    import logging
    import time

    logging.disable(logging.INFO)
    import django

    django.setup()
    from django.core.management import call_command

    from core.uscc import uscc_make
    from tenants import services as tenant_services
    from tenants.models import User

    t0 = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0, no_spare_pool=True)
    tenant_services._spare_pool_refill_later = lambda: None
    owner = User.objects.create_user(email="bench@example.test", password="x")
    enterprise = tenant_services.enterprise_provision(name=name, slug=slug, uscc=uscc_make(org_body=org_body),
                                                      industry="3854", owner=owner)
    print(f"database ready in {time.perf_counter() - t0:.1f}s")
    return enterprise, server
