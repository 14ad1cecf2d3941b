"""The Misago connector against a REAL Misago (../shared/peers/misago), through Fédère's own services.

../shared/peers/misago/misago-ci.sh start       # then (the misago_env fixture reads its env file)
FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/misago

The member (MISAGO_MEMBER_USER) writes through Misago's API as a browser would; Fédère connects as the moderator.
Each test writes in its own threads, titled with a random suffix, so runs never collide.
"""

from __future__ import annotations

import subprocess
import uuid

import httpx
import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors.misago.client import WRONG_LOGIN
from federe.connectors.misago.connector import NOT_MODERATOR
from federe.connectors.misago.replies import marker
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.core.models import AuditEvent
from federe.inbox.models import Message, ReplyState
from federe.inbox.services import send_reply
from federe.moderation.models import NetworkState
from federe.moderation.services import decide
from federe.publishing.models import DeliveryState
from federe.publishing.sending import outgoing_post
from tests.connectors.misago.peer import ENV_KEYS, PEER, held_category, session
from tests.peers import peer_env
from tests.publishing.on_peers import killed_after_the_call, publish, schedule_now

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


@pytest.fixture(scope="session")
def misago_env() -> dict[str, str]:
    return peer_env(
        "misago",
        "Misago",
        ENV_KEYS,
        ("MISAGO_URL", "/api/threads/"),
        "start it: ../shared/peers/misago/misago-ci.sh start",
    )


@pytest.fixture(scope="session")
def held(misago_env) -> int:
    return held_category()  # before any session: it may restart the peer


@pytest.fixture
def member(misago_env, held):
    client = session(misago_env["MISAGO_URL"], misago_env["MISAGO_MEMBER_USER"], misago_env["MISAGO_MEMBER_PASSWORD"])
    yield client
    client.close()


@pytest.fixture
def moderator(misago_env, held):
    client = session(misago_env["MISAGO_URL"], misago_env["MISAGO_ADMIN_USER"], misago_env["MISAGO_ADMIN_PASSWORD"])
    yield client
    client.close()


@pytest.fixture
def general(moderator) -> int:
    return next(c["id"] for c in moderator.get("/api/threads/editor/").json() if c["name"] != "Federe held")


@pytest.fixture
def tag() -> str:
    return f"misago-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def forum(workspace, owner, misago_env, settings, moderator):
    """A Misago channel created through Fédère's service (the moderator's account), synced once from the forum's
    newest post: the earlier runs' threads are not this test's business (test_a_first_sync reads them all)."""
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    newest = max([0, *(t["last_post"] for t in ok(moderator.get("/api/threads/"))["results"])])
    connection = create_connection(
        workspace=workspace,
        network="misago",
        name="Forum",
        config={"forum_url": misago_env["MISAGO_URL"]},
        credentials={"username": misago_env["MISAGO_ADMIN_USER"], "password": misago_env["MISAGO_ADMIN_PASSWORD"]},
        by=owner,
    )
    Connection.objects.filter(pk=connection.pk).update(cursor={"last_post": newest})
    sync(connection)
    return connection


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "", outcome and outcome.run.error
    connection.refresh_from_db()
    return outcome


def ok(answer: httpx.Response) -> dict:
    assert answer.status_code == 200, answer.text
    return answer.json()


def start_thread(member: httpx.Client, category: int, title: str, *replies: str) -> tuple[dict, list[dict]]:
    thread = ok(member.post("/api/threads/", json={"category": category, "title": title, "post": f"Début {title}"}))
    posted = [ok(member.post(f"/api/threads/{thread['id']}/posts/", json={"post": text})) for text in replies]
    return thread, posted


def stored(connection: Connection, post_id: int) -> Message:
    return Message.objects.get(connection=connection, external_id=str(post_id))


def act(connection: Connection, kind: ActionKind, post_id: int, thread_id: int):
    action = ModerationAction(kind, external_id=str(post_id), thread_id=str(thread_id))
    return connector_for(connection).act(action)


