from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovdataConfig(AppConfig):
    name = "api.govdata"
    label = "govdata"
    verbose_name = _("Government enterprise data")
