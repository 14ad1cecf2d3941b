"""Destructive actions are never one stray key: d and b open a confirmation that Escape cancels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.inbox.models import Message
from federe.moderation.models import Decision

pytestmark = pytest.mark.browser


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill("demo")
    page.locator("#id_password").fill("demo")
    page.locator("section.login button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/$"))


@pytest.fixture
def queue_page(page: Page, live_server, demo_data: Workspace) -> Page:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/moderation/")
    assert page.locator(".qitem").count() >= 3, "the demo should leave messages to review"
    yield page
    assert not errors, errors


def test_d_asks_first_escape_cancels_and_confirming_deletes(queue_page: Page, screenshots_dir):
    page = queue_page
    items = page.locator(".qitem")
    first_id = items.nth(0).get_attribute("data-id")
    items.nth(0).focus()
    page.keyboard.press("d")

    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    channel = Message.objects.select_related("connection").get(pk=first_id).connection.name
    expect(dialog.locator(".confirm-text")).to_have_text(f"The message is deleted on {channel}; this cannot be undone.")
    expect(dialog.locator(".confirm-cancel")).to_be_focused()  # the safe choice
    page.screenshot(path=str(screenshots_dir / "confirm-delete-en.png"))

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f".qitem[data-id='{first_id}']")).to_have_count(1)
    assert not Decision.objects.filter(message_id=first_id).exclude(actor=None).exists()
    page.keyboard.press("Enter")  # Cancel was the default: still nothing happens
    expect(page.locator(f".qitem[data-id='{first_id}']")).to_have_count(1)

    # Decide on the second card: focus then moves to the third, not back to the first.
    second_id, third_id = items.nth(1).get_attribute("data-id"), items.nth(2).get_attribute("data-id")
    items.nth(1).focus()
    page.keyboard.press("d")
    expect(dialog).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/moderation/decide/")) as answer:
        dialog.locator(".confirm-ok").click()
    assert answer.value.status == 200
    expect(page.locator(f".qitem[data-id='{second_id}']")).to_have_count(0)
    expect(page.locator(f".qitem[data-id='{first_id}']")).to_have_count(1)
    expect(page.locator(f".qitem[data-id='{third_id}']")).to_be_focused()
    assert Decision.objects.get(message_id=second_id, actor__username="demo").action == "delete"


def test_b_asks_first_in_french_too(queue_page: Page, screenshots_dir):
    page = queue_page
    page.locator("header.topbar form.lang button[name=language][value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    item = page.locator(".qitem").first
    item_id = item.get_attribute("data-id")
    item.focus()
    page.keyboard.press("b")
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".confirm-cancel")).to_be_focused()
    expect(dialog.locator(".confirm-cancel")).to_have_text("Annuler")
    page.screenshot(path=str(screenshots_dir / "confirm-ban-fr.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f".qitem[data-id='{item_id}']")).to_have_count(1)
    assert not Decision.objects.filter(message_id=item_id, action="ban").exists()
