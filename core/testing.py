"""Helpers for the tests of every app: error codes of a ValidationError, and a browser page (Playwright) with
its log-in and the screenshots' directory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from core.errors import error_codes, error_codes_by_field


def live_site(live_server, slug: str = "") -> str:
    """The address of the public site on pytest-django's live server, or of enterprise ``slug``'s sub-domain."""
    return f"http://{slug + '.' if slug else ''}localhost:{urlsplit(live_server.url).port}"


def browser_page(chromium, *, locale: str = "en-US", viewport: tuple[int, int] = (1400, 1000),
                 timeout_ms: int = 15_000, **options):
    """A page in a new context of the ``chromium`` browser (its locale, its viewport as (width, height), every wait
    timing out after ``timeout_ms``); ``options`` go to ``new_context`` (e.g. accept_downloads=True). Close it with
    ``page.context.close()``."""
    width, height = viewport
    context = chromium.new_context(locale=locale, viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(timeout_ms)
    return context.new_page()


def screenshots_dir() -> Path:
    """The test run's directory for screenshots (DATA_DIR/screenshots), created if missing."""
    path = Path(settings.DATA_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def browser_login(page, site: str, email: str, password: str, *, then: str | None = None) -> None:
    """Log in on the public site's login page; then wait for the redirect to ``then`` (a URL glob such
    as "http://acme.localhost:8123/**"), or for the next page to load."""
    page.goto(f"{site}/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    if then:
        page.wait_for_url(then)
    else:
        page.wait_for_load_state()


def run_together(threads) -> None:
    """Start every thread, then wait for them all to end."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def codes(error) -> list[str]:
    """The codes of a ValidationError (or of the one a ``pytest.raises`` caught), in order."""
    return error_codes(getattr(error, "value", error))


def codes_by_field(error) -> dict[str, list[str]]:
    """{field: [codes]} of a ValidationError (or of the one a ``pytest.raises`` caught)."""
    return error_codes_by_field(getattr(error, "value", error))
