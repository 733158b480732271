from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "erp_modules.partners"
    label = "partners"
    verbose_name = _("Customers and suppliers")
