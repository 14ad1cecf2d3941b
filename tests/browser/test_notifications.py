"""A note that mentions a teammate reaches them: camille writes "@max …" on a thread, max's bell counts it, the
notifications page says it in words, and opening it leads to the thread with the note."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation
from federe.notifications.models import Notification
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_a_mention_in_a_note_shows_in_the_teammates_bell(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    base, slug = live_server.url, demo_data.slug
    conversation = Conversation.objects.filter(workspace=demo_data).order_by("last_message_at", "id").first()
    size = {**browser_context_args, "viewport": {"width": width, "height": 860}}
    writer = browser.new_context(**size).new_page()
    log_in(writer, base, "camille")
    writer.goto(f"{base}/w/{slug}/inbox/{conversation.pk}/")
    writer.locator("#note-new").fill("@max can you check the order before I answer?")
    writer.locator("form.note button[type=submit]").click()
    expect(writer.locator("#thread")).to_contain_text("can you check the order")
    writer.context.close()

    reader = browser.new_context(**size).new_page()
    log_in(reader, base, "max")
    unread = Notification.objects.filter(user__username="max", workspace=demo_data, read_at__isnull=True).count()
    assert unread >= 1
    bell = reader.locator("header.topbar a.bell")
    expect(bell.locator(".count")).to_have_text(str(unread))
    assert_no_horizontal_overflow(reader, "bell")
    bell.click()
    item = reader.locator(".notification-list li.notification").first
    expect(item).to_contain_text(f"camille mentioned you in a note on “{conversation}”")
    reader.screenshot(path=str(screenshots_dir / f"notifications-mention-en-{width}.png"), full_page=True)
    item.locator("button").click()
    expect(reader).to_have_url(f"{base}/w/{slug}/inbox/{conversation.pk}/")
    expect(reader.locator("#thread")).to_contain_text("can you check the order")
    left = reader.locator("header.topbar a.bell .count")
    if unread > 1:
        expect(left).to_have_text(str(unread - 1))
    else:
        expect(left).to_have_count(0)
    reader.context.close()
