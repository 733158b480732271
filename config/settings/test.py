import os

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TENANT_SPARE_POOL_SIZE = 2
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]
# Each test run has its own queue, so a worker of `make run` on the same Redis never takes a test's task;
# the worker started by a test gets the same name through the environment.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default=f"test-{os.getpid()}")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# A test database per run, so two `make test` (or a test beside a helper's run) never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
# Client.force_login logs in outside any request, so its session records no host; sessions made by a
# real log-in or hand-off are still bound to their host (tests/test_security_sessions.py).
SESSION_REQUIRE_HOST = False
# django-axes stays on (AXES_ENABLED defaults to True): the throttling tests exercise the real thing,
# and each test's attempts roll back with its transaction.
