from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The logistics dashboard (no tables of its own): shipments by status, on-time rate, freight."""

    name = "logistics.reports"
    label = "logistics_reports"
    verbose_name = _("Logistics dashboard")
