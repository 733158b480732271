from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.dashboard import dashboard_card_register


def _dashboard_card(request) -> dict:
    # apps.py is imported while the app registry is loading: the selectors (models) only when asked
    from erp_modules.files.selectors import attachment_stats

    return {"file_stats": attachment_stats()}


class FilesConfig(AppConfig):
    name = "erp_modules.files"
    label = "files"
    verbose_name = _("Files")

    def ready(self):
        # the enterprise dashboard: how many files the enterprise keeps, and their size
        dashboard_card_register(key="files", order=40, template="files/_dashboard_card.html",
                                context=_dashboard_card)
