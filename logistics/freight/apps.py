from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _quotation_accepted(*, quotation_id: int):
    # apps.py is imported while the app registry is loading: the services (models) only when called
    from logistics.freight.services import freight_quotation_accepted

    return freight_quotation_accepted(quotation_id=quotation_id)


def _freight_recorded(*, shipment, user):
    from logistics.freight.services import landed_cost_apply

    return landed_cost_apply(shipment=shipment, user=user)


class FreightConfig(AppConfig):
    """A shipment's need posted on the freight board (物流运力, public boards) and the accepted quotation back."""

    name = "logistics.freight"
    label = "logistics_freight"
    verbose_name = _("Freight board")

    def ready(self):
        from ecommerce.hooks import quotation_accepted_register

        # the boards call it after a buyer's acceptance commits (ecommerce never imports logistics)
        quotation_accepted_register(_quotation_accepted)
        from logistics.shipments.hooks import freight_recorded_register

        # the freight typed on the shipment page / GraphQL also brings the landed cost up to date
        freight_recorded_register(_freight_recorded)