def test_a_first_sync_reads_the_whole_forum(workspace, owner, misago_env, moderator, member, general, tag, settings):
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    # A forum just installed has no thread: start one, so that the first page below is never empty.
    start_thread(member, general, f"Premier fil {tag}", "Bonjour à tous")
    credentials = {"username": misago_env["MISAGO_ADMIN_USER"], "password": misago_env["MISAGO_ADMIN_PASSWORD"]}
    connection = create_connection(workspace=workspace, network="misago", name="Forum", by=owner,
                                   config={"forum_url": misago_env["MISAGO_URL"]}, credentials=credentials)  # fmt: skip
    # The first page (the most recent threads), read before the sync: other runs may start threads meanwhile.
    listed = ok(moderator.get("/api/threads/"))["results"]
    sync(connection)
    stored_threads = set(
        Message.objects.filter(connection=connection).values_list("conversation__external_id", flat=True)
    )
    assert {str(t["id"]) for t in listed} <= stored_threads
    assert connection.cursor["last_post"] >= max(t["last_post"] for t in listed)


def test_a_members_thread_and_replies_are_ingested_once(forum, member, general, tag):
    thread, replies = start_thread(member, general, f"Horaires {tag}", "Ouvert le dimanche ?", "Et les fériés ?")
    outcome = sync(forum)
    assert outcome.stats.stored >= 3
    first = Message.objects.get(connection=forum, conversation__external_id=str(thread["id"]), parent_external_id="")
    assert first.conversation.title == f"Horaires {tag}" and f"Début Horaires {tag}" in first.body_text
    assert "dimanche" in stored(forum, replies[0]["id"]).body_text
    assert stored(forum, replies[1]["id"]).author.display_name == "member1"

    again = sync(forum)
    assert again.stats.stored == 0
    assert Message.objects.filter(connection=forum, conversation__external_id=str(thread["id"])).count() == 3


def test_held_posts_arrive_held_and_approval_from_federe_shows_on_the_forum(forum, member, moderator, held, tag):
    staff = ok(moderator.post("/api/threads/", json={"category": held, "title": f"Annonce {tag}", "post": "Règles"}))
    waiting = ok(member.post(f"/api/threads/{staff['id']}/posts/", json={"post": f"À approuver {tag}"}))
    assert waiting["is_unapproved"] is True
    sync(forum)
    assert stored(forum, waiting["id"]).network_status == NetworkStatus.HELD
    public = httpx.get(f"{member.base_url}/api/threads/{staff['id']}/posts/", timeout=30, trust_env=False).json()
    assert waiting["id"] not in [p["id"] for p in public["post_set"]["results"]]  # a visitor cannot see it

    assert act(forum, ActionKind.APPROVE, waiting["id"], staff["id"]).done
    assert "already" in act(forum, ActionKind.APPROVE, waiting["id"], staff["id"]).detail
    public = httpx.get(f"{member.base_url}/api/threads/{staff['id']}/posts/", timeout=30, trust_env=False).json()
    assert waiting["id"] in [p["id"] for p in public["post_set"]["results"]]
    sync(forum)
    assert stored(forum, waiting["id"]).network_status == NetworkStatus.PUBLISHED


