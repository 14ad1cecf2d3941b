"""Each message's action menu holds its channel's actions only; a ban asks first, at 1366 and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.connections.services import sync_connection
from federe.connectors import registry
from federe.inbox.models import Message
from federe.moderation.models import Decision
from tests.browser.test_confirmations import log_in
from tests.factories import ConnectionFactory
from tests.moderation.lesser import LesserConnector

pytestmark = pytest.mark.browser


@pytest.fixture
def lesser_item(demo_data: Workspace):
    """A message of a channel whose network does remove, reject, ban, kick and close, waiting in the queue."""
    registry.discover()
    registry.register(LesserConnector)
    LesserConnector.asked.clear()
    connection = ConnectionFactory(workspace=demo_data, network="lesser", name="Lesser room")
    sync_connection(connection.pk, worker_id="test")
    message = Message.objects.filter(connection=connection).order_by("-posted_at").first()
    newest = Message.objects.filter(workspace=demo_data).order_by("-posted_at").first()
    Message.objects.filter(pk=message.pk).update(review="pending", posted_at=newest.posted_at + timedelta(minutes=1))
    yield Message.objects.select_related("author", "conversation").get(pk=message.pk)
    registry.unregister("lesser")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_menu_offers_the_channels_actions_and_a_ban_asks_first(
    page: Page, live_server, demo_data, lesser_item, screenshots_dir, width
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": width, "height": 860})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/moderation/")
    card = page.locator(f".qitem[data-id='{lesser_item.pk}']")
    expect(card).to_be_visible()
    buttons = card.locator(".qactions button")
    expect(buttons).to_have_text(["Keep", "Remove", "Ban author", "Kick author", "Close thread"])
    expect(card.locator("details.reason-action summary")).to_have_text("Reject…")
    other = page.locator(f".qitem:not([data-id='{lesser_item.pk}'])").first
    expect(other.locator("button[value=approve]")).to_be_visible()  # the demo network approves; Lesser does not
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out at 390 px

    card.locator("button[value=ban]").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".confirm-text")).to_have_text(
        f"{lesser_item.author} is banned from Lesser room and can no longer post there."
    )
    expect(dialog.locator(".confirm-cancel")).to_be_focused()
    page.screenshot(path=str(screenshots_dir / f"confirm-ban-lesser-{width}-en.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert not LesserConnector.asked

    card.locator("button[value=ban]").click()
    with page.expect_response(lambda r: r.url.endswith("/moderation/decide/")) as answer:
        dialog.locator(".confirm-ok").click()
    assert answer.value.status == 200
    expect(page.locator(f".qitem[data-id='{lesser_item.pk}']")).to_have_count(0)
    assert Decision.objects.get(message=lesser_item, action="ban").network_state == "done"
    (asked,) = LesserConnector.asked
    assert asked.author_id == lesser_item.author.external_id
    assert asked.thread_id == lesser_item.conversation.external_id
    assert not errors, errors
