"""Provisioning speed: the platform's way (spare pool / lean clone) against django-tenants' default
(run every migration in each new schema), in the same run, on the same database.

    .venv/bin/python bench/provision.py [--quick] [-n N]

Uses DATABASE_URL if set, else an embedded PostgreSQL under .data/bench. Works in its own database
(<name>_bench), which it drops and recreates. Last line: RESULT fast_s=… clone_s=… default_s=… ratio=…
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._common import bench_database_url, recreate_database  # noqa: E402


def _bench_database_url() -> tuple[str, object]:
    return bench_database_url("bench_provision")


_recreate_database = recreate_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 enterprises per method")
    parser.add_argument("-n", type=int, default=None, help="enterprises per method (default 10)")
    args = parser.parse_args()
    n = args.n or (3 if args.quick else 10)

    bench_url, server = _bench_database_url()
    _recreate_database(bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")  # not used: nothing is queued
    os.environ["TENANT_SPARE_POOL_SIZE"] = str(n)
    import logging

    logging.disable(logging.INFO)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.uscc import uscc_make
    from tenants import provisioning, services
    from tenants.models import Domain, Enterprise, SpareSchema, User

    t0 = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0, no_spare_pool=True)
    print(f"database migrated in {time.perf_counter() - t0:.1f}s (tenant apps: "
          f"{len(provisioning._template_clone_script())} clone statements)")
    owner = User.objects.create_user(email="bench@example.test", password="x")
    # Nothing may be queued from the benchmark (no broker is needed): refills are measured below.
    services._spare_pool_refill_later = lambda: None
    counter = iter(range(10_000_000))

    def provision(label: str) -> float:
        i = next(counter)
        started = time.perf_counter()
        services.enterprise_provision(name=f"基准企业{i}", slug=f"{label}{i}", uscc=uscc_make(org_body=f"{i:08d}"),
                                      industry="3854", owner=owner)
        return time.perf_counter() - started

    # Warm-up (imports, first connection, plan caches): one of each, not timed.
    provisioning.spare_pool_top_up(size=1)
    provision("warmpool")
    provision("warmclone")
    # 1. The sign-up path with a ready pool (the pool is refilled in the background by Celery).
    t0 = time.perf_counter()
    provisioning.spare_pool_top_up(size=n)
    refill_s = (time.perf_counter() - t0) / n
    fast = [provision("pool") for _ in range(n)]
    assert SpareSchema.objects.count() == 0
    # 2. The same service with an empty pool: a lean clone of the template inside the transaction.
    clone = [provision("clone") for _ in range(n)]
    # 3. django-tenants' default: create the schema and run every tenant migration in it.
    default = []
    for _ in range(n + 1):
        i = next(counter)
        started = time.perf_counter()
        with transaction.atomic():
            enterprise = Enterprise(name=f"默认企业{i}", slug=f"default{i}", uscc=uscc_make(org_body=f"{i:08d}"),
                                    industry="3854", schema_name=provisioning.schema_name_generate(),
                                    status=Enterprise.Status.ACTIVE)
            enterprise.save()
            Domain.objects.create(domain=f"default{i}.localhost", tenant=enterprise, is_primary=True)
        enterprise.create_schema(check_if_exists=True, sync_schema=True, verbosity=0)
        connection.set_schema_to_public()
        default.append(time.perf_counter() - started)
    default = default[1:]  # the first one was the warm-up

    def row(name, values):
        print(f"{name:<34} mean {statistics.mean(values):8.4f} s   p50 {statistics.median(values):8.4f} s   "
              f"max {max(values):8.4f} s")

    print(f"\n{n} enterprises per method")
    row("fast: spare pool (sign-up path)", fast)
    row("lean clone (pool empty)", clone)
    row("django-tenants default (migrate)", default)
    print(f"{'pool refill, per spare (background)':<34} mean {refill_s:8.4f} s")
    fast_s, clone_s, default_s = statistics.mean(fast), statistics.mean(clone), statistics.mean(default)
    ratio, clone_ratio = default_s / fast_s, default_s / clone_s
    print(f"\nratio default/fast = {ratio:.1f}x   default/clone = {clone_ratio:.1f}x   "
          f"(targets: >= 20x and fast < 0.5 s)")
    print(f"RESULT fast_s={fast_s:.4f} clone_s={clone_s:.4f} default_s={default_s:.4f} ratio={ratio:.1f} "
          f"clone_ratio={clone_ratio:.1f} n={n}")
    connection.close()
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
