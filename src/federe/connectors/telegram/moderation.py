"""Moderation in a Telegram group, by a bot that is one of its administrators (``client.py`` names the methods).

DELETE is deleteMessage; a message already gone ("message to delete not found") counts as done, so asked twice the
second call says so. BAN is banChatMember, UNBAN unbanChatMember with ``only_if_banned``, KICK unbanChatMember
without it (the documented way to remove a member who may join again), MUTE restrictChatMember with every send
right off for ``mute_days``. Telegram answers ``true`` to a ban of a banned member and to an unban of a member who
is not banned, so these are idempotent on Telegram's side.
"""

from __future__ import annotations

import time

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.telegram.client import TelegramClient, TelegramError
from federe.connectors.types import ActionKind, ActionResult, ModerationAction

GONE = "message to delete not found"  # Telegram's description when the message is already gone


def act(
    client: TelegramClient, action: ModerationAction, chat: str, message_id: int, *, mute_days: int
) -> ActionResult:
    if action.kind == ActionKind.DELETE:
        return _delete(client, chat, message_id)
    user_id = int(action.author_id) if str(action.author_id).isdigit() else 0
    if not user_id:
        raise Permanent(_("This message does not say which Telegram user wrote it."))
    if action.kind == ActionKind.BAN:
        client.ban(chat, user_id)
        return ActionResult(done=True, detail=_("Banned from the group."))
    if action.kind == ActionKind.UNBAN:
        client.unban(chat, user_id)
        return ActionResult(done=True, detail=_("No longer banned: the member may join again."))
    if action.kind == ActionKind.KICK:
        client.kick(chat, user_id)
        return ActionResult(done=True, detail=_("Removed from the group: the member may join again."))
    if action.kind == ActionKind.MUTE:
        client.restrict(chat, user_id, until=int(time.time()) + mute_days * 86_400)
        return ActionResult(done=True, detail=_("Muted in the group."))
    raise Permanent(_("Telegram does not do this action."))


def _delete(client: TelegramClient, chat: str, message_id: int) -> ActionResult:
    if not message_id:
        raise Permanent(_("This is not a Telegram message id."))
    try:
        client.delete_message(chat, message_id)
    except TelegramError as exc:
        if exc.status == 400 and GONE in exc.description.lower():
            return ActionResult(done=True, detail=_("The message was already deleted."))
        raise
    return ActionResult(done=True, detail=_("Deleted."))
