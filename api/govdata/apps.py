from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.dashboard import dashboard_card_register
from core.demo import demo_seeder_register
from ecommerce.credit_source import credit_source_register


def _dashboard_card(request) -> dict:
    from api.govdata.selectors import registry_for

    uscc = request.enterprise.uscc
    return {"uscc": uscc, "registry": registry_for(uscc)}


class GovdataConfig(AppConfig):
    name = "api.govdata"
    label = "govdata"
    verbose_name = _("Government enterprise data")

    def ready(self):
        # the enterprise dashboard: the credit badge and, when the registry knows the code, its facts
        dashboard_card_register(key="govdata", order=10, template="govdata/_dashboard_card.html",
                                context=_dashboard_card)
        # the boards' credit flag and badges (a lower layer: they read what is registered); imported here,
        # once the models are loaded, as the module reads them
        from api.govdata.boards import BOARDS_CREDIT_SOURCE

        credit_source_register(BOARDS_CREDIT_SOURCE)
        # the ERP's customers and suppliers: registry status and credit badge, the override of an order with
        # a revoked or abnormal partner (erp_modules/partners/credit.py)
        from api.govdata.partners import PARTNER_CREDIT_SOURCE
        from erp_modules.partners.credit import partner_credit_source_register

        partner_credit_source_register(PARTNER_CREDIT_SOURCE)
        # demo data: registry and credit records of the demo enterprises, their partners and other Cixi
        # companies, after the ERP's demo (it gives the ERP partners their credit codes)
        from api.govdata.demo import seed_govdata_demo

        demo_seeder_register(key="govdata", order=15, seed=seed_govdata_demo)
