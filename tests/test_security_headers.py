"""Headers on every response and deploy settings (docs/security.md › Headers and sessions):
Content-Security-Policy without inline script (django-csp), Permissions-Policy (core.middleware), no
template with an inline script or handler, and production settings that pass `check --deploy`."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import get_template
from django.test import Client

BASE_DIR = Path(settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def member_client(make_enterprise, make_user):
    user = make_user(email="headers@example.test")
    make_enterprise(slug="headers-co", owner=user)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("host, path, logged_in, status", [
    ("testserver", "/", False, 200),
    ("testserver", "/login/", False, 200),
    ("testserver", "/password-reset/", False, 200),
    ("testserver", "/admin/login/", False, 200),
    ("testserver", "/boards/", False, 200),
    ("testserver", "/no-such-page/", False, 404),
    ("testserver", "/static/css/app.css", False, 200),
    ("testserver", "/graphql/", True, 200),  # GraphiQL
    ("headers-co.localhost", "/", True, 200),
    ("headers-co.localhost", "/erp/", True, 200),
    ("headers-co.localhost", "/graphql/", True, 200),
    ("headers-co.localhost", "/no-such-page/", True, 404),
    ("headers-co.localhost", "/", False, 302),
    ("headers-co.localhost", "/auth/handoff/?t=bad", False, 400),
])
def test_every_kind_of_response_carries_the_policies(client, member_client, host, path, logged_in, status):
    response = (member_client if logged_in else client).get(path, HTTP_HOST=host, HTTP_ACCEPT="text/html")
    assert response.status_code == status
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'", "localhost:*", "*.localhost:*", "127.0.0.1:*"]
    assert response["Permissions-Policy"] == (
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), midi=(), payment=(), usb=()")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


class _InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' (scripts) would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") not in ("application/json", "text/template"):
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name}= handler at line {self.getpos()[0]}")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL at line {self.getpos()[0]}")


def _our_templates() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs()
             if Path(app.path).is_relative_to(BASE_DIR) and "site-packages" not in Path(app.path).parts]
    return sorted({t for d in dirs if d.is_dir() for t in d.rglob("*.html")})


def test_no_template_has_inline_script_handlers_or_style_elements():
    templates = _our_templates()
    assert len(templates) > 100  # every app's templates are walked, new ones included
    problems = {}
    for template in templates:
        parser = _InlineCode()
        parser.feed(template.read_text(encoding="utf-8"))
        if parser.found:
            problems[str(template.relative_to(BASE_DIR))] = parser.found
    assert problems == {}


def test_the_templates_installed_packages_give_the_admin_have_no_inline_code_either():
    # every admin template name any installed app ships, as the loaders resolve it (ours first): django-tenants'
    # own index and application list carry <style> elements, so the project's copies of Django's take their place
    names = {str(t.relative_to(Path(app.path) / "templates")) for app in apps.get_app_configs()
             if (Path(app.path) / "templates" / "admin").is_dir()
             for t in (Path(app.path) / "templates" / "admin").rglob("*.html")}
    assert {"admin/index.html", "admin/app_list.html", "admin/change_list.html"} <= names
    problems = {}
    for name in sorted(names):
        origin = Path(get_template(name).origin.name)
        parser = _InlineCode()
        parser.feed(origin.read_text(encoding="utf-8"))
        if parser.found:
            problems[f"{name} ({origin})"] = parser.found
    assert problems == {}


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.sources.append(dict(attrs).get("src"))


@pytest.mark.parametrize("host, path", [
    ("testserver", "/"), ("testserver", "/graphql/"), ("headers-co.localhost", "/"),
    ("headers-co.localhost", "/graphql/"), ("headers-co.localhost", "/erp/"),
])
def test_rendered_pages_load_scripts_only_from_our_static_files(member_client, host, path):
    parser = _Scripts()
    parser.feed(member_client.get(path, HTTP_HOST=host, HTTP_ACCEPT="text/html").content.decode())
    assert parser.sources, "the page has scripts"
    assert all(src and src.startswith(settings.STATIC_URL) for src in parser.sources), parser.sources


def _production_env(**extra) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://digitalbridge@db.internal:5432/digitalbridge",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "BASE_DOMAIN": "szq.example.cn",
        **extra,
    }


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "SESSION_REQUIRE_HOST", "TRUSTED_PROXY_COUNT", "AXES_ENABLED")}))
"""


def test_production_cookies_are_secure_http_only_same_site_and_host_only():
    result = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=BASE_DIR, env=_production_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-sessionid", "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_HTTPONLY": True, "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "LANGUAGE_COOKIE_SECURE": True, "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True,
        "SESSION_REQUIRE_HOST": True, "TRUSTED_PROXY_COUNT": 1, "AXES_ENABLED": True,
    }


def test_the_language_cookie_follows_the_cookie_settings(client, settings, make_user):
    settings.LANGUAGE_COOKIE_SECURE = True
    response = client.post("/language/", {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["secure"] is True and cookie["samesite"] == "Lax"
