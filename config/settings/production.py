"""Production: only tightens base. Required secrets have no default.

`manage.py check --deploy --fail-level WARNING` passes with these settings (tests/test_security_headers.py).
"""

from .base import *  # noqa: F403
from urllib.parse import unquote

from .base import env

SECRET_KEY = env.str("SECRET_KEY")
DATABASES["default"] = env.db_url("DATABASE_URL")  # noqa: F405
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DEBUG = False
PUBLIC_SCHEME = env.str("PUBLIC_SCHEME", default="https")
PUBLIC_PORT = env.str("PUBLIC_PORT", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# TLS is terminated by the proxy in front (docs/operations.md), which sets X-Forwarded-Proto and appends
# the client's address to X-Forwarded-For (TRUSTED_PROXY_COUNT proxies; log-in throttling needs it).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes of the load balancer speak plain HTTP to gunicorn
# HSTS for the public host and every enterprise sub-domain (all served by the wildcard certificate).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a decision for the owner of the registrable domain (e.g. cixi.gov.cn), not for this
# sub-domain's operator: off unless asked for, and the check that nags about it is silenced.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Cookies: Secure, HttpOnly, SameSite=Lax, host-only. The __Host- prefix makes browsers refuse such a
# cookie unless it is Secure, has Path=/ and no Domain, so no sub-domain can plant one for another host.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
