"""A contest in a real browser: created from its form, its commitment published, the entries reviewed, the draw
made, then its certificate opened in a session WITHOUT login (English at 1366 px, French at 390 px), whose data
the one-file script verifies."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from federe.accounts.models import Workspace
from federe.contests import verify_draw
from federe.contests.models import Contest
from federe.inbox.models import Conversation, Message
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def _confirm(page: Page) -> None:
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.locator(".confirm-ok").click()


def _busy_thread(ws: Workspace) -> Conversation:
    threads = Conversation.objects.filter(workspace=ws).order_by("-last_message_at")[:40]
    return max(threads, key=lambda c: c.messages.count())


def fill_contest_form(page: Page, name: str, reply_to: Message, ends: datetime) -> None:
    """The open "New contest" form: entries are replies to ``reply_to`` from its time until ``ends`` 23:00,
    two winners; saved, the contest's page shows its name."""
    opens = reply_to.posted_at.astimezone(ends.tzinfo)
    page.locator("#id_name").fill(name)
    page.locator("#id_start_day").fill(opens.date().isoformat())
    page.locator("#id_start_at").fill(opens.strftime("%H:%M"))
    page.locator("#id_end_day").fill(ends.date().isoformat())
    page.locator("#id_end_at").fill("23:00")
    page.locator("#id_rule").select_option("reply")
    page.locator("#id_reply_to").fill(str(reply_to.pk))
    page.locator("#id_winners_count").fill("2")
    page.locator("#id_public_source").fill("drand quicknet, first round after the end")
    page.locator("main form button[type=submit].primary").click()
    expect(page.locator("main h1")).to_have_text(name)


def test_create_draw_and_open_the_certificate_without_login(
    page: Page, browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir
):
    base, ws = live_server.url, demo_data
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    thread = _busy_thread(ws)
    first = thread.messages.order_by("posted_at", "pk").first()
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo(ws.timezone))
    log_in(page, base)
    page.goto(f"{base}/w/{ws.slug}/contests/")
    page.get_by_role("link", name="New contest").click()
    fill_contest_form(page, "Browser contest", first, tomorrow)
    contest = Contest.objects.get(workspace=ws, name="Browser contest")

    page.get_by_role("button", name="Publish the commitment").click()
    _confirm(page)
    # The page shows a commitment once the confirmed form is answered; only then is it in the database.
    expect(page.locator("main code").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("main code").first).to_have_text(Contest.objects.get(pk=contest.pk).commitment)

    # Time passes: the contest's end arrives (the commitment keeps the rules as they were committed).
    Contest.objects.filter(pk=contest.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    page.get_by_role("link", name="Review the entries").click()
    page.get_by_role("button", name="Collect the entries again").click()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "contest-entries-flow-en-1366.png"), full_page=True)
    page.goto(f"{base}/w/{ws.slug}/contests/{contest.pk}/")
    page.locator("#id_public_value").fill("drand round 4242: 9f86d081884c7d65")
    page.locator("#id_source").fill("https://api.drand.sh/public/4242")
    page.get_by_role("button", name="Draw the winners").click()
    _confirm(page)
    expect(page.locator("main .badge.big")).to_have_text("drawn")
    certificate = page.get_by_role("link", name="Public certificate").get_attribute("href")
    assert certificate and certificate.startswith("/draws/")

    for lang, width in (("en", 1366), ("fr", 390)):
        context = browser.new_context(
            **{**browser_context_args, "viewport": {"width": width, "height": 860}, "locale": f"{lang}-FR"}
        )
        visitor = context.new_page()
        response = visitor.goto(f"{base}{certificate}")
        assert response is not None and response.status == 200
        if visitor.locator("html").get_attribute("lang") != lang:
            visitor.locator("form.lang button").click()
        expect(visitor.locator("html")).to_have_attribute("lang", lang)
        expect(visitor.locator("header.topbar details.account")).to_have_count(0)  # nobody is logged in
        drawn = Contest.objects.get(pk=contest.pk)
        expect(visitor.locator("#seed")).to_have_text(drawn.seed_hex)
        names = visitor.locator("#winners li").all_inner_texts()
        assert names == [w["name"] for w in drawn.published["winners"]] and len(names) == 2
        assert_no_horizontal_overflow(visitor, f"certificate-{lang}-{width}")
        visitor.screenshot(path=str(screenshots_dir / f"contest-certificate-flow-{lang}-{width}.png"), full_page=True)
        data = visitor.request.get(f"{base}{certificate}draw.json")
        assert data.ok
        assert [passed for _label, passed in verify_draw.verify(json.loads(data.body()))] == [True, True, True]
        context.close()
    assert not [e for e in errors if "favicon" not in e], errors
