from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.dashboard import dashboard_card_register


def _dashboard_card(request) -> dict | None:
    # apps.py is imported while the app registry is loading: the selectors (models) only when asked
    from logistics.reports.views import dashboard_card

    return dashboard_card(request)


class ReportsConfig(AppConfig):
    """The logistics dashboard (no tables of its own): shipments by status, on-time rate, freight."""

    name = "logistics.reports"
    label = "logistics_reports"
    verbose_name = _("Logistics dashboard")

    def ready(self):
        # the enterprise dashboard: shipments in transit, open exceptions, on-time rate of 30 days
        dashboard_card_register(key="logistics", order=50, template="logistics_reports/_dashboard_card.html",
                                context=_dashboard_card)
