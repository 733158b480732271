"""Production: only tightens base. Required secrets have no default."""

from .base import *  # noqa: F403
from urllib.parse import unquote

from .base import env

SECRET_KEY = env.str("SECRET_KEY")
DATABASES["default"] = env.db_url("DATABASE_URL")  # noqa: F405
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DEBUG = False
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PUBLIC_SCHEME = env.str("PUBLIC_SCHEME", default="https")
PUBLIC_PORT = env.str("PUBLIC_PORT", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
