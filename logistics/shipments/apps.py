from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShipmentsConfig(AppConfig):
    name = "logistics.shipments"
    label = "logistics_shipments"
    verbose_name = _("Shipments")

    def ready(self):
        from core.demo import demo_seeder_register
        from logistics.shipments.demo import seed_shipments_demo

        # after the ERP demo (its deliveries) and the carriers' demo; before the office counts adoption
        demo_seeder_register(key="logistics_shipments", order=31, seed=seed_shipments_demo)
