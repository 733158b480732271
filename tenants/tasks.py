from celery import shared_task

from tenants import provisioning, services


@shared_task(name="tenants.spare_pool_top_up", ignore_result=True)
def spare_pool_top_up() -> int:
    return provisioning.spare_pool_top_up()


@shared_task(name="tenants.login_handoff_purge", ignore_result=True)
def login_handoff_purge() -> int:
    return services.login_handoff_purge()
