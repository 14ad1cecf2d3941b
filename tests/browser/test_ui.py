"""The web UI in a real browser: log in, switch to French, answer a conversation, and see every page.

Assertions never depend on the French wording (the catalogue is still being written): they check the
``lang`` attribute, element structure, data we created and the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.inbox.models import Conversation, ConversationStatus, Direction, Message, Reply, ReplyState

pytestmark = pytest.mark.browser

DEMO_USER, DEMO_PASSWORD = "demo", "demo"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def watched(page: Page) -> Iterator[Page]:
    """The page, failing the test on a JavaScript error or any HTTP error answer (favicon aside)."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} {r.request.method} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    yield page
    assert not problems, "\n".join(problems)


def log_in(page: Page, base_url: str, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("section.login button[type=submit]").click()
    # "/" sends a member to their first workspace (by name): Café Lumière.
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/$"))
    expect(page.locator("header.topbar details.account > summary")).to_have_text(username)


def open_menu(page: Page) -> None:
    """On a narrow window the navigation sits behind the "Menu" button: open it (a no-op on a wide one)."""
    summary = page.locator("header.topbar details.menu > summary")
    if summary.is_visible() and page.locator("header.topbar details.menu[open]").count() == 0:
        summary.click()


def switch_language(page: Page, to: str) -> None:
    """Click the language button in the top bar; the same page comes back in the other language."""
    before = page.url
    open_menu(page)
    button = page.locator(f"header.topbar form.lang button[name=language][value={to}]")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("html")).to_have_attribute("lang", to)
    assert page.url == before, f"switching language should stay on {before}, went to {page.url}"
    # The button now offers the other language.
    other = "en" if to == "fr" else "fr"
    expect(page.locator(f"header.topbar form.lang button[name=language][value={other}]")).to_be_visible()


def assert_no_horizontal_overflow(page: Page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"


def assert_inbox_fits_the_window(page: Page) -> None:
    """The inbox is two panes that scroll on their own: the page itself never scrolls."""
    extra = page.evaluate("document.documentElement.scrollHeight - document.documentElement.clientHeight")
    assert extra <= 0, f"the inbox page is {extra}px taller than the window"


# --------------------------------------------------------------------------- the scenario


def test_log_in_switch_to_french_and_answer_a_conversation(
    watched: Page, live_server, demo_data: Workspace, screenshots_dir
):
    page, base = watched, live_server.url
    log_in(page, base)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_language(page, "fr")

    page.locator("nav.mainnav a[href$='/inbox/']").click()
    expect(page).to_have_url(re.compile(r"/w/cafe-lumiere/inbox/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#thread .empty")).to_be_visible()

    # Open the newest conversation nobody has handled yet: it loads into the right pane (htmx).
    item = page.locator(".conversations li a").filter(has=page.locator(".badge.status-new")).first
    href = item.get_attribute("href")
    pk = int(re.search(r"/inbox/(\d+)/$", href or "").group(1))
    conversation = Conversation.objects.get(pk=pk)
    assert conversation.workspace_id == demo_data.pk and conversation.status == ConversationStatus.NEW
    inbound = Message.objects.filter(conversation=conversation).count()

    with page.expect_request(lambda r: r.url.endswith(f"/inbox/{pk}/") and r.headers.get("hx-request") == "true"):
        item.click()
    expect(page).to_have_url(re.compile(rf"/inbox/{pk}/$"))  # hx-push-url
    thread = page.locator("#thread")
    expect(thread.locator(".thread-head h2")).to_have_text(conversation.title)
    expect(thread.locator("ol.messages > li.message")).to_have_count(inbound)
    expect(thread.locator("li.message.outbound")).to_have_count(0)
    expect(page.locator(".inbox-list")).to_be_visible()  # the list stays: only the right pane changed

    # Write and send a reply.
    text = "Bonjour ! Merci pour votre message, nous regardons cela aujourd'hui. — L'équipe"
    thread.locator("form.reply textarea[name=body]").fill(text)
    with page.expect_response(lambda r: r.url.endswith(f"/inbox/{pk}/reply/") and r.request.method == "POST") as sent:
        thread.locator("form.reply button[type=submit]").click()
    assert sent.value.status == 200

    # The reply shows in the thread, marked as sent from Fédère, and the status turned to "answered".
    outbound = thread.locator("li.message.outbound")
    expect(outbound).to_have_count(1)
    expect(outbound.locator(".body")).to_have_text(text)
    expect(outbound.locator(".who")).to_contain_text(DEMO_USER)
    badge = outbound.locator(".who .badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(re.compile(r"\S"))
    expect(thread.locator("ol.messages > li.message")).to_have_count(inbound + 1)
    expect(thread.locator(".thread-head .statuses button[value=answered]")).to_have_attribute("aria-pressed", "true")
    # the list refreshes too: the conversation now shows as answered there
    expect(page.locator(f'#conversation-list li[data-conversation="{pk}"] .badge.status-answered')).to_be_visible()
    expect(page.locator(f'#conversation-list li[data-conversation="{pk}"]')).to_have_attribute("aria-current", "true")
    expect(thread.locator(".flash .flash-success")).to_be_visible()
    expect(thread.locator("form.reply textarea[name=body]")).to_have_value("")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    outbound.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "reply-sent-fr.png"))

    # It really went out through the channel and is stored.
    reply = Reply.objects.get(conversation=conversation)
    assert reply.state == ReplyState.SENT and reply.body_text == text and reply.author.username == DEMO_USER
    assert reply.sent_message.direction == Direction.OUTBOUND
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED

    # A reload (the pushed URL) shows the same thread with the reply, still in French.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#thread li.message.outbound .body")).to_have_text(text)
    expect(page.locator(f".conversations li[aria-current] a[href$='/inbox/{pk}/']")).to_be_visible()


