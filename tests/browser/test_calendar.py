"""The calendar in a real browser: a post dragged with the mouse to another day of the month keeps its time, one
dragged to an hour of the week takes it, each time seen in the page and in the database, and undone; the keyboard
path (the post's "Move…" button, Enter, a day and a time, Enter) does the same on a phone, in French."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from federe.accounts.models import User, Workspace
from federe.publishing import services
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, DeliveryState, Post, PostStatus
from tests.browser.test_ui import log_in, switch_language

pytestmark = pytest.mark.browser


def _tenth_of_next_month(zone: ZoneInfo) -> date:
    today = timezone.now().astimezone(zone).date()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=10)


def _post(ws: Workspace, day: date, at: time, text: str) -> Post:
    channel = publishing_channels(ws)[0].connection
    data = PostInput(
        body=text, variants=[VariantInput(connection_id=channel.pk)], scheduled_at=datetime.combine(day, at)
    )
    return services.create_post(ws, User.objects.get(username="demo"), data)


def _local(post: Post, zone: ZoneInfo) -> datetime:
    post.refresh_from_db()
    assert post.scheduled_at is not None
    return post.scheduled_at.astimezone(zone)


def drag(page: Page, source: Locator, target: Locator) -> None:
    """A real drag with the mouse: press on the chip, move in steps onto the target, release."""
    source.scroll_into_view_if_needed()
    box, goal = source.bounding_box(), target.bounding_box()
    assert box is not None and goal is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 16, steps=4)
    goal = target.bounding_box()
    assert goal is not None
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 8, steps=12)
    page.mouse.up()


def test_drag_a_post_to_another_day_then_to_an_hour_of_the_week_and_undo(
    page: Page, live_server, demo_data, screenshots_dir
):
    ws, base = demo_data, live_server.url
    zone = ZoneInfo(ws.timezone)
    tenth = _tenth_of_next_month(zone)
    post = _post(ws, tenth, time(9, 0), "Atelier latte art samedi matin, places limitées")
    weekly = _post(ws, tenth.replace(day=2), time(12, 0), "Le plat du jour de la semaine")
    Post.objects.filter(pk=weekly.pk).update(recurrence="weekly")
    sent = _post(ws, tenth.replace(day=3), time(17, 30), "Merci pour la soirée d'hier")
    Post.objects.filter(pk=sent.pk).update(status=PostStatus.PUBLISHED)
    Delivery.objects.filter(post=sent).update(state=DeliveryState.SENT)
    log_in(page, base)
    page.goto(f"{base}/w/{ws.slug}/posts/calendar/?view=month&date={tenth.isoformat()}")
    expect(page.locator(".cal-grid .chip.repeat").first).to_contain_text("Repeat")
    expect(page.locator(".cal-grid .chip.state-published")).to_contain_text("Published")
    expect(page.locator(f".cal-grid [data-move-post='{sent.pk}']")).to_have_count(0)  # published: it stays
    page.screenshot(path=str(screenshots_dir / "calendar-states-en-1366.png"), full_page=True)
    chip = page.locator(f".cal-grid [data-move-post='{post.pk}']")
    expect(chip).to_contain_text("09:00")
    expect(chip).to_contain_text("Scheduled")
    twelfth = tenth.replace(day=12)

    drag(page, chip, page.locator(f".cal-grid td[data-drop-day='{twelfth.isoformat()}']"))
    notice = page.locator("#calendar .cal-notice")
    expect(notice).to_contain_text(re.compile(r"Moved to \w+day 12 \w+, 09:00\."))
    expect(
        page.locator(f".cal-grid td[data-drop-day='{twelfth.isoformat()}'] [data-move-post='{post.pk}']")
    ).to_be_visible()
    assert _local(post, zone) == datetime.combine(twelfth, time(9, 0), tzinfo=zone)
    assert Delivery.objects.get(post=post).due_at == datetime.combine(twelfth, time(9, 0), tzinfo=zone).astimezone(UTC)

    notice.get_by_role("button", name="Undo").click()
    expect(page.locator("#calendar .cal-notice")).to_contain_text("Moved back to")
    expect(
        page.locator(f".cal-grid td[data-drop-day='{tenth.isoformat()}'] [data-move-post='{post.pk}']")
    ).to_be_visible()
    assert _local(post, zone) == datetime.combine(tenth, time(9, 0), tzinfo=zone)

    page.get_by_role("link", name="Week", exact=True).click()
    expect(page).to_have_url(re.compile(r"view=week"))
    chip = page.locator(f".cal-grid [data-move-post='{post.pk}']")
    expect(chip).to_be_visible()
    other = tenth - timedelta(days=1) if tenth.weekday() else tenth + timedelta(days=1)  # the same week
    slot = page.locator(f".cal-grid td[data-drop-day='{other.isoformat()}'][data-drop-time='14:00']")
    drag(page, chip, slot)
    expect(page.locator("#calendar .cal-notice")).to_contain_text("14:00")
    expect(slot.locator(f"[data-move-post='{post.pk}']")).to_be_visible()
    assert _local(post, zone) == datetime.combine(other, time(14, 0), tzinfo=zone)


def test_the_keyboard_path_moves_a_post_on_a_phone_in_french(browser, browser_context_args, live_server, demo_data):
    ws, base = demo_data, live_server.url
    zone = ZoneInfo(ws.timezone)
    tenth = _tenth_of_next_month(zone)
    post = _post(ws, tenth, time(18, 30), "Soirée jeux de société au café")
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    log_in(page, base)
    switch_language(page, "fr")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/w/{ws.slug}/posts/calendar/?view=week&date={tenth.isoformat()}")
    expect(page.locator(".cal-grid")).to_be_hidden()  # the agenda replaces the squeezed grid
    chip = page.locator(f".cal-agenda [data-move-post='{post.pk}']")
    expect(chip).to_contain_text("18:30")
    expect(chip).to_contain_text("Programmée")

    summary = chip.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    form = chip.locator("form[data-move-form]")
    expect(form).to_be_visible()
    page.keyboard.press("Tab")
    day_input = form.locator("input[name=day]")
    expect(day_input).to_be_focused()
    day_input.fill(tenth.replace(day=14).isoformat())
    time_input = form.locator("input[name=time]")
    for _segment in range(4):  # Tab walks the date's own fields (day, month, year) before the time
        if time_input.evaluate("input => document.activeElement === input"):
            break
        page.keyboard.press("Tab")
    expect(time_input).to_be_focused()
    time_input.fill("08:15")
    page.keyboard.press("Enter")
    expect(page.locator("#calendar .cal-notice")).to_contain_text(re.compile(r"Déplacée au \w+ 14 \w+, 08:15\."))
    assert _local(post, zone) == datetime.combine(tenth.replace(day=14), time(8, 15), tzinfo=zone)
    expect(page.locator(f".cal-agenda [data-move-post='{post.pk}']")).to_contain_text("08:15")
    context.close()
