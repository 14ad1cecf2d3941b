"""The queue in a browser: times added on the queue page, then a post added to the queue from compose, which
shows the time it will take before saving (htmx), at 1366 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from federe.accounts.models import Workspace
from federe.publishing import queueing
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Post
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_add_times_then_add_a_post_to_the_queue(
    browser: Browser, browser_context_args, live_server, demo_data: Workspace, screenshots_dir, width
):
    base, slug = live_server.url, demo_data.slug
    channel = publishing_channels(demo_data)[0].connection
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 860}})
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/posts/queue/")
    form = page.locator("form.queue-add")
    form.locator(f"input[name=channels][value='{channel.pk}']").check()
    for day in range(7):
        form.locator(f"input[name=days][value='{day}']").check()
    form.locator("#id_times").fill("8h15, 18:45")
    form.get_by_role("button", name="Add").click()
    section = page.locator(f"#queue-{channel.pk}")
    expect(section.locator("ol.upcoming li")).to_have_count(5)
    expect(section.locator("ul.slots li").first).to_contain_text("08:15")
    assert_no_horizontal_overflow(page, "queue")
    page.screenshot(path=str(screenshots_dir / f"queue-added-en-{width}.png"), full_page=True)

    expected = queueing.next_free([channel], count=1)[0].astimezone(workspace_zone(demo_data))
    page.goto(f"{base}/w/{slug}/posts/new/")
    page.locator("#id_body").fill("Dans la file d'attente")
    page.locator(f"input[name=channels][value='{channel.pk}']").check()
    page.locator("input[name=when][value=queue]").check()
    shown = page.locator("#queue-next")
    expect(shown).to_be_visible()
    expect(page.locator("[data-when-later]")).to_be_hidden()
    expect(shown).to_contain_text(f"{expected:%H:%M}", timeout=5000)
    assert_no_horizontal_overflow(page, "compose")
    page.screenshot(path=str(screenshots_dir / f"compose-queue-en-{width}.png"), full_page=True)
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get(workspace=demo_data, body="Dans la file d'attente")
    assert post.scheduled_at == expected
    context.close()
