"""The ERP's getting-started steps (core.onboarding): import the items, a first BOM, a first order."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.onboarding import onboarding_step_register
from erp_modules.catalog.models import Bom, Item
from erp_modules.common.models import ImportJob
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.sales.models import SalesOrder


def _items_loaded(request) -> bool:
    """An import that wrote rows, or a catalogue of some size typed by hand (the template's units aside)."""
    return ImportJob.objects.filter(written_rows__gt=0).exists() or Item.objects.all()[4:5].exists()


def onboarding_steps_register() -> None:
    onboarding_step_register(key="items", order=30, label=_("Import your items from Excel"),
                             help=_("Download the template, fill it in and upload it: every row is checked first."),
                             url=lambda request: reverse("import_center"), done=_items_loaded)
    onboarding_step_register(key="bom", order=40, label=_("Create your first bill of materials"),
                             url=lambda request: reverse("bom_new"),
                             done=lambda request: Bom.objects.exists())
    onboarding_step_register(key="order", order=50, label=_("Enter your first order"),
                             help=_("A customer's sales order or a purchase order to a supplier."),
                             url=lambda request: reverse("sales:order_new"),
                             done=lambda request: SalesOrder.objects.exists() or PurchaseOrder.objects.exists())
