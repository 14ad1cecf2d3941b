"""The progress of a follow-up sent by the worker, on the event's page, in a real browser: while it runs (sent,
failed with its reason, remaining, a progress bar that the page asks again for) and once done, in English and in
French, at 1366 and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from federe.accounts.models import User, Workspace
from federe.events.models import Event, FollowUpRun, Registration, Source
from tests.browser.test_ui import DEMO_USER, assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def _event_with_a_run(ws: Workspace, owner: User) -> tuple[Event, FollowUpRun]:
    start = timezone.now() - timedelta(days=2)
    event = Event.objects.create(
        workspace=ws, title="Atelier latte art", starts_at=start, ends_at=start + timedelta(hours=2),
        place="Lyon", public_id="progress-browser-test",
    )  # fmt: skip
    run = FollowUpRun.objects.create(
        workspace=ws, event=event, audience="attended", text="Merci d’être venus !", by=owner, total=5,
        state="running", lease_until=timezone.now() + timedelta(minutes=10),
    )  # fmt: skip
    outcomes = [("sent", ""), ("sent", ""), ("failed", "The mail server refused the address."), ("queued", ""),
                ("queued", "")]  # fmt: skip
    for n, (state, error) in enumerate(outcomes):
        Registration.objects.create(
            event=event, key=f"email:guest{n}@example.org", name=f"Invité·e {n}", email=f"guest{n}@example.org",
            source=Source.PAGE, checked_in_at=start, follow_up_run=run, follow_up_state=state, follow_up_error=error,
        )  # fmt: skip
    return event, run


@pytest.mark.parametrize("width", [1366, 390])
def test_a_follow_up_s_progress_while_it_runs_and_once_done(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    owner = User.objects.get(username=DEMO_USER)
    event, run = _event_with_a_run(demo_data, owner)
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, live_server.url)
    url = f"{live_server.url}/w/{demo_data.slug}/events/{event.pk}/"

    page.goto(url)
    panel = page.locator("#send-run")
    expect(panel).to_contain_text("Sending to 5 people…")
    expect(panel).to_contain_text("2 sent")
    expect(panel).to_contain_text("1 failed")
    expect(panel).to_contain_text("2 remaining")
    expect(panel).to_contain_text("Invité·e 2: The mail server refused the address.")
    expect(panel.locator("progress")).to_have_attribute("value", "3")
    assert_no_horizontal_overflow(page, "follow-up running")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / f"send-run-running-en-{width}.png"))

    # the worker finishes: the page, asking again every 2 s, shows it without a reload
    Registration.objects.filter(follow_up_run=run, follow_up_state="queued").update(follow_up_state="sent")
    FollowUpRun.objects.filter(pk=run.pk).update(state="done", finished_at=timezone.now())
    expect(panel).to_contain_text("Sent to 5 people, in the background:", timeout=8000)
    expect(panel).to_contain_text("4 sent")
    expect(panel).to_contain_text("Sending again tries the failed ones only.")
    expect(panel.locator("progress")).to_have_count(0)
    assert_no_horizontal_overflow(page, "follow-up done")
    page.screenshot(path=str(screenshots_dir / f"send-run-done-en-{width}.png"))

    User.objects.filter(pk=owner.pk).update(language="fr")
    page.goto(url)
    expect(panel).to_contain_text("4 envois réussis")
    expect(panel).to_contain_text("1 échec")
    assert_no_horizontal_overflow(page, "follow-up done (fr)")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / f"send-run-done-fr-{width}.png"))
    context.close()
