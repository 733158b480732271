"""Excel import speed: 50,000 item rows through the import pipeline (read with pandas, validate
every row, write in one transaction) against creating the same items one by one with the item
service (the baseline, on a slice of the rows), in the same run.

    .venv/bin/python bench/imports.py [--quick]

Last line: RESULT import_s=… rows=… rows_per_s=… baseline_rows_per_s=… ratio=…
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._common import bench_database_url, bench_redis_url, recreate_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 rows instead of 50,000")
    args = parser.parse_args()
    rows = 5_000 if args.quick else 50_000
    baseline_rows = 500 if args.quick else 2_000

    url, server = bench_database_url("bench_imports")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    redis_url, redis_server = bench_redis_url()
    os.environ["REDIS_URL"] = redis_url
    import logging

    logging.disable(logging.INFO)
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from django_tenants.utils import tenant_context
    from openpyxl import Workbook

    import erp_modules.common.imports as imports
    from core.uscc import uscc_make
    from erp_modules.catalog.models import Item, UnitOfMeasure
    from erp_modules.catalog.services import item_create
    from tenants import services
    from tenants.models import User

    call_command("migrate_schemas", interactive=False, verbosity=0, no_spare_pool=True)
    services._spare_pool_refill_later = lambda: None
    owner = User.objects.create_user(email="bench@example.test", password="x")
    enterprise = services.enterprise_provision(name="导入基准企业", slug="imports", uscc=uscc_make(org_body="50000000"),
                                               industry="3854", owner=owner)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("items")
    sheet.append(["code", "name", "item_type", "uom", "category", "lead_time_days", "safety_stock",
                  "standard_cost"])
    for n in range(rows):
        sheet.append([f"IMP-{n:06d}", f"导入物料 {n}", "component", "个", f"类别{n % 20}", str(n % 15),
                      str(n % 50), f"{(n % 997) / 10:.2f}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    print(f"{rows:,} rows, file {len(content) / 1e6:.1f} MB")
    with tenant_context(enterprise):
        with transaction.atomic():
            job = imports.ImportJob.objects.create(kind="items", original_name="items.xlsx")
            job.file.save("items.xlsx", SimpleUploadedFile("items.xlsx", content), save=True)
        started = time.perf_counter()
        job = imports.import_job_run(job_id=job.pk)
        import_s = time.perf_counter() - started
        assert job.status == "done" and job.written_rows == rows, (job.status, job.message, job.errors[:3])
        assert Item.objects.filter(code__startswith="IMP-").count() == rows
        unit = UnitOfMeasure.objects.get(code="pcs")
        started = time.perf_counter()
        for n in range(baseline_rows):
            item_create(code=f"ONE-{n:06d}", name=f"逐条物料 {n}", item_type="component", uom=unit)
        baseline_s = time.perf_counter() - started
    rate, baseline_rate = rows / import_s, baseline_rows / baseline_s
    print(f"import pipeline (read + validate every row + write all): {import_s:.2f} s, {rate:,.0f} rows/s")
    print(f"baseline (item_create per row, {baseline_rows:,} rows):      {baseline_s:.2f} s, {baseline_rate:,.0f} rows/s")
    print(f"ratio {rate / baseline_rate:.1f}x")
    print(f"RESULT import_s={import_s:.2f} rows={rows} rows_per_s={rate:.0f} baseline_rows_per_s={baseline_rate:.0f} "
          f"ratio={rate / baseline_rate:.1f}")
    if server is not None:
        server.stop()
    if redis_server is not None:
        redis_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
