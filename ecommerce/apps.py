from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcommerceConfig(AppConfig):
    name = "ecommerce"
    label = "ecommerce"
    verbose_name = _("Supply and demand boards")
