from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "pdm.parts"
    label = "pdm_parts"
    verbose_name = _("Parts and revisions")

    def ready(self):
        # apps.py is imported while the app registry is loading: the services (models) only now
        from erp_modules.catalog.bom_guard import bom_guard_register
        from pdm.parts.services import catalog_bom_guard

        # the catalog's BOM pages may not change a part revision's BOM (erp_modules/catalog/bom_guard.py)
        bom_guard_register(catalog_bom_guard)

        # sales / purchase lines may name a part's revision (erp_modules/catalog/revision_source.py)
        from erp_modules.catalog.revision_source import revision_provider_register
        from pdm.parts.revision_source import PROVIDER as revision_provider

        revision_provider_register(revision_provider)

        # the catalog's BOM page names the revision that owns a BOM and links to it (erp_modules/catalog/bom_guard.py)
        from erp_modules.catalog.bom_guard import bom_owner_register
        from pdm.parts.catalog_hooks import bom_owner

        bom_owner_register(bom_owner)