def test_hide_close_pin_and_delete_from_federe_show_on_the_forum(forum, member, general, tag):
    thread, (kept, spam) = start_thread(member, general, f"Modération {tag}", "Une réponse", "Achetez ici")
    sync(forum)
    for kind, post_id in [
        (ActionKind.REMOVE, spam["id"]),
        (ActionKind.CLOSE, kept["id"]),
        (ActionKind.PIN, kept["id"]),
    ]:
        assert act(forum, kind, post_id, thread["id"]).done
        assert "already" in act(forum, kind, post_id, thread["id"]).detail
    seen = ok(member.get(f"/api/threads/{thread['id']}/posts/"))
    assert seen["is_closed"] is True and seen["weight"] == 1
    hidden = next(p for p in seen["post_set"]["results"] if p["id"] == spam["id"])
    assert hidden["is_hidden"] is True and hidden["content"] is None  # the member no longer reads it
    refused = member.post(f"/api/threads/{thread['id']}/posts/", json={"post": "encore"})
    assert refused.status_code in (400, 403)  # closed to members

    assert act(forum, ActionKind.RESTORE, spam["id"], thread["id"]).done
    seen = ok(member.get(f"/api/threads/{thread['id']}/posts/"))
    assert next(p for p in seen["post_set"]["results"] if p["id"] == spam["id"])["is_hidden"] is False

    assert act(forum, ActionKind.DELETE, kept["id"], thread["id"]).done
    assert act(forum, ActionKind.DELETE, kept["id"], thread["id"]).detail == "deleted (already)"
    seen = ok(member.get(f"/api/threads/{thread['id']}/posts/"))
    assert kept["id"] not in [p["id"] for p in seen["post_set"]["results"]]


def test_hiding_made_on_the_forum_reaches_federe_with_the_threads_next_post(forum, member, moderator, general, tag):
    thread, (spam,) = start_thread(member, general, f"Masqué {tag}", "Publicité")
    sync(forum)
    patch = [{"op": "replace", "path": "is-hidden", "value": True}]
    ok(moderator.patch(f"/api/threads/{thread['id']}/posts/{spam['id']}/", json=patch))
    ok(member.post(f"/api/threads/{thread['id']}/posts/", json={"post": "Suite"}))
    sync(forum)
    assert stored(forum, spam["id"]).network_status == NetworkStatus.REMOVED


def test_a_reply_from_federe_appears_once_even_when_retried(forum, member, moderator, general, tag, owner):
    thread, (question,) = start_thread(member, general, f"Question {tag}", "Vous livrez à Lyon ?")
    sync(forum)
    asked = stored(forum, question["id"])
    reply = send_reply(conversation=asked.conversation, text=f"Oui, dès lundi ! {tag}", by=owner, in_reply_to=asked)
    assert reply.state == ReplyState.SENT, reply.error

    # The worker was killed after Misago saved the post and before Fédère recorded it: the same delivery again.
    outgoing = OutgoingReply(str(thread["id"]), str(question["id"]), f"<p>Oui, dès lundi ! {tag}</p>",
                             idempotency_key=str(reply.idempotency_key))  # fmt: skip
    retried = connector_for(forum).reply(outgoing)
    assert retried.external_id == reply.sent_message.external_id

    posts = ok(moderator.get(f"/api/threads/{thread['id']}/posts/"))["post_set"]["results"]
    ours = [p for p in posts if tag in (p["content"] or "") and p["poster"]["username"] == "admin"]
    assert [p["id"] for p in ours] == [int(retried.external_id)]
    sync(forum)  # the reply comes back from the forum: the same message, not a second one
    assert Message.objects.filter(connection=forum, conversation=asked.conversation).count() == 3


def test_a_wrong_password_and_a_member_without_moderation_rights_are_refused_in_plain_words(
    workspace, owner, misago_env, held
):
    base = {"workspace": workspace, "network": "misago", "name": "Forum", "by": owner}
    config = {"forum_url": misago_env["MISAGO_URL"]}
    with pytest.raises(ValidationError) as wrong:
        create_connection(**base, config=config, credentials={"username": "admin", "password": "not-it"})
    assert wrong.value.message_dict["credentials"][0].startswith(str(WRONG_LOGIN))
    member = {"username": misago_env["MISAGO_MEMBER_USER"], "password": misago_env["MISAGO_MEMBER_PASSWORD"]}
    with pytest.raises(ValidationError) as not_moderator:
        create_connection(**base, config=config, credentials=member)
    assert not_moderator.value.message_dict["credentials"][0] == str(NOT_MODERATOR)
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_an_expired_session_is_renewed_once(forum, member, general, tag):
    thread, (post,) = start_thread(member, general, f"Session {tag}", "Réponse")
    connector = connector_for(forum)
    connector.client.login()
    connector.client._cookies["csrftoken"] = "expired"  # as after Misago rotated or dropped it
    connector.client._cookies["sessionid"] = "expired"
    assert connector.act(ModerationAction(ActionKind.REMOVE, str(post["id"]), thread_id=str(thread["id"]))).done
    assert connector.client.logins == 2


