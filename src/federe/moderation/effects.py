"""What a destructive decision does on the network, in words, for the confirmation that precedes it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from federe.connections.runtime import can
from federe.connectors.capabilities import Capability
from federe.inbox.models import Message
from federe.moderation.models import Verdict

# Verdicts that cannot be taken back: the UI asks first and the server refuses them unconfirmed.
CONFIRMED_VERDICTS = (Verdict.DELETE, Verdict.BAN)


def network_effect(action: str, message: Message) -> str:
    channel = message.connection.name
    if not can(message.connection, Capability.MODERATE):
        return _("Fédère cannot moderate on %(channel)s: the decision is only recorded here.") % {"channel": channel}
    if action == Verdict.BAN:
        author = str(message.author) if message.author_id else _("The author")
        return _("%(author)s is banned from %(channel)s and can no longer post there.") % {
            "author": author,
            "channel": channel,
        }
    return _("The message is deleted on %(channel)s; this cannot be undone.") % {"channel": channel}


def network_effects(message: Message) -> dict[str, str]:
    return {str(action): network_effect(action, message) for action in CONFIRMED_VERDICTS}
