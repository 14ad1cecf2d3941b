"""Escalating a message to sales in a real browser, and the status coming back through the team's signed inbound
webhook (sent over HTTP to the live server, signed independently of our code): shown on the thread after a
reload, in English and in French, at 1366 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation, Message
from federe.tickets import teams
from federe.tickets.models import Ticket
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in
from tests.tickets.conftest import post_signed

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"escalate": "Escalate…", "send": "Send to the team", "open": "open", "resolved": "resolved"},
    "fr": {"escalate": "Transmettre…", "send": "Envoyer à l’équipe", "open": "ouvert", "resolved": "résolu"},
}


def resolved_by_the_team(page: Page, base: str, team: Any, secret: str, ticket: Ticket, resolved: str) -> Locator:
    """The team's system sends "resolved" to its own address over HTTP, signed with its inbound secret (as shown
    once by the page); after a reload the thread's ticket says so. Returns the ticket's card."""
    update = {"ticket": ticket.pk, "status": "resolved", "note": "Quote sent"}
    answer = post_signed(f"{base}/hooks/tickets/{team.public_id}/", secret, update)
    assert answer["status"] == "resolved" and answer["changed"] is True
    page.reload()
    card = page.locator(f"#thread #ticket-{ticket.pk}")
    expect(card).to_have_attribute("data-ticket-status", "resolved")
    expect(card.locator(".badge")).to_have_text(resolved)
    card.scroll_into_view_if_needed()  # the thread's pane keeps its own scroll: the screenshot shows the ticket
    return card


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [1366, 390])
def test_escalate_to_sales_and_see_the_status_come_back(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width, lang
):
    from federe.accounts.models import User

    owner = User.objects.get(username="demo")
    team, given = teams.create_team(
        workspace=demo_data, by=owner, kind="sales", name="Sales desk", email="sales@example.org", language=lang
    )
    message = (
        Message.objects.filter(workspace=demo_data, direction="in", author__isnull=False)
        .order_by("-posted_at", "-pk")
        .first()
    )
    thread: Conversation = message.conversation
    words = WORDS[lang]
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    User.objects.filter(pk=owner.pk).update(language=lang)  # the profile's language, whatever the width
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/inbox/{thread.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    page.locator("#thread details.escalate > summary").click()
    expect(page.locator("#thread details.escalate > summary")).to_have_text(words["escalate"])
    form = page.locator("#thread form.escalate-form")
    form.locator("select[name=team]").select_option(str(team.pk))
    form.locator("select[name=priority]").select_option("high")
    form.locator("textarea[name=note]").fill("Asks for a quote for 40 seats")
    assert_no_horizontal_overflow(page, f"escalate form {lang} {width}")
    page.screenshot(path=str(screenshots_dir / f"escalate-form-{lang}-{width}.png"), full_page=True)
    form.get_by_role("button", name=words["send"]).click()

    ticket = Ticket.objects.get(team=team)
    card = page.locator(f"#thread #ticket-{ticket.pk}")
    expect(card).to_have_attribute("data-ticket-status", "open")
    expect(card.locator(".badge")).to_have_text(words["open"])
    assert ticket.person is not None and ticket.engagement_level  # a lead, with their engagement

    resolved_by_the_team(page, live_server.url, team, given["inbound"], ticket, words["resolved"])
    card.locator("details > summary").click()
    expect(card).to_contain_text("Quote sent")
    assert_no_horizontal_overflow(page, f"thread with ticket {lang} {width}")
    page.screenshot(path=str(screenshots_dir / f"escalate-resolved-{lang}-{width}.png"), full_page=True)
    context.close()
