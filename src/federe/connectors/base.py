"""The connector contract. One subclass per network, in its own folder."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.types import (
    ActionResult,
    Batch,
    Cursor,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PublishResult,
)


@dataclass(frozen=True)
class SetupField:
    """One thing a user types to connect a channel; secrets go to the encrypted credentials."""

    name: str
    label: Any
    secret: bool = False
    required: bool = True
    help: Any = ""
    kind: str = "text"  # text, url, password


class Connector(ABC):
    key: ClassVar[str]
    label: ClassVar[Any]  # a (lazily) translated name
    capabilities: ClassVar[frozenset[Capability]]
    # Closed networks we cannot reach are built from published docs and said so in the UI.
    verified_against_real_server: ClassVar[bool] = False
    do_not_call_in_templates: ClassVar[bool] = True  # templates read the class's attributes
    setup_fields: ClassVar[tuple[SetupField, ...]] = ()
    # How often to poll when the operator has not chosen (None: FEDERE_SYNC_INTERVAL_SECONDS).
    default_sync_interval_seconds: ClassVar[int | None] = None

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        self.config = config
        self.credentials = credentials

    def check(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Raise a ConnectorError in plain words when the connection cannot work."""

    @abstractmethod
    def fetch(self, cursor: Cursor | None) -> Batch:
        """The next page of items after ``cursor``, and the cursor that follows it."""

    def reply(self, reply: OutgoingReply) -> PublishResult:
        raise Permanent(_("%(network)s does not allow replies.") % {"network": self.label})

    def act(self, action: ModerationAction) -> ActionResult:
        raise Permanent(_("%(network)s does not allow moderation.") % {"network": self.label})

    def publish(self, post: OutgoingPost) -> PublishResult:
        raise Permanent(_("%(network)s does not allow publishing.") % {"network": self.label})

    def __repr__(self) -> str:
        # Never show credentials, even in a debugger or a traceback.
        return f"<{type(self).__name__} config={sorted(self.config)}>"
