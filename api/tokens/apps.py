from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TokensConfig(AppConfig):
    name = "api.tokens"
    label = "api_tokens"
    verbose_name = _("API tokens")
