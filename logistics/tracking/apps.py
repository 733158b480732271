from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "logistics.tracking"
    label = "logistics_tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from logistics.shipments.hooks import parcels_booked_register
        from logistics.tracking.tasks import parcels_booked

        parcels_booked_register(parcels_booked)  # booked parcels are subscribed (on commit, in the worker)
