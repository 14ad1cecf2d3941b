"""The "/" picker of saved replies in a thread's reply box, in a real browser: typed, filtered, chosen with the
keyboard, a question answered, two replies inserted into one, Escape closing it; the uses counted once sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation
from federe.replies.models import SavedReply
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_slash_picks_saved_replies_into_one_reply(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    base, slug = live_server.url, demo_data.slug
    conversation = Conversation.objects.filter(workspace=demo_data).order_by("-last_message_at", "-id").first()
    order = SavedReply.objects.get(workspace=demo_data, title="Order follow-up")
    thanks = SavedReply.objects.get(workspace=demo_data, title="Thanks")
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/inbox/{conversation.pk}/")
    box = page.locator("#thread form.reply textarea[name=body]")
    panel = page.locator("#saved-reply-panel")

    box.click()
    box.press_sequentially("/zzzz")
    expect(panel).to_contain_text("No saved reply matches")
    box.press("Escape")
    expect(panel).to_be_empty()
    box.fill("")

    box.press_sequentially("/order")
    expect(panel.locator(".saved-reply-option")).to_have_count(1)
    expect(panel.locator(".saved-reply-option")).to_contain_text("Order follow-up")
    box.press("Enter")
    question = panel.locator("input[name=ask-0]")
    expect(question).to_be_focused()
    assert_no_horizontal_overflow(page, "saved reply question")
    page.screenshot(path=str(screenshots_dir / f"saved-reply-question-en-{width}.png"), full_page=True)
    question.fill("A-1234")
    question.press("Enter")
    expect(panel).to_be_empty()
    expect(box).to_have_value(re.compile("A-1234"))
    text = box.input_value()
    assert "A-1234" in text and conversation.connection.name in text and "{{" not in text and "/order" not in text

    box.press_sequentially(" /thanks")
    expect(panel.locator(".saved-reply-option")).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")
    expect(panel).to_be_empty()
    expect(box).to_have_value(re.compile("thank you for your message"))
    combined = box.input_value()
    assert combined.startswith(text) and "thank you for your message" in combined and "/thanks" not in combined
    page.screenshot(path=str(screenshots_dir / f"saved-reply-inserted-en-{width}.png"), full_page=True)

    page.locator("#thread form.reply button.primary").click()
    expect(page.locator("#thread .messages li.outbound").last).to_contain_text("A-1234")
    order.refresh_from_db()
    thanks.refresh_from_db()
    assert (order.usage_count, thanks.usage_count) == (1, 1)
    context.close()
