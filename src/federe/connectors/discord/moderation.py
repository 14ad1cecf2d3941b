"""Moderation in a Discord server by its bot (``client.py`` names the endpoints and the permissions they need).

DELETE deletes the message; BAN and UNBAN add and remove the author's ban; KICK removes them from the server (they
may join again with an invite); MUTE is a timeout (``communication_disabled_until``, 28 days at most). Discord
answers "unknown message / member / ban" (10008, 10007, 10026) when the action was already done: asked twice, the
second call says so. Each call carries the reason in ``X-Audit-Log-Reason`` (the server's audit log).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from federe.connectors.discord.client import DiscordClient, Gone
from federe.connectors.discord.mapping import snowflake, split_ref
from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ActionResult, ModerationAction

MAX_TIMEOUT_DAYS = 28  # Discord's longest timeout


def act(client: DiscordClient, action: ModerationAction, guild_id: str, *, mute_days: int) -> ActionResult:
    reason = action.reason or _("Moderated from Fédère")
    try:
        if action.kind == ActionKind.DELETE:
            channel_id, message_id = split_ref(action.external_id)
            if not message_id:
                raise Permanent(_("This is not a Discord message id."))
            client.delete_message(channel_id, message_id, reason)
            return ActionResult(done=True, detail=_("Deleted."))
        user_id = snowflake(action.author_id)
        if not user_id:
            raise Permanent(_("This message does not say which Discord user wrote it."))
        if not guild_id:
            raise Permanent(_("This channel has no Discord server id: set it."))
        return _on_member(client, action.kind, guild_id, user_id, reason, mute_days)
    except Gone:
        return ActionResult(done=True, detail=_("Already done: Discord no longer has it."))


def _on_member(
    client: DiscordClient, kind: ActionKind, guild_id: str, user_id: str, reason: str, mute_days: int
) -> ActionResult:
    if kind == ActionKind.BAN:
        client.ban(guild_id, user_id, reason)
        return ActionResult(done=True, detail=_("Banned from the server."))
    if kind == ActionKind.UNBAN:
        client.unban(guild_id, user_id, reason)
        return ActionResult(done=True, detail=_("No longer banned: the member may join again."))
    if kind == ActionKind.KICK:
        client.kick(guild_id, user_id, reason)
        return ActionResult(done=True, detail=_("Removed from the server: the member may join again."))
    if kind == ActionKind.MUTE:
        until = datetime.now(UTC) + timedelta(days=min(mute_days, MAX_TIMEOUT_DAYS))
        client.timeout_member(guild_id, user_id, until.isoformat(timespec="seconds"), reason)
        return ActionResult(done=True, detail=_("Timed out: the member cannot speak until the timeout ends."))
    raise Permanent(_("Discord does not do this action."))
