"""The four programmes of the Cixi special fund (16M CNY over 2026–2027, i.e. 8M a year).
Budgets, periods and criteria can be changed by a platform administrator afterwards."""

from datetime import date
from decimal import Decimal

from django.db import migrations

ERP_DOCUMENTS = ["purchase_orders", "receipts", "quotations", "sales_orders", "deliveries", "invoices", "work_orders"]
OVER_20M = ["20m_100m", "100m_500m", "gt500m"]

PROGRAMMES = [
    {
        "code": "erp-pilot", "name": "ERP 上平台试点", "module": "erp",
        "description": "10 家企业在平台 ERP 上开展采购、销售和生产业务。",
        "target_kind": "count", "target_count": 10, "budget": Decimal("6000000.00"),
        "criteria": {"min_active_users_30d": 3, "min_documents_per_month": 50, "consecutive_months": 2,
                     "document_kinds": ERP_DOCUMENTS},
    },
    {
        "code": "pdm-demo", "name": "PDM 示范企业", "module": "pdm",
        "description": "5 家示范企业在平台上管理物料、BOM 和图纸文档。",
        "target_kind": "count", "target_count": 5, "budget": Decimal("2000000.00"),
        "criteria": {"min_active_users_30d": 2, "min_documents_per_month": 20, "consecutive_months": 1,
                     "document_kinds": ["items", "boms", "files"], "min_completeness_pct": 60},
    },
    {
        "code": "logistics", "name": "物流信息化", "module": "logistics",
        "description": "100 家企业在平台上登记发货与物流信息。",
        "target_kind": "count", "target_count": 100, "budget": Decimal("4000000.00"),
        "criteria": {"min_active_users_30d": 1, "min_documents_per_month": 20, "consecutive_months": 1,
                     "document_kinds": ["deliveries"]},
    },
    {
        "code": "over-20m", "name": "规上企业信息化覆盖率 70%", "module": "general",
        "description": "年销售额 2000 万元以上企业的信息化覆盖率达到 70%。",
        "target_kind": "share", "target_share_pct": Decimal("70.00"), "cohort_sales_bands": OVER_20M,
        "budget": Decimal("4000000.00"),
        "criteria": {"min_active_users_30d": 3, "min_documents_per_month": 30, "consecutive_months": 2,
                     "min_modules_in_use": 2},
    },
]


def seed(apps, schema_editor):
    Programme = apps.get_model("office", "Programme")
    for spec in PROGRAMMES:
        fields = dict(spec)
        code = fields.pop("code")
        Programme.objects.get_or_create(code=code, defaults={
            **fields, "period_start": date(2026, 1, 1), "period_end": date(2027, 12, 31),
            "fund": "慈溪市企业信息化专项资金"})


def unseed(apps, schema_editor):
    Programme = apps.get_model("office", "Programme")
    Programme.objects.filter(code__in=[p["code"] for p in PROGRAMMES], enrolments__isnull=True).delete()


class Migration(migrations.Migration):
    replaces = [("programs", "0002_seed_programmes")]  # the old label: see 0005
    dependencies = [("office", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