def test_a_moderators_decision_in_federe_hides_the_post_on_the_forum(
    forum, member, general, tag, owner, django_capture_on_commit_callbacks
):
    """Through the review queue's service: the decision names the message's thread, as Misago needs."""
    thread, (spam,) = start_thread(member, general, f"Décision {tag}", "Gagnez des cryptos")
    sync(forum)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(messages=[stored(forum, spam["id"])], action="remove", by=owner)[0]
    decision.refresh_from_db()
    assert decision.network_state == NetworkState.DONE, decision.network_detail
    seen = ok(member.get(f"/api/threads/{thread['id']}/posts/"))
    assert next(p for p in seen["post_set"]["results"] if p["id"] == spam["id"])["is_hidden"] is True


def test_the_forum_stopping_mid_sync_is_said_plainly_and_nothing_is_lost_or_doubled(
    forum, member, general, tag, settings
):
    """One page per sync, so that the forum stops between two pages of the same sync's work."""
    threads = [start_thread(member, general, f"Arrêt {tag} {n}", "Une réponse") for n in range(3)]
    settings.FEDERE_SYNC_MAX_PAGES = 1
    sync(forum)
    peer = str(PEER / "misago-ci.sh")
    subprocess.run([peer, "stop"], check=True, capture_output=True, timeout=120)
    try:
        outcome = sync_connection(forum.pk, worker_id="test")
        forum.refresh_from_db()
        assert outcome is not None and outcome.run.error
        assert "127.0.0.1" in forum.last_error or "Misago" in forum.last_error, forum.last_error
    finally:
        subprocess.run([peer, "start"], check=True, capture_output=True, timeout=180)
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    sync(forum)
    assert forum.last_error == ""
    for thread, replies in threads:  # each thread's two posts, once
        kept = Message.objects.filter(connection=forum, conversation__external_id=str(thread["id"]))
        assert sorted(m.parent_external_id == "" for m in kept) == [False, True]
        assert str(replies[0]["id"]) in {m.external_id for m in kept}


def threads_titled(moderator: httpx.Client, category: int, title: str) -> list[dict]:
    listed = ok(moderator.get("/api/threads/", params={"category": category}))["results"]
    return [t for t in listed if t["title"] == title]


@pytest.mark.django_db(transaction=True)
def test_a_post_published_by_the_worker_is_one_thread_even_when_the_worker_died_after_the_call(
    forum, moderator, general, tag, workspace, owner
):
    """Published once; the same key again finds it; a delivery whose outcome is unknown is found, not re-sent."""
    title = f"Nouvelles {tag}"
    post = schedule_now(workspace, owner, [forum], title, f"Le local rouvre **lundi** {tag}")
    (delivery,) = publish(post)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    (thread,) = threads_titled(moderator, general, title)
    assert delivery.external_id == str(thread["id"]) and delivery.url.endswith(thread["url"]["index"])
    first = ok(moderator.get(f"/api/threads/{thread['id']}/posts/"))["post_set"]["results"][0]
    assert "<strong>lundi</strong>" in first["content"] and marker(delivery.key) in first["content"]

    # The answer was lost: the connector is asked again with the same key, and finds the thread.
    again = connector_for(forum).publish(outgoing_post(delivery))
    assert again.external_id == delivery.external_id

    # The worker was killed between Misago's answer and Fédère's commit: the next round looks before it sends.
    killed_after_the_call(delivery)
    (resolved,) = publish(post)
    assert resolved.state == DeliveryState.SENT and resolved.external_id == str(thread["id"])
    assert len(threads_titled(moderator, general, title)) == 1
    assert AuditEvent.objects.filter(verb="delivery.resolved").count() == 1
