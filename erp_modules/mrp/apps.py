from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MrpConfig(AppConfig):
    name = "erp_modules.mrp"
    label = "mrp"
    verbose_name = _("Material requirements planning")
