from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.demo import demo_seeder_register


def _seed_demo() -> bool:
    """The range-hood factory's ERP data in the demo enterprise 瑞丰 (manage.py seed_demo)."""
    # apps.py is imported while the app registry is loading: the demo (models) only when it runs
    from django_tenants.utils import tenant_context

    from erp_modules.workspace.demo import seed_range_hood_documents, seed_range_hood_factory
    from tenants.models import Enterprise

    with tenant_context(Enterprise.objects.get(slug="ruifeng")):
        created = seed_range_hood_factory()
        if created:  # documents only on top of the demo's own opening stock
            seed_range_hood_documents()
    return created


class WorkspaceConfig(AppConfig):
    """The ERP as a whole, above every ERP area (docs/architecture.md, "Layers"); no models.

    It holds what reads or builds several areas at once: the factory overview (/erp/, views.py), the
    range-hood demo scenario (demo.py) and the builders of the ERP tests (testing.py)."""

    name = "erp_modules.workspace"
    label = "erp_workspace"
    verbose_name = _("ERP")

    def ready(self):
        # first: the boards and the programmes count the factory's data
        demo_seeder_register(key="erp", order=10, seed=_seed_demo)
        from erp_modules.workspace.onboarding import onboarding_steps_register

        onboarding_steps_register()
