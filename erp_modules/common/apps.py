from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """What every ERP area shares, at the bottom of the ERP layers: document numbering, change history,
    the ERP settings and the import centre (each area registers its import kinds, see imports.py)."""

    name = "erp_modules.common"
    label = "erp_common"
    verbose_name = _("Common")
