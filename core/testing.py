"""Helpers for the browser (Playwright) tests of every app."""

from __future__ import annotations


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
