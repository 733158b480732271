"""The Celery app. tenant-schemas-celery stamps each task with the schema it was queued in
and the worker switches to that schema before running it."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = CeleryApp("digitalbridge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
