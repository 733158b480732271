"""Settings for Digital Bridge. Everything is driven by the environment (django-environ).

`core.runner` (used by `make run` / `make test`) starts the embedded PostgreSQL and Redis
and exports DATABASE_URL / REDIS_URL / CELERY_BROKER_URL before Django starts; with those
variables already set it uses the given servers instead.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from core.services_url import broker_url_from_redis_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / ".data"))).resolve()

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-9f1c3e6b2a7d4e80b5c1d2e3f4a5b6c7-not-for-production")
DEBUG = env.bool("DEBUG", default=False)

# Hosts: the public site answers on BASE_DOMAIN, each enterprise on <slug>.BASE_DOMAIN.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
PORT = env.int("PORT", default=8000)
# How the platform builds absolute links (emails, the switcher, the CLI). Empty port = default port.
PUBLIC_SCHEME = env.str("PUBLIC_SCHEME", default="http")
PUBLIC_PORT = env.str("PUBLIC_PORT", default=str(PORT))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, "." + BASE_DOMAIN, "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Sub-domains that can never be an enterprise slug.
RESERVED_SLUGS = {
    "www", "admin", "api", "static", "media", "public", "office", "mail", "smtp", "ftp", "app",
    "platform", "help", "docs", "status", "template", "test", "demo-template",
}

SHARED_APPS = (
    "tenants",  # first: its migrate/migrate_schemas commands override django-tenants' own
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "graphene_django",
    "core",
    "tenants.programs",
    "ecommerce",
    "api.govdata",
)
TENANT_APPS = (
    "django.contrib.contenttypes",
    "erp_modules.files",
    "erp_modules.common",
    "erp_modules.catalog",
    "erp_modules.inventory",
    "erp_modules.partners",
    "erp_modules.purchasing",
    "erp_modules.sales",
    "erp_modules.production",
    "erp_modules.mrp",
)
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Enterprise"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# The pre-migrated schema that new enterprises are cloned from (see docs/architecture.md).
TENANT_TEMPLATE_SCHEMA = "tenant_template"
# Pre-migrated spare schemas kept ready so that sign-up does not wait for DDL.
TENANT_SPARE_POOL_SIZE = env.int("TENANT_SPARE_POOL_SIZE", default=5)
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "tenants.middleware.EnterpriseHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.UserLanguageMiddleware",
    "tenants.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls_tenants"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/digitalbridge")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")  # a socket directory may be %-encoded
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema of the request/task that made it (django-tenants).
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="db"),
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or broker_url_from_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or broker_url_from_redis_url(REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "spare-schema-pool-top-up": {"task": "tenants.spare_pool_top_up", "schedule": 60.0},
    "login-handoff-purge": {"task": "tenants.login_handoff_purge", "schedule": 3600.0},
    "govdata-nightly-sync": {"task": "govdata.sync_nightly", "schedule": crontab(minute=30, hour=2)},
    "boards-listings-expire": {"task": "ecommerce.listings_expire", "schedule": 900.0},
    "programs-adoption-snapshots": {"task": "programs.adoption_snapshot_all", "schedule": crontab(minute=15, hour=1)},
    "programs-monthly-report": {"task": "programs.monthly_report",
                                "schedule": crontab(minute=0, hour=4, day_of_month="1")},
    "stock-month-end-close": {"task": "inventory.month_end_close_all",
                              "schedule": crontab(minute=30, hour=0, day_of_month="1")},
}

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A handed-over session is only valid for this long after it was signed.
LOGIN_HANDOFF_MAX_AGE = 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: files go through membership-checked views
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="数码桥 Digital Bridge <noreply@digitalbridge.local>")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

PLATFORM_NAME = _("Digital Bridge")
HEALTHZ_CELERY_TIMEOUT = 1.0
# A sign-up must not hang when the broker is down: give up publishing quickly (beat retries later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

GRAPHENE = {"SCHEMA": "api.graphql.schema.schema"}

# Government data exchange (api/govdata): the live API and the folder the centre drops files into.
GOVDATA_API_URL = env.str("GOVDATA_API_URL", default="")
GOVDATA_API_KEY = env.str("GOVDATA_API_KEY", default="")
GOVDATA_EXCHANGE_DIR = env.str("GOVDATA_EXCHANGE_DIR", default=str(DATA_DIR / "govdata" / "inbox"))
