from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "erp_modules.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        # apps.py is imported while the app registry is loading: the importers (models) only now
        from erp_modules.catalog.importers import BomLineImporter
        from erp_modules.common.imports import import_kind_register

        import_kind_register(importer=BomLineImporter, order=20)
