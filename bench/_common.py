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
