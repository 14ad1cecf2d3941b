"""Every page of the UI in a real browser, in English and French, on a desktop (1366 px) and a phone (390 px).

The walk is one list, ``SCREENS``: to add a page, add a ``Screen`` (its URL name, how to build its path
from the demo workspace, and what must be on it). ``test_every_page_of_the_url_conf_is_walked`` (no browser)
fails when the URL conf has a page that is neither walked nor listed in ``NOT_PAGES``.

Each walk fails on: an HTTP error, a JavaScript error or any console error, a Content-Security-Policy
violation, a request that leaves 127.0.0.1, a page wider than the window. Screenshots land in
``artifacts/screenshots/<page>-<lang>-<width>.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from federe.accounts.models import Workspace
from tests.browser.test_ui import log_in, switch_language

WIDTHS = (1366, 390)
LANGS = ("en", "fr")


@pytest.fixture
def make_page(browser: Browser, browser_context_args) -> Iterator:
    """Pages of a given window width (each in its own browser context, so its own cookies)."""
    contexts: list[BrowserContext] = []

    def make(width: int, height: int = 860) -> Page:
        context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": height}})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.browser
def test_the_navigation_fits_one_line_in_french_at_1366(make_page, live_server, demo_data: Workspace):
    page = make_page(1366)
    log_in(page, live_server.url)
    switch_language(page, "fr")
    links = page.locator("header.topbar nav.mainnav a")
    expect(links.first).to_be_visible()
    expect(page.locator("header.topbar details.menu > summary")).to_be_hidden()
    # Every item of the top bar (brand, workspace, links, language, account) sits on the same line.
    items = "header.topbar .brand, header.topbar .switcher > summary, header.topbar nav.mainnav a, " + (
        "header.topbar form.lang button, header.topbar details.account > summary"
    )
    centres = page.locator(items).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"
    )
    assert len(centres) >= 10 and max(centres) - min(centres) <= 4, f"the top bar wraps: {centres}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


@pytest.mark.browser
def test_the_navigation_collapses_behind_a_menu_button_on_a_phone(make_page, live_server, demo_data: Workspace):
    page = make_page(390)
    log_in(page, live_server.url)
    menu = page.locator("header.topbar details.menu > summary")
    links = page.locator("header.topbar nav.mainnav a")
    expect(menu).to_be_visible()
    expect(links.first).to_be_hidden()
    right = page.locator("header.topbar > *").evaluate_all(
        "els => Math.max(...els.map(e => e.getBoundingClientRect().right))"
    )
    assert right <= 390, f"the top bar is {right}px wide"
    menu.click()
    expect(links).not_to_have_count(0)
    for i in range(links.count()):
        expect(links.nth(i)).to_be_visible()
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The account's pages and the language button are in the open menu too, no second click needed.
    expect(page.locator("header.topbar details.account a[href$='/tokens/']")).to_be_visible()
    expect(page.locator("header.topbar form.lang button")).to_be_visible()
    page.locator("header.topbar nav.mainnav a[href$='/people/']").click()
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/people/$"))
    expect(links.first).to_be_hidden()  # a new page starts with the menu closed

    # Logging out from the phone's menu.
    menu.click()
    page.locator("header.topbar details.account form[action$='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
