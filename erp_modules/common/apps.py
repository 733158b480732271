from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "erp_modules.common"
    label = "erp_common"
    verbose_name = _("Common")
