"""Shared fixtures. Tests run against real PostgreSQL (embedded by default, see core.runner test)
and, where Celery matters, a real worker process on the real broker."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from core.embedded import dies_with_parent
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
        if fields.pop("fresh_ids", True):
            _spares_reset()
        slug = slug or f"ent{n}-{os.getpid() % 1000}"
        owner = owner or make_user(email=f"owner{n}-{slug}@example.test")
        enterprise = services.enterprise_provision(
            name=fields.pop("name", f"慈溪市测试{n}电器有限公司"), slug=slug,
            uscc=fields.pop("uscc", uscc_make(org_body=_unique_org_body())), industry=industry, owner=owner, **fields)
        connection.set_schema_to_public()
        return enterprise

    return make


@pytest.fixture
def enterprise_pair(make_enterprise, make_user):
    """make(slug_a, slug_b) -> (a, b, alice, bob): two enterprises owned by alice@<slug_a>.test and
    bob@<slug_b>.test, for the tenant isolation tests."""
    def make(slug_a: str, slug_b: str):
        alice, bob = make_user(email=f"alice@{slug_a}.test"), make_user(email=f"bob@{slug_b}.test")
        a = make_enterprise(slug=slug_a, owner=alice)
        b = make_enterprise(slug=slug_b, owner=bob)
        return a, b, alice, bob
    return make


def _spares_reset() -> None:
    """A test's transaction is rolled back, so the spare schema it took goes back to the pool with its rows
    gone, but not with the values its id sequences handed out (sequences are not transactional), nor with what
    it cached in Redis (keys carry the schema) or stored under MEDIA_ROOT/<schema>. Put those back as the
    template has them, so the next test gets a spare as fresh as a clone: tests rely on fresh ids
    (`/files/1/`, "the same id in A and B"). Cloning a schema inside every test and rolling the ~300 tables
    back again used to be most of the suite's time; a reset costs a few milliseconds."""
    import shutil

    from django.conf import settings
    from django.core.cache import cache

    from tenants.provisioning import template_schema_name

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM tenants_spareschema")
        spares = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT q.schemaname, q.sequencename, t.last_value, t.start_value FROM tenants_spareschema s"
            " JOIN pg_sequences q ON q.schemaname = s.schema_name"
            " JOIN pg_sequences t ON t.schemaname = %s AND t.sequencename = q.sequencename"
            " WHERE q.last_value IS DISTINCT FROM t.last_value",
            [template_schema_name()])
        for schema, sequence, last_value, start_value in cursor.fetchall():
            qualified = f'"{schema}"."{sequence}"'
            if last_value is None:
                cursor.execute("SELECT setval(%s, %s, false)", [qualified, start_value])
            else:
                cursor.execute("SELECT setval(%s, %s, true)", [qualified, last_value])
    client = cache._cache.get_client(write=True)
    for schema in spares:
        keys = list(client.scan_iter(match=f"{schema}:*", count=1000))
        if keys:
            client.delete(*keys)
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)


SPARES_FOR_TESTS = 3
_db_ready = False


def _spare_pool_fill() -> None:
    """Committed spares for the tests to take (outside any test's transaction). A transactional test flushes
    the public tables, the pool's included, so the pool is refilled before the next test that provisions."""
    from tenants.provisioning import spare_pool_top_up

    connection.set_schema_to_public()
    spare_pool_top_up(SPARES_FOR_TESTS)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if not _db_ready or "make_enterprise" not in getattr(item, "fixturenames", ()):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        _spare_pool_fill()


@pytest.fixture(scope="session", autouse=True)
def _public_ids_past_a_thousand(request):
    """Ids in the public schema (users, memberships, enterprises, listings, tokens…) start past 1,000 in
    tests, so every page that writes one into a URL or a form value meets a number the locale would group
    (USE_THOUSAND_SEPARATOR renders 1106 as "1,106"; CI once reached a membership id 1,106 and its
    remove button posted to /members/1,106/remove/). Tenant schemas keep fresh ids: tests rely on them.
    Runs without Django too (`make lint` runs the import-graph test with `-p no:django`)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                       " AND COALESCE(last_value, 0) < 1000")
        for (name,) in cursor.fetchall():
            cursor.execute("SELECT setval(%s, 1000)", [f'"public"."{name}"'])
        _spare_pool_fill()
    global _db_ready
    _db_ready = True


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
        preexec_fn=dies_with_parent(signal.SIGTERM),  # never outlives the test run, even one killed hard
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
