"""The review queue on real WordPress comments: approve one in the browser, see it applied on the blog."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from federe.accounts.services import create_user, create_workspace
from federe.connections.services import create_connection, sync_connection
from federe.inbox.models import Message
from tests.connectors.wordpress.conftest import wp_env  # noqa: F401 - the peer fixture

pytestmark = [pytest.mark.browser, pytest.mark.peers]
PASSWORD = "queue-pass-2026"


@pytest.fixture
def blog(wp_env, transactional_db):  # noqa: F811
    auth = (wp_env["WORDPRESS_USER"], wp_env["WORDPRESS_APP_PASSWORD"])
    client = httpx.Client(base_url=wp_env["WORDPRESS_URL"], trust_env=False, timeout=30)
    post = client.post(
        "/wp-json/wp/v2/posts", auth=auth, json={"title": f"Queue {uuid.uuid4().hex[:6]}", "status": "publish"}
    ).json()
    yield client, auth, post
    client.delete(f"/wp-json/wp/v2/posts/{post['id']}", auth=auth, params={"force": "true"})
    client.close()


def test_approve_a_held_comment_from_the_queue(page: Page, live_server, blog, wp_env, screenshots_dir):  # noqa: F811
    client, auth, post = blog
    text = f"Première visite, très beau blog {uuid.uuid4().hex[:8]}"
    comment = client.post(
        "/wp-json/wp/v2/comments",
        json={"post": post["id"], "author_name": "Camille", "author_email": "camille@example.org", "content": text},
    ).json()
    assert comment["status"] == "hold"
    user = create_user("moderatrice", PASSWORD, language="fr")
    workspace = create_workspace(name="Blog réel", owner=user)
    connection = create_connection(
        workspace=workspace,
        network="wordpress",
        name="Blog WordPress",
        by=user,
        config={"site_url": wp_env["WORDPRESS_URL"]},
        credentials={"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]},
    )
    sync_connection(connection.pk)
    message = Message.objects.get(connection=connection, external_id=str(comment["id"]))
    assert message.review == "pending"

    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("section.login button[type=submit]").click()
    page.goto(f"{live_server.url}/w/{workspace.slug}/moderation/")
    item = page.locator(f".qitem[data-id='{message.pk}']")
    expect(item).to_contain_text(text)
    page.screenshot(path=str(screenshots_dir / "wordpress-queue-fr.png"), full_page=True)
    item.locator("button[value=approve]").click()
    decided = page.locator("section.decided")
    expect(decided).to_contain_text(text)
    expect(decided.locator(".badge.ok")).to_be_visible()  # done on the network
    expect(page.locator(f".qitem[data-id='{message.pk}']")).to_have_count(0)
    page.screenshot(path=str(screenshots_dir / "wordpress-queue-approved-fr.png"), full_page=True)
    on_blog = client.get(f"/wp-json/wp/v2/comments/{comment['id']}", auth=auth, params={"context": "edit"}).json()
    assert on_blog["status"] == "approved"
    assert re.search(re.escape(text[:20]), on_blog["content"]["raw"])
