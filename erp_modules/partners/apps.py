from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "erp_modules.partners"
    label = "partners"
    verbose_name = _("Customers and suppliers")

    def ready(self):
        # apps.py is imported while the app registry is loading: the importers (models) only now
        from erp_modules.common.imports import import_kind_register
        from erp_modules.partners.importers import PartnerImporter

        import_kind_register(importer=PartnerImporter, order=40)
