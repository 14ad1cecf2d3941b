"""The Telegram connector on the payloads written from the Bot API docs (fixtures/README.md)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import public_dns
from tests.connectors.telegram.bot import HOST, TOKEN, FakeBot

GROUP = "-1001234567890"


def build(**config):
    config = {"chats": "@acme_community -1009876543210", **config}
    return registry.build("telegram", config=config, credentials={"bot_token": TOKEN})


def test_fetch_reads_the_chosen_chats_in_conversation_windows():
    bot = FakeBot()
    with bot.serve():
        batch = build().fetch(None)
    items = {item.external_id: item for item in batch.items}
    assert sorted(items) == [f"{GROUP}:4401", f"{GROUP}:4402", f"{GROUP}:4403", f"{GROUP}:4404", "-1009876543210:77"]
    first, answer, photo, sticker = (items[f"{GROUP}:{n}"] for n in (4401, 4402, 4403, 4404))
    assert answer.parent_id == first.external_id and answer.thread_id == first.thread_id
    assert photo.thread_id != first.thread_id  # two hours of silence: a new window
    assert "&lt;b&gt;since December&lt;/b&gt;" in answer.body_html  # plain text, never markup
    assert "The queue this morning" in photo.body_html and "without text" in sticker.body_html
    assert first.author.handle == "@camille_d" and first.author.display_name == "Camille Durand"
    assert first.url == "https://t.me/acme_community/4401"
    assert items["-1009876543210:77"].author.display_name == "Acme news"
    assert items["-1009876543210:77"].url == "https://t.me/c/9876543210/77"
    assert batch.cursor["offset"] == 861000108 and not batch.has_more
    asked = bot.sent("getUpdates")[0]
    assert asked["allowed_updates"] == ["message", "channel_post"] and "offset" not in asked


def test_the_next_fetch_confirms_the_page_and_reads_nothing_twice():
    bot = FakeBot()
    with bot.serve():
        connector = build()
        cursor = connector.fetch(None).cursor
        again = connector.fetch(cursor)
    assert again.items == [] and bot.sent("getUpdates")[1]["offset"] == 861000108
    assert again.cursor["offset"] == 861000108


def test_a_long_pause_is_shown_as_a_missed_period():
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    with FakeBot().serve():
        cursor = build().fetch({"offset": 861000101, "read_hour": three_days_ago.isoformat()}).cursor
    (start, end), *_rest = registry.connector_class("telegram").missed_periods(cursor)
    assert start == three_days_ago + timedelta(hours=1)
    assert timedelta(hours=23) < datetime.now(UTC) - end < timedelta(hours=25)
    with FakeBot().serve():
        recent = build().fetch({"offset": 861000101, "read_hour": cursor["read_hour"], "gaps": cursor["gaps"]}).cursor
    assert recent["gaps"] == cursor["gaps"]  # read an hour ago at most: nothing missed


def _failing(fixture: str, method: str = "getUpdates"):
    bot = FakeBot()
    bot.errors[method] = fixture
    return bot


def test_flood_control_waits_as_telegram_says():
    with _failing("error_429.json").serve(), pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == 35 and "Too Many Requests" in limited.value.message


def test_a_revoked_token_says_so_in_plain_words_without_the_token():
    with _failing("error_401.json").serve(), pytest.raises(Unauthorized) as refused:
        build().fetch(None)
    assert "@BotFather" in refused.value.message and TOKEN not in refused.value.message


def test_a_webhook_in_the_way_is_explained():
    with _failing("error_409.json").serve(), pytest.raises(Permanent) as refused:
        build().fetch(None)
    assert "webhook" in refused.value.message


def test_a_bot_removed_from_the_group_cannot_delete():
    with _failing("error_403.json", "deleteMessage").serve(), pytest.raises(Permanent) as refused:
        build().act(ModerationAction(ActionKind.DELETE, external_id=f"{GROUP}:4401"))
    assert "administrator" in refused.value.message


def test_a_refusal_names_what_was_asked_in_words_not_the_api_method():
    from django.utils import translation

    for language, words in (("en", "Telegram refused to delete the message"), ("fr", "supprimer le message")):
        bot = _failing("error_403.json", "deleteMessage")
        with translation.override(language), bot.serve(), pytest.raises(Permanent) as refused:
            build().act(ModerationAction(ActionKind.DELETE, external_id=f"{GROUP}:4401"))
        assert words in refused.value.message and "deleteMessage" not in refused.value.message


def test_deleting_a_message_already_gone_is_done():
    bot = _failing("error_400_delete.json", "deleteMessage")
    with bot.serve():
        result = build().act(ModerationAction(ActionKind.DELETE, external_id=f"{GROUP}:4401"))
    assert result.done and "already" in result.detail
    assert bot.sent("deleteMessage") == [{"chat_id": GROUP, "message_id": 4401}]


def test_moderation_calls_the_documented_methods():
    bot = FakeBot()
    with bot.serve():
        for kind in (ActionKind.BAN, ActionKind.UNBAN, ActionKind.KICK, ActionKind.MUTE):
            build().act(ModerationAction(kind, external_id=f"{GROUP}:4401", author_id="51234001"))
    methods = [name for name, _body in bot.calls]
    assert methods == ["banChatMember", "unbanChatMember", "unbanChatMember", "restrictChatMember"]
    assert bot.sent("unbanChatMember")[0]["only_if_banned"] is True
    assert "only_if_banned" not in bot.sent("unbanChatMember")[1]  # the documented kick
    muted = bot.sent("restrictChatMember")[0]
    assert muted["permissions"]["can_send_messages"] is False
    assert muted["until_date"] > datetime.now(UTC).timestamp() + 86_000


def test_a_ban_needs_the_author():
    with FakeBot().serve(), pytest.raises(Permanent):
        build().act(ModerationAction(ActionKind.BAN, external_id=f"{GROUP}:4401"))


def test_a_reply_answers_its_parent():
    bot = FakeBot()
    with bot.serve():
        sent = build().reply(OutgoingReply(f"{GROUP} 2026-12-05T10:00:00Z", f"{GROUP}:4401", "<p>Yes, 10-18</p>", "k"))
    body = bot.sent("sendMessage")[0]
    assert body["chat_id"] == GROUP and body["text"] == "Yes, 10-18"
    assert body["reply_parameters"] == {"message_id": 4401, "allow_sending_without_reply": True}
    assert sent.external_id == f"{GROUP}:4405" and sent.url == "https://t.me/acme_community/4405"


def test_a_post_goes_to_the_chosen_chat_and_a_long_one_is_refused():
    bot = FakeBot()
    with bot.serve():
        build(publish_chat="@acme_news").publish(OutgoingPost("<p>Open</p>", "p1", body_text="Open on Sunday"))
        with pytest.raises(Permanent) as refused:
            build().publish(OutgoingPost("", "p2", body_text="x" * 4097))
    assert bot.sent("sendMessage") == [
        {"chat_id": "@acme_news", "text": "Open on Sunday", "link_preview_options": {"is_disabled": True}}
    ]
    assert "4097" in refused.value.message


def test_what_is_not_a_token_is_refused_before_any_call():
    connector = registry.build("telegram", config={"chats": "@x"}, credentials={"bot_token": "../getMe?x="})
    with pytest.raises(Unauthorized):
        connector.fetch(None)


def test_the_token_is_never_in_errors_nor_logs(caplog):
    caplog.set_level(logging.INFO)
    with FakeBot().serve():
        build().fetch(None)
    with public_dns(HOST), respx.mock() as router, pytest.raises(Transient) as broken:
        router.post(host=HOST).mock(side_effect=httpx.ConnectError("refused"))
        build().fetch(None)
    assert "api.telegram.org" in caplog.text or "api.telegram.org" in broken.value.message
    assert TOKEN not in caplog.text and TOKEN not in broken.value.message and TOKEN not in str(broken.value)


@pytest.mark.parametrize("name", ["httpx", "federe.core.netsafe"])
def test_the_loggers_that_name_addresses_hide_the_token(caplog, name):
    build()  # the connector's module is imported: its filter is installed
    with caplog.at_level(logging.INFO):
        logging.getLogger(name).error("call to %s", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
    assert "https://api.telegram.org/bot…/getUpdates" in caplog.text and TOKEN not in caplog.text
