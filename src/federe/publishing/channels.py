"""The channels a post can go to: the workspace's enabled channels whose network publishes, with its rules."""

from __future__ import annotations

from dataclasses import dataclass

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.connectors.capabilities import Capability
from federe.connectors.registry import connector_class
from federe.connectors.types import PostRules


@dataclass(frozen=True)
class Channel:
    connection: Connection
    rules: PostRules

    @property
    def pk(self) -> int:
        return self.connection.pk

    @property
    def prefix(self) -> str:
        """The prefix of this channel's variant fields in the compose form."""
        return f"v{self.connection.pk}"


def rules_of(network: str) -> PostRules | None:
    """The network's post rules, or None when it does not publish (or is not installed any more)."""
    try:
        cls = connector_class(network)
    except LookupError:
        return None
    return cls.post_rules if Capability.PUBLISH in cls.capabilities else None


def publishing_channels(workspace: Workspace) -> list[Channel]:
    channels = []
    for connection in Connection.objects.filter(workspace=workspace, enabled=True).order_by("name"):
        rules = rules_of(connection.network)
        if rules is not None:
            channels.append(Channel(connection, rules))
    return channels
