"""The WordPress connector against a REAL WordPress (../shared/peers/wp), through Fédère's own services.

set -a; . /tmp/federe-peers/wp/env; set +a    # or let the wp_env fixture read that file
FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/wordpress
"""

from __future__ import annotations

import uuid

import httpx
import pytest
import respx
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.connectors.wordpress.client import REFUSED_LOGIN
from federe.inbox.models import Conversation, Direction, Message, ReplyState, ReviewState
from federe.inbox.services import send_reply
from tests.peers import env_file

pytestmark = [pytest.mark.peers, pytest.mark.django_db]

# Small pages so that a handful of comments spans several pages; a short recheck keeps the tests quick.
CONFIG = {"page_size": 3, "recheck_last": 10, "recheck_days": 0}


@pytest.fixture
def wp_admin(wp_env):
    auth = (wp_env["WORDPRESS_USER"], wp_env["WORDPRESS_APP_PASSWORD"])
    with httpx.Client(base_url=f"{wp_env['WORDPRESS_URL']}/wp-json", auth=auth, trust_env=False, timeout=30) as c:
        yield c


@pytest.fixture
def visitor(wp_env):
    with httpx.Client(base_url=f"{wp_env['WORDPRESS_URL']}/wp-json", trust_env=False, timeout=30) as client:
        yield client


@pytest.fixture
def run_id():
    return uuid.uuid4().hex[:10]


@pytest.fixture
def post(wp_admin, run_id):
    """A fresh post on the real blog, deleted with its comments at the end."""
    created = wp_admin.post(
        "/wp/v2/posts", json={"title": f"Fédère test {run_id}", "content": "Test post", "status": "publish"}
    )
    assert created.status_code == 201, created.text
    yield created.json()
    wp_admin.delete(f"/wp/v2/posts/{created.json()['id']}", params={"force": "true"})


@pytest.fixture
def comment_on(visitor, run_id):
    """A visitor comments on the real blog (anonymous REST); WordPress holds it for moderation."""

    def comment(post_id: int, text: str, name: str = "Visiteuse") -> dict:
        body = {"post": post_id, "author_name": name, "author_email": "visiteuse@example.com"}
        created = visitor.post("/wp/v2/comments", json={**body, "content": f"{text} ({run_id})"})
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "hold"
        return created.json()

    return comment


