"""What a destructive decision does on the network, in words, for the confirmation that precedes it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from federe.inbox.models import Message
from federe.moderation import actions
from federe.moderation.models import Verdict

# Verdicts that cannot be taken back: the UI asks first and the server refuses them unconfirmed.
CONFIRMED_VERDICTS = actions.CONFIRMED


def network_effect(action: str, message: Message) -> str:
    channel = message.connection.name
    if not actions.moderates(message.connection):
        return _("Fédère cannot moderate on %(channel)s: the decision is only recorded here.") % {"channel": channel}
    author = str(message.author) if message.author_id else _("The author")
    names = {"author": author, "channel": channel}
    if action == Verdict.BAN:
        return _("%(author)s is banned from %(channel)s and can no longer post there.") % names
    if action == Verdict.KICK:
        return _("%(author)s is put out of %(channel)s; they may come back.") % names
    if action == Verdict.SUSPEND:
        return _("%(author)s's account is suspended on %(channel)s: they can no longer log in.") % names
    if action == Verdict.REJECT and actions.rejection_tells_author(message.connection):
        return _("The message is refused on %(channel)s and its author receives your reason.") % names
    if action == Verdict.REJECT:
        return _("The message is refused on %(channel)s; its author is not told why.") % names
    return _("The message is deleted on %(channel)s; this cannot be undone.") % names
