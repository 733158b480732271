"""The industry picker of the sign-up page in a real browser (Debian's chromium, Playwright): typing a word
lists the matching GB/T 4754 classes under the box, a click (or Enter) chooses one in the grouped select
without submitting the form; without JavaScript the box stays hidden and the select alone is there."""

from urllib.parse import urlsplit

import pytest

from core.testing import browser_page

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_word_lists_the_classes_and_a_click_chooses_one(live_server, chromium):
    site = f"http://localhost:{urlsplit(live_server.url).port}"
    page = browser_page(chromium, locale="zh-CN")
    try:
        page.goto(f"{site}/signup/")
        box = page.locator("[data-industry-search]")
        expect(box).to_be_visible()
        box.fill("塑料零件")
        pick = page.locator('[data-industry-pick="2929"]')
        expect(pick).to_contain_text("2929 塑料零件及其他塑料制品制造")
        expect(pick).to_contain_text("29 橡胶和塑料制品业 › 292 塑料制品业")
        pick.click()
        expect(page.locator("#id_industry")).to_have_value("2929")
        expect(page.locator("[data-industry-pick]")).to_have_count(0)
        # Enter chooses the first match and does not submit the form
        box.fill("3525")
        expect(page.locator('[data-industry-pick="3525"]')).to_be_visible()
        box.press("Enter")
        expect(page.locator("#id_industry")).to_have_value("3525")
        assert page.url == f"{site}/signup/"
    finally:
        page.context.close()


def test_without_javascript_the_grouped_select_alone_is_shown(live_server, chromium):
    site = f"http://localhost:{urlsplit(live_server.url).port}"
    page = browser_page(chromium, locale="zh-CN", java_script_enabled=False)
    try:
        page.goto(f"{site}/signup/")
        expect(page.locator("[data-industry-search]")).to_be_hidden()
        page.locator("#id_industry").select_option("2929")
        expect(page.locator("#id_industry")).to_have_value("2929")
    finally:
        page.context.close()
