from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = _("Enterprises and accounts")

    def ready(self):
        from core.tasks import task_gate_register
        from tenants.dashboard import dashboard_cards_register
        from tenants.entitlements import task_plan_gate

        dashboard_cards_register()
        task_gate_register(task_plan_gate)  # a task of a module that is off the plan is skipped
