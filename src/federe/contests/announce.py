"""Winners told by a reply on their own channel, through the inbox's reply path (``inbox.services.send_reply``).

Each winner's announcement is a ``Reply`` (draft → sending → sent | failed, with its error in words) linked from
the entry, so the contest page shows each one's state, and a failed one can be sent again. An entry whose reply
is already sent is never announced twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.contests.models import Contest, Entry, Stage
from federe.inbox.models import ReplyState
from federe.inbox.services import retry_reply, send_reply


@dataclass
class Announced:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def winners(contest: Contest) -> list[Entry]:
    entries = Entry.objects.filter(contest=contest, rank__isnull=False)
    return list(entries.select_related("message__conversation", "announcement").order_by("rank"))


def announce_winners(*, contest: Contest, text: str, by: Any) -> Announced:
    """Reply to each winning message with ``text`` (no network call inside a transaction: one reply at a time)."""
    require(by, contest.workspace, Perm.PUBLISH)
    require(by, contest.workspace, Perm.REPLY)
    if contest.stage != Stage.DRAWN:
        raise ValidationError(_("Run the draw before announcing the winners."))
    if not text.strip():
        raise ValidationError({"text": _("Write the announcement.")})
    result = Announced()
    for entry in winners(contest):
        reply = entry.announcement
        if reply is not None and reply.state == ReplyState.SENT:
            result.skipped += 1
            continue
        if reply is not None:
            reply = retry_reply(reply=reply, by=by, text=text)
        else:
            message = entry.message
            reply = send_reply(conversation=message.conversation, text=text, by=by, in_reply_to=message)
            Entry.objects.filter(pk=entry.pk).update(announcement=reply)
        if reply.state == ReplyState.SENT:
            result.sent += 1
        else:
            result.failed += 1
    return result
