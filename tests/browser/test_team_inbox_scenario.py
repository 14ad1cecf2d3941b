"""The issue's scenario in a real browser, in English and in French: find a message by search, answer it with a
saved reply that asks for a value, leave a note mentioning a teammate who then sees the notification, escalate it
to sales, and see the status come back through the sales team's signed inbound webhook."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import User, Workspace
from federe.core.text import words
from federe.inbox.models import Message
from federe.notifications.models import Kind, Notification
from federe.tickets import teams
from federe.tickets.models import Ticket
from tests.browser.test_escalation import resolved_by_the_team
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser

SAY = {
    "en": {
        "reply": "/order",
        "found": "found",
        "resolved": "resolved",
        "send": "Send to the team",
        "note": "@camille this customer may want a quote",
        "noted": "quote",
    },
    "fr": {
        "reply": "/suivi",
        "found": "trouv",
        "resolved": "résolu",
        "send": "Envoyer à l’équipe",
        "note": "@camille ce client voudrait sans doute un devis",
        "noted": "devis",
    },
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_search_reply_note_escalate_and_status_back(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, lang
):
    base, slug, say = live_server.url, demo_data.slug, SAY[lang]
    demo = User.objects.get(username="demo")
    User.objects.filter(username__in=["demo", "camille"]).update(language=lang)
    sales, given = teams.create_team(
        workspace=demo_data, by=demo, kind="sales", name="Sales", email="sales@example.org", language=lang
    )
    message = (
        Message.objects.filter(workspace=demo_data, direction="in", author__isnull=False)
        .exclude(body_text="")
        .order_by("-posted_at", "-pk")
        .first()
    )
    word = max(words(message.body_text), key=len)
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 1366, "height": 860}})
    page = context.new_page()
    log_in(page, base)

    # 1. Find it by search.
    page.goto(f"{base}/w/{slug}/inbox/")
    page.locator("#inbox-search").fill(word)
    page.locator("#inbox-search").press("Enter")
    page.wait_for_url(re.compile(r"/inbox/search/\?q="))
    expect(page.locator("[role=status]")).to_contain_text(say["found"])
    hit = page.locator(f'.search-hit[href$="#m{message.pk}"]')
    hit = hit if hit.count() else page.locator(".search-hit").first
    page.screenshot(path=str(screenshots_dir / f"scenario-1-search-{lang}.png"), full_page=True)
    hit.click()
    page.wait_for_url(re.compile(r"/inbox/(\d+)/"))
    thread_id = int(re.search(r"/inbox/(\d+)/", page.url).group(1))
    lead = (
        Message.objects.filter(conversation_id=thread_id, direction="in", author__isnull=False)
        .order_by("-posted_at", "-pk")
        .first()
    )
    assert lead is not None

    # 2. Answer with a saved reply that asks for the order number.
    box = page.locator("#thread form.reply textarea[name=body]")
    box.click()
    box.press_sequentially(say["reply"])
    expect(page.locator("#saved-reply-panel .saved-reply-option")).to_have_count(1)
    box.press("Enter")
    question = page.locator("#saved-reply-panel input[name=ask-0]")
    expect(question).to_be_focused()
    question.fill("A-2046")
    question.press("Enter")
    expect(box).to_have_value(re.compile("A-2046"))
    page.locator("#thread form.reply button.primary").click()
    expect(page.locator("#thread .messages li.outbound").last).to_contain_text("A-2046")

    # 3. A note for camille.
    unread = Notification.objects.filter(user__username="camille", workspace=demo_data, read_at__isnull=True)
    before = unread.count()
    page.locator("#note-new").fill(say["note"])
    page.locator("#thread form.note button[type=submit]").click()
    expect(page.locator("#thread li.note").last).to_contain_text(say["noted"])
    assert unread.count() == before + 1 and unread.order_by("-pk").first().kind == Kind.NOTE_MENTION
    page.screenshot(path=str(screenshots_dir / f"scenario-2-reply-note-{lang}.png"), full_page=True)

    # 4. Escalate to sales.
    page.locator("#thread details.escalate > summary").click()
    form = page.locator("#thread form.escalate-form")
    form.locator("select[name=message]").select_option(str(lead.pk))
    form.locator("select[name=team]").select_option(str(sales.pk))
    form.locator("textarea[name=note]").fill("Wants 40 seats")
    form.get_by_role("button", name=say["send"]).click()
    ticket = Ticket.objects.get(team=sales)
    card = page.locator(f"#thread #ticket-{ticket.pk}")
    expect(card).to_have_attribute("data-ticket-status", "open")
    assert ticket.person is not None and ticket.message_id == lead.pk

    # 5. The sales team's system sends the status back, signed with the team's inbound secret.
    resolved_by_the_team(page, base, sales, given["inbound"], ticket, say["resolved"])
    assert_no_horizontal_overflow(page, f"scenario thread {lang}")
    page.screenshot(path=str(screenshots_dir / f"scenario-3-resolved-{lang}.png"), full_page=True)

    # 6. camille sees the note's notification in the bell and on the notifications page.
    assert unread.count() == before + 1  # the ticket's update is for its creator and the assignee, not camille
    other = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 860}})
    camille = other.new_page()
    log_in(camille, base, username="camille")
    expect(camille.locator("header.topbar .bell .count")).to_have_text(str(before + 1))
    camille.goto(f"{base}/w/{slug}/notifications/")
    expect(camille.locator(".notification-list .notification.unread").first).to_contain_text(say["noted"])
    camille.screenshot(path=str(screenshots_dir / f"scenario-4-notification-{lang}-390.png"), full_page=True)
    other.close()
    context.close()
