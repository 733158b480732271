from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarriersConfig(AppConfig):
    name = "logistics.carriers"
    label = "logistics_carriers"
    verbose_name = _("Carriers and rate cards")

    def ready(self):
        from core.demo import demo_seeder_register
        from logistics.carriers.demo import seed

        demo_seeder_register(key="logistics_carriers", order=30, seed=seed)
