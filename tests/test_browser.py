"""End to end in a real browser (Debian's chromium, driven by Playwright): sign up on the public site,
land logged in on the enterprise's own sub-domain, invite a member, switch the language, and see a
bad credit code rejected next to its field without anything being created."""

import os
import re
import time
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.testing import browser_page, screenshots_dir
from core.uscc import uscc_errors

from tenants.models import Enterprise, Invitation, Role, User

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Kitchen-Hood-2026!"
NAME = "慈溪市浏览器厨电有限公司"
SLUG = "browser-hood"
BAD_USCC = "91330282671205242X"  # check character should not be X


def _port(live_server) -> int:
    return urlsplit(live_server.url).port


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def _sign_up_fields(page, *, uscc: str, slug: str) -> None:
    form = page.locator("#signup-form")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_uscc").fill(uscc)
    form.locator("#id_slug").fill(slug)
    form.locator("#id_industry").select_option("3854")
    form.locator("#id_sales_band").select_option("5m_20m")
    for name, value in (("full_name", "王浏览"), ("email", "owner@browser.test"), ("password", PASSWORD)):
        field = form.locator(f"#id_{name}")
        if field.count():  # a logged-in user registers another enterprise without these
            field.fill(value)


def test_sign_up_invite_switch_language_and_reject_a_bad_code(live_server, clean_schemas, chromium, mailoutbox):
    # given: the public site and an enterprise address on the live server's port, a Chinese-speaking browser
    port = _port(live_server)
    # pytest-django binds "localhost" as AF_INET, i.e. 127.0.0.1, where Chromium sends *.localhost
    assert live_server.thread.httpd.server_address[0] == "127.0.0.1"
    site = f"http://localhost:{port}"
    enterprise_site = f"http://{SLUG}.localhost:{port}"
    page = browser_page(chromium, locale="zh-CN", viewport=(1280, 900))
    context = page.context
    started = time.monotonic()

    # when: the visitor opens the home page and follows the sign-up link
    page.goto(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("main a[href='/signup/']").click()
    expect(page).to_have_url(f"{site}/signup/")

    # ... and submits the form
    _sign_up_fields(page, uscc="91330282123456788E", slug=SLUG)
    page.locator("#signup-form button[type=submit]").click()

    # then: the hand-off ticket logs them in on their own sub-domain, on the dashboard
    page.wait_for_url(f"{enterprise_site}/")
    assert page.url == f"{enterprise_site}/"
    expect(page.locator("h1#enterprise-name")).to_have_text(NAME)
    enterprise = Enterprise.objects.get(slug=SLUG)
    assert (enterprise.name, enterprise.uscc, enterprise.industry, enterprise.sales_band) == (
        NAME, "91330282123456788E", "3854", "5m_20m")
    assert [m.user.email for m in enterprise.memberships.select_related("user")] == ["owner@browser.test"]
    page.screenshot(path=str(screenshots_dir() / "dashboard.png"), full_page=True)

    # when: the owner goes to Members and invites a clerk
    page.locator("#mainnav a[href='/members/']").click()
    expect(page).to_have_url(f"{enterprise_site}/members/")
    expect(page.locator("#member-table tbody tr")).to_have_count(1)
    invite = page.locator("#invite-form")
    invite.locator("#id_email").fill("clerk@browser.test")
    invite.locator("#id_role").select_option(Role.CLERK.value)
    invite.locator("button[type=submit]").click()

    # then: the pending invitation is listed and one email with an /invite/ link went to the clerk
    expect(page).to_have_url(f"{enterprise_site}/members/")
    rows = page.locator("#invitation-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text("clerk@browser.test")
    expect(rows.first.locator("td").nth(1)).to_have_text(_in("zh-hans", "Clerk"))
    expect(page.locator(".messages .alert-success")).to_contain_text(
        _in("zh-hans", "Invitation sent to %(email)s.") % {"email": "clerk@browser.test"})
    invitation = Invitation.objects.get(enterprise=enterprise)
    assert (invitation.email, invitation.role) == ("clerk@browser.test", Role.CLERK)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["clerk@browser.test"]
    links = re.findall(r"https?://\S+/invite/\S+/", mailoutbox[0].body)
    assert links == [f"{site}/invite/{invitation.token}/"]

    # when: the owner switches the language to English in the header
    page.locator("#language-form select[name=language]").select_option("en")

    # then: the page comes back in English, on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{enterprise_site}/members/"
    expect(page.locator("#mainnav").get_by_role("link", name="Members", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_have_text("Members")
    assert User.objects.get(email="owner@browser.test").language == "en"

    # when: a bad credit code is submitted on the public sign-up page, in a new page
    enterprises_before, users_before = Enterprise.objects.count(), User.objects.count()
    second = context.new_page()
    second.goto(f"{site}/signup/")
    _sign_up_fields(second, uscc=BAD_USCC, slug="browser-hood-two")
    second.locator("#signup-form button[type=submit]").click()

    # then: the error is shown right after the credit-code field, the input is kept, nothing was created
    expect(second).to_have_url(f"{site}/signup/")
    language = second.locator("html").get_attribute("lang")
    with translation.override(language):
        expected = str(uscc_errors(BAD_USCC)[0][1])
    error = second.locator("[data-field=uscc] #id_uscc + #error-uscc")
    expect(error).to_have_text(expected)
    expect(second.locator("#id_uscc")).to_have_attribute("aria-invalid", "true")
    expect(second.locator("#id_uscc")).to_have_value(BAD_USCC)
    expect(second.locator(".invalid-feedback")).to_have_count(1)
    assert (Enterprise.objects.count(), User.objects.count()) == (enterprises_before, users_before)
    assert not Enterprise.objects.filter(slug="browser-hood-two").exists()

    print(f"browser flow took {time.monotonic() - started:.1f}s")
    context.close()