@pytest.fixture
def blog(workspace, owner, wp_env, settings):
    """A WordPress channel created through Fédère's service, and synced once through the blog's history."""
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    connection = create_connection(
        workspace=workspace,
        network="wordpress",
        name="Blog",
        config={"site_url": wp_env["WORDPRESS_URL"], **CONFIG},
        credentials={"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]},
        by=owner,
    )
    sync(connection)
    return connection


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None
    connection.refresh_from_db()
    return outcome


def message(connection: Connection, comment: dict) -> Message:
    return Message.objects.get(connection=connection, external_id=str(comment["id"]))


def test_a_visitor_comment_arrives_held_in_its_posts_conversation(blog, post, comment_on):
    comment = comment_on(post["id"], "Bonjour, est-ce ouvert le dimanche ?")
    outcome = sync(blog)
    assert outcome.run.error == "" and outcome.stats.stored >= 1
    stored = message(blog, comment)
    assert stored.network_status == NetworkStatus.HELD and stored.review == ReviewState.PENDING
    assert "ouvert le dimanche" in stored.body_text
    assert stored.conversation.external_id == str(post["id"])
    assert stored.conversation.title == post["title"]["rendered"]
    assert stored.author.email == "visiteuse@example.com"

    again = sync(blog)
    assert again.run.error == "" and again.stats.stored == 0
    assert Message.objects.filter(connection=blog, external_id=str(comment["id"])).count() == 1
    assert Conversation.objects.filter(connection=blog, external_id=str(post["id"])).count() == 1


def test_approving_from_federe_shows_on_the_blog_and_comes_back(blog, post, comment_on, wp_admin):
    comment = comment_on(post["id"], "Merci pour la recette !")
    held = wp_admin.get(f"/wp/v2/comments/{comment['id']}", params={"context": "edit"}).json()
    visitor_agent, visitor_ip = held["author_user_agent"], held["author_ip"]
    assert visitor_agent.startswith("python-httpx")  # the visitor's browser, not Fédère's
    sync(blog)
    result = connector_for(blog).act(ModerationAction(kind=ActionKind.APPROVE, external_id=str(comment["id"])))
    assert result.done and result.detail == "approved"
    on_blog = wp_admin.get(f"/wp/v2/comments/{comment['id']}", params={"context": "edit"}).json()
    assert on_blog["status"] == "approved"
    # WordPress 6.1 would overwrite the commenter's browser with ours; the connector sends it back unchanged.
    assert on_blog["author_user_agent"] == visitor_agent and on_blog["author_ip"] == visitor_ip
    public = httpx.get(on_blog["link"].split("#")[0], timeout=30, trust_env=False)
    assert "Merci pour la recette" in public.text  # visible to everyone now

    outcome = sync(blog)
    assert outcome.run.error == "" and outcome.stats.updated >= 1
    stored = message(blog, comment)
    assert stored.network_status == NetworkStatus.PUBLISHED and stored.review == ReviewState.REVIEWED


def test_spam_and_trash_made_on_the_blog_reach_federe(blog, post, comment_on, wp_admin):
    spam, trash = comment_on(post["id"], "Achetez maintenant"), comment_on(post["id"], "Message à jeter")
    sync(blog)
    wp_admin.post(f"/wp/v2/comments/{spam['id']}", json={"status": "spam"}).raise_for_status()
    wp_admin.delete(f"/wp/v2/comments/{trash['id']}").raise_for_status()
    sync(blog)
    assert message(blog, spam).network_status == NetworkStatus.SPAM
    assert message(blog, trash).network_status == NetworkStatus.REMOVED


def test_a_reply_from_federe_is_a_threaded_comment_on_the_blog(blog, post, comment_on, wp_admin, owner):
    comment = comment_on(post["id"], "Vous livrez à Lyon ?")
    sync(blog)
    question = message(blog, comment)
    reply = send_reply(conversation=question.conversation, text="Oui, dès lundi !", by=owner, in_reply_to=question)
    assert reply.state == ReplyState.SENT, reply.error
    sent = reply.sent_message
    on_blog = wp_admin.get(f"/wp/v2/comments/{sent.external_id}", params={"context": "edit"}).json()
    me = wp_admin.get("/wp/v2/users/me").json()
    assert (on_blog["post"], on_blog["parent"]) == (post["id"], comment["id"])
    assert on_blog["status"] == "approved" and on_blog["author"] == me["id"]
    assert "Oui, dès lundi" in on_blog["content"]["raw"]
    assert sent.url == on_blog["link"] and sent.direction == Direction.OUTBOUND

    outcome = sync(blog)  # the reply comes back from the blog: the same message, not a second one
    assert outcome.run.error == ""
    thread = Message.objects.filter(conversation=question.conversation).order_by("posted_at")
    assert [m.external_id for m in thread] == [str(comment["id"]), sent.external_id]
    assert thread.get(external_id=sent.external_id).parent_external_id == str(comment["id"])


def test_a_retried_reply_is_not_posted_twice(blog, post, comment_on, wp_admin):
    """The answer to the first POST was lost: WordPress refuses the same comment (409), we find the first."""
    comment = comment_on(post["id"], "Et le samedi ?")
    outgoing = OutgoingReply(
        thread_id=str(post["id"]), parent_id=str(comment["id"]), body_html="<p>Aussi !</p>", idempotency_key="k"
    )
    first = connector_for(blog).reply(outgoing)
    second = connector_for(blog).reply(outgoing)
    assert first.external_id == second.external_id
    replies = wp_admin.get("/wp/v2/comments", params={"post": post["id"], "parent": comment["id"], "status": "any"})
    assert [c["id"] for c in replies.json()] == [int(first.external_id)]


def test_a_wrong_application_password_is_refused_in_plain_words(workspace, owner, wp_env):
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="wordpress",
            name="Blog",
            config={"site_url": wp_env["WORDPRESS_URL"]},
            credentials={"username": wp_env["WORDPRESS_USER"], "app_password": "abcd efgh ijkl mnop qrst uvwx"},
            by=owner,
        )
    assert caught.value.message_dict["credentials"][0].startswith(str(REFUSED_LOGIN))
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_the_real_blog_is_reached_only_because_loopback_is_allowed(workspace, owner, wp_env, settings):
    """The peer runs on 127.0.0.1: the tests allow loopback (FEDERE_NET_ALLOW_HOSTS); without that, it is refused."""
    settings.FEDERE_NET_ALLOW_HOSTS = []
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="wordpress",
            name="Blog",
            config={"site_url": wp_env["WORDPRESS_URL"]},
            credentials={"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]},
            by=owner,
        )
    assert "is this server itself (loopback)" in caught.value.message_dict["credentials"][0]


