"""The inbox's keyboard and bulk actions in a real browser, at 1366 and 390 px: "?" opens the list of keys (Escape
closes it), j/k move, o opens, r/a reach the reply box and the assignee, e closes the thread, keys typed in the
reply box stay text; then a bulk close of two ticked threads, said in words; the views and their counts shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation, ConversationStatus
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_keyboard_shortcuts_and_a_bulk_close(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    base, slug = live_server.url, demo_data.slug
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/inbox/")
    expect(page.locator(".inbox-views a[data-view=waiting] .count")).to_have_text(re.compile(r"^\d+$"))
    assert_no_horizontal_overflow(page, f"inbox with views at {width}")
    page.screenshot(path=str(screenshots_dir / f"inbox-views-en-{width}.png"), full_page=True)

    dialog = page.locator("#shortcuts-dialog")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Close the open thread")
    page.screenshot(path=str(screenshots_dir / f"inbox-shortcuts-en-{width}.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    rows = page.locator("#conversation-list li[data-conversation]")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bcursor\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bcursor\b"))
    first = int(rows.nth(0).get_attribute("data-conversation"))
    page.keyboard.press("o")
    head = page.locator(f'#thread .thread-head[data-conversation-id="{first}"]')
    expect(head).to_be_visible()

    page.keyboard.press("r")
    reply = page.locator("#thread form.reply textarea[name=body]")
    expect(reply).to_be_focused()
    page.keyboard.type("e?j")  # typed in the reply box: text, not shortcuts
    expect(reply).to_have_value("e?j")
    expect(dialog).to_be_hidden()
    assert Conversation.objects.get(pk=first).status != ConversationStatus.CLOSED
    page.evaluate("document.activeElement.blur()")

    page.keyboard.press("a")
    expect(page.locator("#thread select[name=assignee]")).to_be_focused()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("e")
    expect(page.locator('#thread .statuses button[value="closed"]')).to_have_attribute("aria-pressed", "true")
    assert Conversation.objects.get(pk=first).status == ConversationStatus.CLOSED
    if page.locator("#inbox-search").count():  # the search box, once the search slice has landed
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("/")
        expect(page.locator("#inbox-search")).to_be_focused()

    # bulk: back to the list (on a phone the thread hides it), tick two open threads, close them
    page.goto(f"{base}/w/{slug}/inbox/?view=unassigned")
    boxes = page.locator("#conversation-list li[data-conversation] input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    picked = [int(rows.nth(i).get_attribute("data-conversation")) for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#bulk-action").select_option("close")
    expect(page.locator("#bulk-assignee")).to_be_hidden()
    apply = page.locator("#bulk-form button[type=submit]")
    expect(apply).to_be_in_viewport()
    apply.click()
    expect(page.locator("body")).to_contain_text("2 threads closed.")
    assert set(Conversation.objects.filter(pk__in=picked).values_list("status", flat=True)) == {"closed"}
    assert_no_horizontal_overflow(page, f"inbox after a bulk close at {width}")

    select_all = page.locator("input[data-select-all]")
    select_all.check()
    expect(boxes.nth(2)).to_be_checked()
    context.close()
