from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "pdm.sharing"
    label = "pdm_sharing"
    verbose_name = _("Design-partner sharing")
