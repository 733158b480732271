from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FreightConfig(AppConfig):
    """A shipment's need posted on the freight board (物流运力, public boards) and the accepted quotation back."""

    name = "logistics.freight"
    label = "logistics_freight"
    verbose_name = _("Freight board")
