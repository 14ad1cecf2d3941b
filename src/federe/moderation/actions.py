"""Which moderation actions a channel offers: its network's own (``Connector.actions``), read through the registry.

Nothing here (nor anywhere in moderation) names a network: a channel lacking an action is never offered it, and a
rule asking for it gets a decision that says so ("Matrix cannot close a thread.") with nothing sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.capabilities import Capability
from federe.moderation.models import Verdict

# Actions on the message's author: the network is told who (author_id) and where (thread_id).
AUTHOR_ACTIONS = frozenset({Verdict.BAN, Verdict.UNBAN, Verdict.KICK, Verdict.MUTE, Verdict.SUSPEND})
# Actions on the message's thread: the network is told which (thread_id).
THREAD_ACTIONS = frozenset({Verdict.CLOSE, Verdict.PIN})
# Actions that cannot be taken back: the UI asks first and the server refuses them unconfirmed.
CONFIRMED = (Verdict.DELETE, Verdict.REJECT, Verdict.BAN, Verdict.KICK, Verdict.SUSPEND)
# Actions that tell the author why: a moderator must give the reason.
NEEDS_REASON = frozenset({Verdict.REJECT})
# A channel whose network cannot moderate at all still lets moderators record these, in Fédère only.
RECORDED_ONLY = (Verdict.APPROVE, Verdict.HOLD, Verdict.SPAM, Verdict.REMOVE)

CANNOT = {
    Verdict.APPROVE: gettext_lazy("%(network)s cannot approve a message."),
    Verdict.HOLD: gettext_lazy("%(network)s cannot hold a message back."),
    Verdict.SPAM: gettext_lazy("%(network)s cannot mark a message as spam."),
    Verdict.REMOVE: gettext_lazy("%(network)s cannot remove a message."),
    Verdict.RESTORE: gettext_lazy("%(network)s cannot restore a removed message."),
    Verdict.DELETE: gettext_lazy("%(network)s cannot delete a message for good."),
    Verdict.REJECT: gettext_lazy("%(network)s cannot reject a held message."),
    Verdict.BAN: gettext_lazy("%(network)s cannot ban an author."),
    Verdict.UNBAN: gettext_lazy("%(network)s cannot unban an author."),
    Verdict.KICK: gettext_lazy("%(network)s cannot kick an author out."),
    Verdict.MUTE: gettext_lazy("%(network)s cannot mute an author."),
    Verdict.SUSPEND: gettext_lazy("%(network)s cannot suspend an account."),
    Verdict.CLOSE: gettext_lazy("%(network)s cannot close a thread."),
    Verdict.PIN: gettext_lazy("%(network)s cannot pin a thread."),
}


def _connector_class(network: str) -> Any:
    try:
        return registry.connector_class(network)
    except LookupError:  # a plugin taken away since the channel was added: it does nothing
        return None


def rejection_tells_author(connection: Connection) -> bool:
    cls = _connector_class(connection.network)
    return cls is not None and bool(cls.reject_tells_author)


def moderates(connection: Connection) -> bool:
    cls = _connector_class(connection.network)
    return cls is not None and Capability.MODERATE in cls.capabilities


def network_actions(connection: Connection) -> frozenset[str]:
    """The actions the channel's network does (empty when it cannot moderate)."""
    cls = _connector_class(connection.network)
    if cls is None or Capability.MODERATE not in cls.capabilities:
        return frozenset()
    return frozenset(str(kind) for kind in cls.actions)


def offered(connection: Connection) -> list[Verdict]:
    """What a moderator may choose for this channel's messages, in a stable order. 'Approve' always comes first:
    on a network that cannot approve (a chat room), it keeps a public message as it is (``keeps_only``)."""
    done = network_actions(connection)
    if not done:
        return list(RECORDED_ONLY)
    return [verdict for verdict in Verdict if verdict in done or verdict == Verdict.APPROVE]


def keeps_only(connection: Connection) -> bool:
    """The network moderates but cannot approve: 'approve' means keep the message, with nothing to send."""
    done = network_actions(connection)
    return bool(done) and Verdict.APPROVE not in done


def cannot_text(action: str, connection: Connection) -> str:
    """Why the channel cannot do ``action``, in plain words ("Matrix cannot close a thread.")."""
    template = CANNOT.get(Verdict(action), gettext_lazy("%(network)s cannot do this."))
    return str(template) % {"network": connection.network_label}


def refusal(action: str, connection: Connection) -> str:
    """Why ``action`` may not be chosen for this channel's messages; "" when it may."""
    return "" if action in offered(connection) else cannot_text(action, connection)


@dataclass(frozen=True)
class Choice:
    """One verdict a rule may take, and the channels of the workspace that lack it (by name)."""

    verdict: Verdict
    lacking: tuple[str, ...]


def rule_choices(connections: Iterable[Connection]) -> list[Choice]:
    """The union of the channels' actions, each with the channels that lack it."""
    channels = list(connections)
    offers = {c.pk: set(offered(c)) for c in channels}
    union = set().union(*offers.values()) if channels else set(RECORDED_ONLY)
    return [
        Choice(verdict, tuple(c.name for c in channels if verdict not in offers[c.pk]))
        for verdict in Verdict
        if verdict in union
    ]
