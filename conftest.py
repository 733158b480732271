"""Shared fixtures. Tests run against real PostgreSQL (embedded by default, see core.runner test)
and, where Celery matters, a real worker process on the real broker."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from core.uscc import uscc_make

BASE_DIR = Path(__file__).resolve().parent
_counter = itertools.count(1)


def _unique_org_body() -> str:
    # 8-digit organisation-code bodies unique within a test session (and across xdist-less reruns).
    return f"{(os.getpid() % 9000) + 1000:04d}{next(_counter):04d}"


@pytest.fixture
def make_user(db):
    from tenants.models import User

    def make(email: str | None = None, password: str = "pw-for-tests-1", **extra) -> User:
        email = email or f"user{next(_counter)}@example.test"
        return User.objects.create_user(email=email, password=password, **extra)

    return make


@pytest.fixture
def make_enterprise(db, make_user):
    """Provision an enterprise through the one real path (tenants.services.enterprise_provision)."""
    from tenants import services

    def make(*, slug: str | None = None, owner=None, industry: str = "3854", **fields):
        n = next(_counter)
        slug = slug or f"ent{n}-{os.getpid() % 1000}"
        owner = owner or make_user(email=f"owner{n}-{slug}@example.test")
        enterprise = services.enterprise_provision(
            name=fields.pop("name", f"慈溪市测试{n}电器有限公司"), slug=slug,
            uscc=fields.pop("uscc", uscc_make(org_body=_unique_org_body())), industry=industry, owner=owner, **fields)
        connection.set_schema_to_public()
        return enterprise

    return make


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    yield
    try:
        connection.set_schema_to_public()
    except Exception:
        pass


def drop_orphan_schemas() -> None:
    """Transactional tests truncate the public tables but cannot drop the schemas they created."""
    from django.db import connection as conn

    conn.set_schema_to_public()
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ '^e[0-9a-f]{14}$'"
            " AND nspname NOT IN (SELECT schema_name FROM tenants_enterprise)"
            " AND nspname NOT IN (SELECT schema_name FROM tenants_spareschema)"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def clean_schemas(transactional_db):
    yield
    drop_orphan_schemas()


def database_url_for_subprocess() -> str:
    """The URL of the test database (test_<name>) for a worker process started by a test."""
    s = connection.settings_dict
    host = s.get("HOST") or ""
    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{s['PORT']}" if s.get("PORT") else ""
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{quote(s.get('USER') or '', safe='')}{password}@{host_part}{port}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the real broker, using the test database."""
    from django.conf import settings

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url_for_subprocess()
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["CELERY_TASK_DEFAULT_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
    log_path = Path(settings.DATA_DIR) / f"test-worker-{os.getpid()}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
         "--loglevel", "INFO", "--hostname", f"test-{os.getpid()}@%h", "--without-mingle", "--without-gossip",
         "-Q", settings.CELERY_TASK_DEFAULT_QUEUE],
        env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    from config.celery_app import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5, destination=[f"test-{os.getpid()}@{os.uname().nodename}"]):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"test Celery worker did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
    yield proc
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def erp(make_enterprise):
    """An enterprise whose schema is active for the whole test (units, main warehouse WH/STOCK seeded)."""
    from django_tenants.utils import tenant_context

    enterprise = make_enterprise()
    with tenant_context(enterprise):
        yield enterprise


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright (browser tests). Playwright's sync API keeps an event
    loop running in this thread, so the ORM calls a test makes need DJANGO_ALLOW_ASYNC_UNSAFE."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
