"""Search from the inbox in a real browser, at 1366 and 390 px: type words in the inbox's box, see the results
with the words marked, open one and land on the message in its thread; then a bad search said in words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import Workspace
from federe.core.text import words
from federe.inbox.models import Message
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_search_from_the_inbox_and_open_a_result(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    base, slug = live_server.url, demo_data.slug
    message = Message.objects.filter(workspace=demo_data, direction="in").exclude(body_text="").order_by("pk").first()
    word = max(words(message.body_text), key=len)
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/inbox/")
    box = page.locator("#inbox-search")
    box.fill(word)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/inbox/search/\?q="))
    results = page.locator(".search-results li.card")
    expect(results.first).to_be_visible()
    expect(page.locator(".search-results mark").first).to_be_visible()
    expect(page.locator("[role=status]")).to_contain_text("found")
    assert_no_horizontal_overflow(page, "search results")
    page.screenshot(path=str(screenshots_dir / f"search-results-en-{width}.png"), full_page=True)

    link = page.locator(f'.search-hit[href$="#m{message.pk}"]')
    target = link if link.count() else page.locator(".search-hit").first
    href = target.get_attribute("href") or ""
    target.click()
    page.wait_for_url(re.compile(r"/inbox/\d+/"))
    anchor = href.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_be_visible()

    page.goto(f"{base}/w/{slug}/inbox/search/?q=%22{word}")
    expect(page.locator(".field-error")).to_contain_text("quotation mark")
    assert_no_horizontal_overflow(page, "search error")
    context.close()
