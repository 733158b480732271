from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The informatization office (PUBLIC schema). Until the move out of tenants/ the app was
    ``tenants.programs`` with the label "programs": migration 0005 renames what carried that label."""

    name = "office"
    label = "office"
    verbose_name = _("Pilot programmes and adoption")

    def ready(self):
        from core.demo import demo_seeder_register
        from office.demo import seed_programme_demo

        # last: the programmes enrol the demo enterprises and count their ERP data and board listings
        demo_seeder_register(key="office", order=90, seed=seed_programme_demo)
