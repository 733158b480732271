from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "pdm.changes"
    label = "pdm_changes"
    verbose_name = _("Engineering changes")

    def ready(self):
        # the PDM demo (pdm/changes/demo.py) builds on parts, the vault and ECOs: registered here, the top of
        # pdm's own order, so no sibling imports the app that imports it back
        from core.demo import demo_seeder_register
        from pdm.changes.demo import seed_pdm_demo

        demo_seeder_register(key="pdm", order=20, seed=seed_pdm_demo)
