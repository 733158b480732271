"""The Celery app. tenant-schemas-celery stamps each task with the schema it was queued in
and the worker switches to that schema before running it."""

import os

from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = CeleryApp("digitalbridge", task_cls="core.tasks:TenantTask")  # gates: a task of a module off the plan is skipped
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _logistics_tracking_beat(sender, **kwargs):
    """Tracking (logistics.tracking.tasks): poll due subscriptions every 5 minutes, look for parcels without
    news every morning; each fans out one task per active enterprise."""
    sender.conf.beat_schedule.setdefault("logistics-tracking-poll-due", {
        "task": "logistics.tracking_poll_due_all", "schedule": 300.0})
    sender.conf.beat_schedule.setdefault("logistics-tracking-no-news", {
        "task": "logistics.tracking_no_news_all", "schedule": crontab(minute=0, hour=8)})
