from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = _("Enterprises and accounts")

    def ready(self):
        from tenants.dashboard import dashboard_cards_register

        dashboard_cards_register()
