from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "pdm.vault"
    label = "pdm_vault"
    verbose_name = _("Document vault")
