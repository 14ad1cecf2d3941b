"""Publishing in the browser: compose with the limits as one types and a preview, send for approval, the client
approves through the link in a second browser with no session, then the post is scheduled and, once the worker
ran past its time, published."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import time, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from federe.accounts.models import User, Workspace
from federe.publishing import approvals, queueing, services
from federe.publishing.approvals import StepSpec
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, DeliveryState, Post
from federe.publishing.sending import publish_due
from tests.browser.test_ui import assert_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def _png(width: int = 48, height: int = 32) -> bytes:
    """A real (orange) PNG, so that the browser draws it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xe0\x8a\x3c" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = _png()


def demo_post(ws: Workspace) -> Post:
    """A post awaiting approval in the demo workspace (made once), for the pages' walk."""
    post = Post.objects.filter(workspace=ws, title="Walk").first()
    if post is None:
        owner = User.objects.get(username="demo")
        approvals.save_workflow(ws, by=owner, required=True, allow_self_approval=False, link_days=7, steps=[])
        channel = publishing_channels(ws)[0].connection
        data = PostInput(
            title="Walk",
            body="Nouvelle carte d'automne : venez goûter le chai latte maison ☕ https://example.org/carte",
            variants=[VariantInput(connection_id=channel.pk)],
            scheduled_at=timezone.now() + timedelta(days=2),
            approval="pending",
        )
        post = services.create_post(ws, owner, data)
        approvals.submit(post, by=owner)
    return post


def queue_address(ws: Workspace) -> str:
    """The queue page, with the first publishing channel's weekdays at 09:00 and 17:30 (added once)."""
    channel = publishing_channels(ws)[0].connection
    queueing.add_slots(channel, [(day, at) for day in range(5) for at in (time(9), time(17, 30))])
    return f"/w/{ws.slug}/posts/queue/"


def client_address(ws: Workspace) -> str:
    post = demo_post(ws)
    _link, token = approvals.create_link(post, by=User.objects.get(username="demo"), label="walk")
    return f"/approve/{post.pk}/{token}/"


def test_compose_preview_approve_by_link_then_published(
    page: Page, browser: Browser, live_server, demo_data: Workspace, screenshots_dir
):
    base, slug = live_server.url, demo_data.slug
    owner, client = User.objects.get(username="demo"), User.objects.get(username="client")
    approvals.save_workflow(
        demo_data, by=owner, required=True, allow_self_approval=False, link_days=7,
        steps=[StepSpec("Client", "any", (client.pk,))],
    )  # fmt: skip
    channel = publishing_channels(demo_data)[0]
    log_in(page, base)
    page.goto(f"{base}/w/{slug}/posts/")
    expect(page.locator("ul.post-tiles li")).to_have_count(6)
    page.get_by_role("link", name="New post").click()
    page.locator("#id_body").fill("x" * 505)
    page.locator(f"input[name=channels][value='{channel.pk}']").check()
    limits = page.locator(f"#limits-{channel.prefix}")
    expect(limits).to_contain_text("505 of 500 characters", timeout=5000)
    expect(limits.locator(".field-error")).to_contain_text("5 characters over this network's limit of 500.")
    page.locator("#id_body").fill("Nouvelle carte d'automne : <b>chai</b> latte maison, https://example.org/carte")
    expect(limits).to_contain_text("78 of 500 characters", timeout=5000)
    expect(limits.locator(".post-preview a[href='https://example.org/carte']")).to_be_visible()
    expect(limits.locator(".post-preview")).to_contain_text("<b>chai</b>")  # shown as typed, never as markup
    variant = page.locator(f"#id_{channel.prefix}_text")
    expect(variant).to_have_value(re.compile("^Nouvelle carte"))  # filled from the main text
    page.locator("#id_image_1").set_input_files({"name": "carte.png", "mimeType": "image/png", "buffer": PNG})
    page.locator("#id_alt_1").fill("La carte d'automne au tableau noir")
    page.locator("input[name=when][value=later]").check()
    page.locator("#id_day").fill((timezone.now() + timedelta(days=1)).date().isoformat())
    page.locator("#id_at").fill("10:00")
    assert_no_horizontal_overflow(page, "compose")
    page.screenshot(path=str(screenshots_dir / "compose-en.png"), full_page=True)
    page.get_by_role("button", name="Save and send for approval").click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    expect(page.locator("#post-state")).to_have_text("Awaiting approval")
    image = page.locator(".preview-card img.thumb")
    expect(image).to_have_attribute("alt", "La carte d'automne au tableau noir")
    # decode() waits for the picture to arrive and be drawn (or fails when it cannot be): no race with the load
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 48  # served to the team, drawn
    page.get_by_role("button", name="Create a client approval link").click()
    address = page.locator("#new-link").inner_text().strip()
    post = Post.objects.get(workspace=demo_data, body__startswith="Nouvelle carte")

    visitor = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800})
    guest = visitor.new_page()
    guest.goto(address)
    expect(guest.locator("main h1")).to_have_text("Une publication à approuver")
    expect(guest.locator(".post-preview")).to_contain_text("chai")
    expect(guest.locator("header details.account")).to_have_count(0)  # no session
    picture = guest.locator(".preview-card img.thumb")
    expect(picture).to_have_count(1)
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 48  # through the link's address
    guest.locator("#id_comment").fill("Parfait, merci !")
    guest.get_by_role("button", name="Approuver").click()
    expect(guest.locator("main")).to_contain_text("vous avez approuvé cette publication")
    expect(guest.locator("#post-state")).to_have_text("Programmée")
    guest.screenshot(path=str(screenshots_dir / "client-approval-fr-390.png"), full_page=True)
    visitor.close()

    page.reload()
    expect(page.locator("#post-state")).to_have_text("Scheduled")
    expect(page.locator("#approval")).to_contain_text("Parfait, merci !")
    later = post.scheduled_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        publish_due()
    assert Delivery.objects.get(post=post).state == DeliveryState.SENT
    page.reload()
    expect(page.locator("#post-state")).to_have_text("Published")
    page.screenshot(path=str(screenshots_dir / "post-published-en.png"), full_page=True)
