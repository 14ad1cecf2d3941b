"""SLA in the inbox, in a real browser at both widths: an overdue thread is highlighted in the list and the
"overdue" filter keeps it; a fresh thread shows the time left on its targets, in English and in French."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from federe.accounts.models import User, Workspace
from federe.connections.models import Connection
from federe.inbox.models import Conversation, Direction, Message
from federe.sla import services, tracking
from federe.sla.models import Policy
from tests.browser.test_ui import DEMO_USER, assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def _thread(ws: Workspace, title: str, minutes_ago: int) -> Conversation:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    connection = Connection.objects.filter(workspace=ws).order_by("pk").first()
    conv = Conversation.objects.create(
        workspace=ws, connection=connection, external_id=f"sla-{title}", title=title, last_message_at=at
    )
    message = Message.objects.create(
        workspace=ws,
        connection=connection,
        conversation=conv,
        external_id=f"sla-{title}-1",
        body_html="<p>Where is my order?</p>",
        body_text="Where is my order?",
        posted_at=at,
        direction=Direction.INBOUND,
    )
    tracking.customer_messages(ws.pk, [message])
    return conv


@pytest.mark.parametrize("width", [1366, 390])
def test_overdue_is_highlighted_and_time_left_shown(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    owner = User.objects.get(username=DEMO_USER)
    # The demo's own policies (business hours, urgent threads) come first and would decide these threads' clocks,
    # which then depend on the day and hour of the run: this test's policy is the only one.
    Policy.objects.filter(workspace=demo_data).delete()
    fields = services.Fields(name="Two hours", first_response_minutes=120, resolution_minutes=600)
    services.add(workspace=demo_data, fields=fields, by=owner)
    late = _thread(demo_data, "Late order question", minutes_ago=150)
    fresh = _thread(demo_data, "Fresh order question", minutes_ago=10)
    base, slug = live_server.url, demo_data.slug
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)

    page.goto(f"{base}/w/{slug}/inbox/?overdue=1")
    late_row = page.locator(f"li[data-conversation='{late.pk}']")
    expect(late_row).to_have_class(re.compile(r"(^|\s)overdue(\s|$)"))
    expect(late_row).to_contain_text("overdue by 30 min")
    expect(page.locator(f"li[data-conversation='{fresh.pk}']")).to_have_count(0)
    assert_no_horizontal_overflow(page, "overdue inbox")
    page.screenshot(path=str(screenshots_dir / f"sla-overdue-en-{width}.png"))

    page.goto(f"{base}/w/{slug}/inbox/{fresh.pk}/")
    clocks = page.locator("#thread .sla-clocks")
    expect(clocks.locator("[data-sla-target=first_response]")).to_contain_text("1 h 50 min left")
    expect(clocks.locator("[data-sla-target=resolution]")).to_contain_text("9 h 50 min left")
    # The choice is posted at once (htmx); its answer is awaited before the test writes to the database, which on
    # SQLite would otherwise find the table locked by the live server's request.
    with page.expect_response(lambda answer: "/priority/" in answer.url and answer.request.method == "POST"):
        page.locator("#thread select[name=priority]").select_option("urgent")
    expect(page.locator("#thread select[name=priority]")).to_have_value("urgent")
    assert_no_horizontal_overflow(page, "thread with SLA")
    page.screenshot(path=str(screenshots_dir / f"sla-thread-en-{width}.png"))

    User.objects.filter(pk=owner.pk).update(language="fr")  # the reader's language, whatever the width
    page.goto(f"{base}/w/{slug}/inbox/{fresh.pk}/")
    expect(page.locator("#thread .sla-clocks [data-sla-target=first_response]")).to_contain_text("encore 1 h 50 min")
    page.goto(f"{base}/w/{slug}/inbox/?overdue=1")
    expect(page.locator(f"li[data-conversation='{late.pk}']")).to_contain_text("en retard de 30 min")
    assert_no_horizontal_overflow(page, "overdue inbox (fr)")
    page.screenshot(path=str(screenshots_dir / f"sla-overdue-fr-{width}.png"))


def test_business_hours_are_asked_only_when_business_hours_are_counted(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir
):
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 860}})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/inbox/sla/")
    hours = page.locator("fieldset.business-hours")
    page.locator("#id_hours").select_option("calendar")
    expect(hours).to_be_hidden()
    page.locator("#id_hours").select_option("business")
    expect(hours).to_be_visible()
    expect(hours.locator("#id_day0")).to_be_visible()
    assert_no_horizontal_overflow(page, "SLA form with business hours")
    page.screenshot(path=str(screenshots_dir / "sla-form-business-hours-en-390.png"), full_page=True)
    context.close()
