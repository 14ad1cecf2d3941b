"""The Discord connector on the payloads written from the API v10 docs (fixtures/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Unauthorized
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.discord.server import GUILD, NEWS, SUPPORT, TOKEN, FakeDiscord

FIRST = f"{SUPPORT}:1180000000000001001"


def build(**config):
    return registry.build(
        "discord", config={"guild_id": GUILD, "targets": [SUPPORT], **config}, credentials={"bot_token": TOKEN}
    )


def test_the_text_channels_are_the_targets():
    with FakeDiscord().serve():
        targets = build().list_targets()
    assert [(t.id, t.name) for t in targets] == [(SUPPORT, "#support"), (NEWS, "#news")]


def test_fetch_reads_a_channel_in_conversation_windows():
    server = FakeDiscord()
    with server.serve():
        batch = build().fetch(None)
    items = {item.external_id.rsplit(":", 1)[1][-4:]: item for item in batch.items}
    assert sorted(items) == ["1001", "1002", "1003", "1004"]  # the join (type 7) is not a message
    first, reply, receipt, blank = items["1001"], items["1002"], items["1003"], items["1004"]
    assert reply.parent_id == FIRST and reply.thread_id == first.thread_id
    assert receipt.thread_id != first.thread_id  # two hours of silence
    assert first.thread_title.startswith("#support · 2026-12-05 10:00")
    assert "receipt.png" in receipt.body_html and receipt.edited_at is not None
    assert "Message Content intent" in blank.body_html
    assert "**since December**" in reply.body_html  # shown as written, never as markup
    assert first.author.display_name == "Camille" and first.author.handle == "camille_d"
    assert first.url == f"https://discord.com/channels/{GUILD}/{SUPPORT}/1180000000000001001"
    assert batch.cursor["channels"] == {SUPPORT: "1180000000000001005"}
    asked = [path for path, _body in server.sent("GET") if path.endswith("/messages")]
    assert asked == [f"/channels/{SUPPORT}/messages"]


def test_the_next_fetch_asks_after_the_last_message():
    server = FakeDiscord()
    with server.serve():
        connector = build()
        cursor = connector.fetch(None).cursor
        server.messages[SUPPORT].insert(0, {**server.messages[SUPPORT][-1], "id": "1180000000000001007"})
        later = connector.fetch(cursor)
    assert [item.external_id for item in later.items] == [f"{SUPPORT}:1180000000000001007"]
    assert later.cursor["channels"][SUPPORT] == "1180000000000001007"


def _failing(method: str, path: str, fixture: str, headers: dict[str, str] | None = None) -> FakeDiscord:
    server = FakeDiscord()
    server.errors[(method, path)] = (fixture, headers or {})
    return server


def test_a_chosen_channel_that_is_gone_is_said_and_the_others_are_still_read():
    server = _failing("GET", f"/channels/{NEWS}/messages", "error_404_channel.json")
    with server.serve():
        batch = build(targets=[SUPPORT, NEWS]).fetch(None)
    assert len(batch.items) == 4 and batch.cursor["channels"] == {SUPPORT: "1180000000000001005"}
    (warning,) = batch.malformed
    assert "#news" in warning.reason and "Unknown Channel" in warning.reason


def test_a_channel_the_bot_may_not_read_is_passed_over_when_none_was_chosen():
    server = _failing("GET", f"/channels/{NEWS}/messages", "error_403.json")
    with server.serve():
        batch = build(targets=[]).fetch(None)
    assert len(batch.items) == 4 and batch.malformed == []


def test_a_rate_limit_waits_as_the_body_says():
    headers = {"Retry-After": "2", "X-RateLimit-Reset-After": "1.337", "X-RateLimit-Reset": "1796472000.337"}
    server = _failing(
        "GET", f"/channels/{SUPPORT}/messages", "error_429.json", {**headers, "X-RateLimit-Scope": "user"}
    )
    with server.serve(), pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == pytest.approx(1.337)  # never the epoch time of X-RateLimit-Reset
    global_limit = _failing(
        "GET", f"/channels/{SUPPORT}/messages", "error_429_global.json", {"X-RateLimit-Global": "true"}
    )
    with global_limit.serve(), pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == pytest.approx(64.57) and limited.value.code == "global"


def test_a_reset_token_says_so_in_plain_words():
    with _failing("GET", f"/guilds/{GUILD}/channels", "error_401.json").serve(), pytest.raises(Unauthorized) as refused:
        build().fetch(None)
    assert "Reset Token" in refused.value.message and TOKEN not in refused.value.message


def test_a_missing_permission_is_named():
    server = _failing("PUT", f"/guilds/{GUILD}/bans/1180000000000000601", "error_403.json")
    with server.serve(), pytest.raises(Permanent) as refused:
        build().act(ModerationAction(ActionKind.BAN, external_id=FIRST, author_id="1180000000000000601"))
    assert "Ban" in refused.value.message and "Missing Permissions" in refused.value.message


@pytest.mark.parametrize(
    ("kind", "method", "path", "fixture"),
    [
        (ActionKind.DELETE, "DELETE", f"/channels/{SUPPORT}/messages/1180000000000001001", "error_404_message.json"),
        (ActionKind.UNBAN, "DELETE", f"/guilds/{GUILD}/bans/1180000000000000601", "error_404_ban.json"),
        (ActionKind.KICK, "DELETE", f"/guilds/{GUILD}/members/1180000000000000601", "error_404_member.json"),
    ],
)
def test_an_action_already_done_says_so(kind, method, path, fixture):
    with _failing(method, path, fixture).serve():
        result = build().act(ModerationAction(kind, external_id=FIRST, author_id="1180000000000000601"))
    assert result.done and "Already done" in result.detail


def test_moderation_calls_the_documented_endpoints_with_the_reason():
    server = FakeDiscord()
    with server.serve():
        for kind in (ActionKind.DELETE, ActionKind.BAN, ActionKind.UNBAN, ActionKind.KICK, ActionKind.MUTE):
            build(mute_days=60).act(ModerationAction(kind, FIRST, reason="spam", author_id="1180000000000000601"))
    member = "1180000000000000601"
    assert [(method, path) for method, path, _body in server.calls] == [
        ("DELETE", f"/channels/{SUPPORT}/messages/1180000000000001001"),
        ("PUT", f"/guilds/{GUILD}/bans/{member}"),
        ("DELETE", f"/guilds/{GUILD}/bans/{member}"),
        ("DELETE", f"/guilds/{GUILD}/members/{member}"),
        ("PATCH", f"/guilds/{GUILD}/members/{member}"),
    ]
    until = datetime.fromisoformat(server.calls[-1][2]["communication_disabled_until"])
    assert timedelta(days=27) < until - datetime.now(UTC) <= timedelta(days=28)  # Discord's longest timeout
    assert all(headers["x-audit-log-reason"] == "spam" for headers in server.headers)
    assert all(headers["authorization"] == f"Bot {TOKEN}" for headers in server.headers)


def test_a_reply_references_its_parent_with_a_nonce():
    server = FakeDiscord()
    with server.serve():
        sent = build().reply(OutgoingReply(f"{SUPPORT} 2026-12-05T10:00:00Z", FIRST, "<p>Yes, 10-18</p>", "key-1"))
    (path, body), *_others = server.sent("POST")
    assert path == f"/channels/{SUPPORT}/messages" and body["content"] == "Yes, 10-18"
    assert body["message_reference"]["message_id"] == "1180000000000001001"
    assert body["enforce_nonce"] is True and len(body["nonce"]) == 25
    assert body["allowed_mentions"] == {"parse": []}
    assert sent.external_id == f"{SUPPORT}:1180000000000001006"


def test_a_retried_post_is_found_instead_of_posted_twice():
    post = OutgoingPost("<p>New opening hours from December.</p>", idempotency_key="p-1")
    server = FakeDiscord()
    with server.serve():
        found = build(publish_channel=NEWS).find_published(post)
        missing = build(publish_channel=NEWS).find_published(OutgoingPost("<p>Another text</p>", "p-2"))
    assert found is not None and found.external_id == f"{NEWS}:1180000000000001101"
    assert missing is None and server.sent("POST") == []


def test_a_post_too_long_is_refused_before_sending():
    server = FakeDiscord()
    with server.serve(), pytest.raises(Permanent) as refused:
        build().publish(OutgoingPost("", "p-3", body_text="x" * 2001))
    assert "2001" in refused.value.message and server.sent("POST") == []
