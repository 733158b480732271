"""Settings for Digital Bridge. Everything is driven by the environment (django-environ).

`core.runner` (used by `make run` / `make test`) starts the embedded PostgreSQL and Redis
and exports DATABASE_URL / REDIS_URL / CELERY_BROKER_URL before Django starts; with those
variables already set it uses the given servers instead.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
    "axes",  # log-in failures and locks, in the public schema (shown in the platform admin)
    "csp",
    "django_htmx",
    "graphene_django",
    "core",
    "office",
    "billing",  # plans, subscriptions, invoices, payments; Stripe is one adapter (billing.providers)
    "ecommerce",
    "api.govdata",
    "api.tokens",
    "pdm.sharing",  # shares of part revisions and documents with design partners (public: between enterprises)
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
    "erp_modules.workspace",  # the ERP as a whole (factory overview, demo scenario); no models
    "pdm.parts",
    "pdm.vault",
    "pdm.changes",
    "logistics.carriers",
    "logistics.shipments",
    "logistics.tracking",
    "logistics.freight",  # a shipment's need on the freight board and the accepted quotation back
    "logistics.reports",  # the logistics dashboard; no tables
)
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Enterprise"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# The pre-migrated schema that new enterprises are cloned from (see docs/architecture.md).
TENANT_TEMPLATE_SCHEMA = "tenant_template"
# Pre-migrated spare schemas kept ready so that sign-up does not wait for DDL.
TENANT_SPARE_POOL_SIZE = env.int("TENANT_SPARE_POOL_SIZE", default=5)
# Billing: days a past-due subscription keeps full access (with a warning) before the enterprise turns read-only.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=14)
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "tenants.middleware.EnterpriseHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # outside the others: redirects and static files too
    "core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.input_guard.InputGuardMiddleware",  # 400 for NUL or non-UTF-8 in path, query, form names/values
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionHostMiddleware",  # before authentication: a session from another host is ended
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.UserLanguageMiddleware",
    "tenants.middleware.MembershipMiddleware",
    "tenants.middleware.EntitlementMiddleware",  # after the membership check: a non-member learns nothing of the plan
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out attempt into the lock-out page
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
            # `unlocalize` everywhere: ids and page numbers in URLs and form values must never be grouped
            # (USE_THOUSAND_SEPARATOR renders 1106 as "1,106"); tests/test_template_numbers.py checks it.
            "builtins": ["django.templatetags.l10n"],
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
    "boards-capacity-nightly": {"task": "ecommerce.capacity_listings_refresh_all", "schedule": crontab(minute=45, hour=1)},
    "boards-listings-expire": {"task": "ecommerce.listings_expire", "schedule": 900.0},
    "programs-adoption-snapshots": {"task": "programs.adoption_snapshot_all", "schedule": crontab(minute=15, hour=1)},
    "programs-monthly-report": {"task": "programs.monthly_report",
                                "schedule": crontab(minute=0, hour=4, day_of_month="1")},
    "stock-month-end-close": {"task": "inventory.month_end_close_all",
                              "schedule": crontab(minute=30, hour=0, day_of_month="1")},
    "billing-subsidy-statements": {"task": "billing.subsidy_statements_monthly",
                                   "schedule": crontab(minute=30, hour=3, day_of_month="1")},
    "billing-bank-transfer-periods": {"task": "billing.bank_transfer_periods", "schedule": crontab(minute=15, hour=1)},
    "billing-past-due-read-only": {"task": "billing.past_due_read_only", "schedule": crontab(minute=5)},
    # billing/dunning.py: the day 1, 7 and 13 e-mails to the owners of past-due subscriptions
    "billing-dunning": {"task": "billing.dunning_send", "schedule": crontab(minute=0, hour=9)},
}
# Task modules autodiscovery (`<app>.tasks`) does not find: billing keeps one module per concern.
CELERY_IMPORTS = ("billing.tasks_subscriptions", "billing.tasks_subsidies", "billing.tasks_entitlements", "billing.dunning")

AUTH_USER_MODEL = "tenants.User"
# django-axes' backend first: it refuses a locked account or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
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
# Cookies stay host-only (no SESSION_COOKIE_DOMAIN): each host has its own session, made by a log-in
# or a hand-off there. core.middleware.SessionHostMiddleware ends a session shown on another host, and
# (outside tests) a logged-in session that records no host at all.
SESSION_REQUIRE_HOST = True
CSRF_COOKIE_HTTPONLY = True  # pages read the token from <meta name="csrf-token">, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
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
SECURE_REFERRER_POLICY = "same-origin"

# Reverse proxies in front of gunicorn that append to X-Forwarded-For (core.throttle.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Log-in throttling (django-axes, docs/security.md): AXES_FAILURE_LIMIT failed log-ins lock the
# account, and separately the address, until AXES_COOLOFF_TIME has passed since the last failure, or
# until the platform admin deletes the attempt (admin › Axes › Access attempts). Counted: the public
# /login/, /admin/login/ and bad hand-off tickets (per address). Attempts made while locked do not
# extend the lock, and a successful log-in does not wipe earlier failures (it would let an attacker
# with one valid account reset the counter of their address).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = "core.throttle.login_lockout_parameters"
AXES_USERNAME_CALLABLE = "core.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "core.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "tenants.views.login_locked_out"
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are not kept (no retention policy for them yet)
AXES_VERBOSE = False  # no start-up banner on every command; warnings still name each failure
AXES_SENSITIVE_PARAMETERS = ["csrfmiddlewaretoken", "t"]  # never stored with an attempt (passwords never are)
# Password-reset mails: per address and per account, within one window (core.throttle.throttle_hit).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_WINDOW = timedelta(hours=1)


def _form_action_sources(hosts: list[str]) -> list[str]:
    """Forms post to their own host, but log-in, sign-up and log-out answer with a redirect to another
    host of the platform, which browsers check against form-action too: allow every allowed host."""
    sources = [SELF]
    for host in hosts:
        if host == "*":
            return [SELF, "*"]
        if host.startswith("."):
            sources += [f"{host[1:]}:*", f"*{host}:*"]
        else:
            sources.append(f"{host}:*")
    return sources


# Content-Security-Policy (django-csp): only our own (vendored) scripts and styles, no inline script,
# no eval. Style *attributes* stay allowed (style-src-attr): pages use a few for widths and colours,
# and ECharts writes its tooltips with them; a style attribute can only restyle its own element.
# <style> elements are refused (style-src-elem); 'unsafe-inline' in style-src only serves browsers
# that predate the -elem/-attr directives.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": _form_action_sources(ALLOWED_HOSTS),
    },
}
# Added to the policy of the document page of the vault only (pdm/vault/views.py), for the 3D view of STEP
# models (static/vendor/model-viewer-4.4.0; checked in Chromium by pdm/vault/tests/test_previews_step.py):
# 'wasm-unsafe-eval' because model-viewer compiles its bundled meshopt decoder (WebAssembly) when it loads
# (it allows compiling WebAssembly, not eval of JavaScript); and the hash of the one <style> element
# model-viewer puts in its shadow root (its layout; only that exact text: a new model-viewer version has a
# new hash, which the browser reports in its console).
CONTENT_SECURITY_POLICY_MODEL_VIEWER = {
    "script-src": ["'wasm-unsafe-eval'"],
    "style-src-elem": ["'sha256-PXtZZkJMMyc18o/DN1ZEFOJ2qEGq95IQbVaJFMOXOb0='"],
}
# Permissions-Policy (core.middleware.PermissionsPolicyMiddleware): features no page uses, for no one.
PERMISSIONS_POLICY = {
    "accelerometer": [], "camera": [], "display-capture": [], "geolocation": [], "gyroscope": [],
    "magnetometer": [], "microphone": [], "midi": [], "payment": [], "usb": [],
}

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

# Tracking (logistics.tracking.connectors): the push aggregator in kuaidi100's shape. `make run` starts the local
# tracking server (logistics/tracking/devserver.py) and sets TRACKING_AGGREGATOR_URL; the real one is
# https://poll.kuaidi100.com with a real key and customer id.
TRACKING_AGGREGATOR_URL = env.str("TRACKING_AGGREGATOR_URL", default="http://127.0.0.1:8421")
TRACKING_AGGREGATOR_KEY = env.str("TRACKING_AGGREGATOR_KEY", default="devkey")
TRACKING_AGGREGATOR_CUSTOMER = env.str("TRACKING_AGGREGATOR_CUSTOMER", default="DEVCUSTOMER")
TRACKING_HTTP_TIMEOUT = env.float("TRACKING_HTTP_TIMEOUT", default=10.0)
TRACKING_POLL_MINUTES = env.int("TRACKING_POLL_MINUTES", default=30)  # the first interval; doubled after each empty poll
TRACKING_POLL_MAX_HOURS = env.int("TRACKING_POLL_MAX_HOURS", default=24)
TRACKING_POLL_PER_MINUTE = env.int("TRACKING_POLL_PER_MINUTE", default=60)  # per carrier, for the whole platform
TRACKING_SUBSCRIBE_MAX_ATTEMPTS = env.int("TRACKING_SUBSCRIBE_MAX_ATTEMPTS", default=5)
TRACKING_NO_NEWS_DAYS = env.int("TRACKING_NO_NEWS_DAYS", default=3)
TRACKING_CARRIER_PROVIDERS: dict[str, str] = {}  # carrier code -> "aggregator" | "polling" (default by kind)

# Stripe (billing.providers.stripe). `make run` / `make test` start localstripe (a fake Stripe, a dev extra, GPLv3,
# run as a separate process and never imported) and set STRIPE_API_BASE / STRIPE_API_KEY / STRIPE_WEBHOOK_SECRET;
# with STRIPE_API_KEY set before, nothing is started and that Stripe is used (docs/billing.md, "Stripe").
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_LOCALSTRIPE = env.bool("STRIPE_LOCALSTRIPE", default=not STRIPE_API_BASE.startswith("https://api.stripe.com"))
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)  # seconds; older signatures are refused
STRIPE_CURRENCY = env.str("STRIPE_CURRENCY", default="cny")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_EVENT_MAX_RETRIES = env.int("STRIPE_EVENT_MAX_RETRIES", default=8)  # the Celery task's retries of one event
