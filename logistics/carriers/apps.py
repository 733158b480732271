from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarriersConfig(AppConfig):
    name = "logistics.carriers"
    label = "logistics_carriers"
    verbose_name = _("Carriers and rate cards")
