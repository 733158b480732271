from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.demo import demo_seeder_register


def _seed_demo() -> int:
    from ecommerce.demo import seed_board_demo

    return seed_board_demo()


class EcommerceConfig(AppConfig):
    name = "ecommerce"
    label = "ecommerce"
    verbose_name = _("Supply and demand boards")

    def ready(self):
        # after the ERP data, before the office's programmes (which count the listings)
        demo_seeder_register(key="boards", order=50, seed=_seed_demo)
        from ecommerce.onboarding import onboarding_steps_register

        onboarding_steps_register()