def test_an_empty_reply_is_refused_in_place(watched: Page, live_server, demo_data: Workspace):
    page, base = watched, live_server.url
    conversation = Conversation.objects.filter(workspace=demo_data, status=ConversationStatus.NEW).first()
    log_in(page, base)
    page.goto(f"{base}/w/{demo_data.slug}/inbox/{conversation.pk}/")
    form = page.locator("#thread form.reply")
    form.locator("textarea[name=body]").fill("   ")
    # The textarea is "required": bypass the browser's own check to exercise the server's.
    form.evaluate("f => f.querySelector('textarea').removeAttribute('required')")
    form.locator("button[type=submit]").click()
    expect(page.locator("#thread .field.invalid .field-error")).to_be_visible()
    expect(page.locator("#thread li.message.outbound")).to_have_count(0)
    assert not Reply.objects.filter(conversation=conversation).exists()


def test_channel_page_names_the_network_and_trusts_verified_connectors(page: Page, live_server, demo_data):
    channel = Connection.objects.filter(workspace=demo_data).order_by("name").first()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/channels/{channel.pk}/")
    expect(page.locator("main h1 .muted")).to_have_text("Demo network", timeout=1000)
    expect(page.locator("main p.warning")).to_have_count(0, timeout=1000)


def test_adding_a_channel_shows_the_fields_of_the_chosen_network_only(page: Page, live_server, demo_data):
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/w/{demo_data.slug}/channels/")
    page.locator("#id_network").select_option("imap")
    expect(page.locator("fieldset[data-network=imap]")).to_be_visible()
    expect(page.locator("fieldset[data-network=wordpress]")).to_be_hidden()
    expect(page.locator("#id_imap__security")).to_have_value("auto")  # a list, its first choice chosen
    page.locator("#id_network").select_option("nntp")
    expect(page.locator("fieldset[data-network=imap]")).to_be_hidden()
    expect(page.locator("fieldset[data-network=nntp]")).to_be_visible()