@pytest.mark.parametrize(
    ("site", "words"),
    [("{url}/no-blog-here", "not a WordPress site"), ("http://127.0.0.1:9", "Cannot reach http://127.0.0.1:9")],
)
def test_an_address_that_is_not_a_blog_is_refused(workspace, owner, wp_env, site, words):
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="wordpress",
            name="Blog",
            config={"site_url": site.format(url=wp_env["WORDPRESS_URL"])},
            credentials={"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]},
            by=owner,
        )
    assert words in caught.value.message_dict["credentials"][0]


def _failing_after(pages: int, failure):
    """Let the first comment pages through to the real WordPress, then fail like a broken or stopped server."""
    passed: list[httpx.Request] = []

    def effect(request: httpx.Request):
        if len(passed) < pages:
            passed.append(request)
            return request  # respx: pass through to the real server
        if isinstance(failure, Exception):
            raise failure
        return failure

    return effect


FAILURES = {
    "stopped": (httpx.ConnectError("[Errno 111] Connection refused"), "Cannot reach http://127.0.0.1:"),
    "error 500": (httpx.Response(500, text="Error establishing a database connection"), "internal error (HTTP 500)"),
    "not json": (httpx.Response(200, text="<html>Maintenance</html>"), "not JSON"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_wordpress_failing_mid_sync_loses_nothing_and_duplicates_nothing(blog, post, comment_on, failure):
    comments = [comment_on(post["id"], f"Commentaire {n}") for n in range(5)]
    error, words = FAILURES[failure]
    # using="httpx": mock at the client's transport, where each request is resolved exactly once.
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        mock.get(path="/wp-json/wp/v2/comments").mock(side_effect=_failing_after(1, error))
        mock.route().pass_through()
        outcome = sync(blog)
    assert words in outcome.run.error and words in blog.last_error
    assert outcome.run.pages == 1  # the first page was stored with its cursor, then the sync stopped
    kept = blog.cursor
    stored_ids = set(Message.objects.filter(connection=blog).values_list("external_id", flat=True))
    assert kept["last_id"] == comments[1]["id"]  # 3 per page: the anchor and two new comments
    assert {str(c["id"]) for c in comments[:2]} <= stored_ids
    assert not {str(c["id"]) for c in comments[2:]} & stored_ids

    recovered = sync(blog)
    assert recovered.run.error == "" and blog.last_error == ""
    for comment in comments:
        assert Message.objects.filter(connection=blog, external_id=str(comment["id"])).count() == 1


def test_connect_the_real_blog_from_the_channels_page(client, owner, workspace, wp_env):
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/channels/",
        {
            "name": "Real blog",
            "network": "wordpress",
            "wordpress__site_url": wp_env["WORDPRESS_URL"],
            "wordpress__username": wp_env["WORDPRESS_USER"],
            "wordpress__app_password": wp_env["WORDPRESS_APP_PASSWORD"],
        },
    )
    assert response.status_code == 302
    from federe.connections.models import Connection

    connection = Connection.objects.get(workspace=workspace, name="Real blog")
    assert connection.config == {"site_url": wp_env["WORDPRESS_URL"]}
    assert set(connection.credentials) == {"username", "app_password"}
    wrong = client.post(
        f"/w/{workspace.slug}/channels/",
        {
            "name": "Wrong",
            "network": "wordpress",
            "wordpress__site_url": wp_env["WORDPRESS_URL"],
            "wordpress__username": wp_env["WORDPRESS_USER"],
            "wordpress__app_password": "aaaa bbbb cccc dddd",
        },
    ).content.decode()
    assert "WordPress refused the user name or application password" in wrong


@pytest.mark.django_db(transaction=True)
def test_the_notify_plugin_makes_the_blog_ask_for_a_sync(live_server, owner, workspace, wp_env, tmp_path):
    """contrib/wordpress/federe-notify.php, installed on the real blog, calls Fédère when a comment arrives."""
    import shutil
    import uuid
    from datetime import timedelta
    from pathlib import Path

    import httpx
    from django.utils import timezone

    from federe.connections.models import Connection, SyncState
    from federe.connections.services import create_connection, sync_hook_token

    mu = env_file("wp").parent / "docroot" / "wp-content" / "mu-plugins"
    if not mu.is_dir():
        pytest.skip("the WordPress peer's docroot is not on this machine")
    connection = create_connection(
        workspace=workspace,
        network="wordpress",
        name="Notified blog",
        by=owner,
        config={"site_url": wp_env["WORDPRESS_URL"]},
        credentials={"username": wp_env["WORDPRESS_USER"], "app_password": wp_env["WORDPRESS_APP_PASSWORD"]},
    )
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now() + timedelta(hours=1))
    url = f"{live_server.url}/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/"
    plugin, config = mu / "federe-notify.php", mu / "federe-notify-config.php"
    shutil.copy(Path(__file__).resolve().parents[3] / "contrib" / "wordpress" / "federe-notify.php", plugin)
    config.write_text(f"<?php\ndefine( 'FEDERE_NOTIFY_URL', '{url}' );\n")
    auth = (wp_env["WORDPRESS_USER"], wp_env["WORDPRESS_APP_PASSWORD"])
    try:
        with httpx.Client(base_url=wp_env["WORDPRESS_URL"], trust_env=False, timeout=30) as wp:
            post = wp.post(
                "/wp-json/wp/v2/posts", auth=auth, json={"title": f"Notify {uuid.uuid4().hex[:6]}", "status": "publish"}
            ).json()
            created = wp.post(
                "/wp-json/wp/v2/comments",
                json={
                    "post": post["id"],
                    "author_name": "Visitor",
                    "author_email": "v@example.org",
                    "content": f"Hello {uuid.uuid4().hex}",
                },
            )
            assert created.status_code == 201
            connection.refresh_from_db()
            assert connection.next_sync_at <= timezone.now()
            assert connection.sync_state == SyncState.QUEUED  # queued by the hook itself, not the dispatcher
            # A change made through an Application Password (what Fédère's decisions are) does not call back.
            Connection.objects.filter(pk=connection.pk).update(
                sync_state=SyncState.IDLE, next_sync_at=timezone.now() + timedelta(hours=1)
            )
            marked = wp.post(f"/wp-json/wp/v2/comments/{created.json()['id']}", auth=auth, json={"status": "spam"})
            assert marked.status_code == 200 and marked.json()["status"] == "spam"
            connection.refresh_from_db()
            assert connection.next_sync_at > timezone.now()
            wp.delete(f"/wp-json/wp/v2/posts/{post['id']}", auth=auth, params={"force": "true"})
    finally:
        plugin.unlink(missing_ok=True)
        config.unlink(missing_ok=True)
