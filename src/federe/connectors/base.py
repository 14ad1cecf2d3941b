"""The connector contract. One subclass per network, in its own folder."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import keeping
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    HistoryExport,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PostRules,
    ProgressFactory,
    PublishResult,
    Target,
)


@dataclass(frozen=True)
class SetupField:
    """One thing a user types to connect a channel; secrets go to the encrypted credentials."""

    name: str
    label: Any
    secret: bool = False
    required: bool = True
    help: Any = ""
    kind: str = "text"  # text, url, password, choice
    # For kind "choice": (stored value, translated label) pairs, shown as a list; the first one is the default.
    choices: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if (self.kind == "choice") != bool(self.choices):
            raise TypeError(f"setup field {self.name!r}: choices are given if and only if its kind is 'choice'")


@dataclass(frozen=True)
class SetupStep:
    """One step of what to do on the network's side, shown on the channel's page: words and a snippet to copy.

    Each connector declares its own steps, so that a channel shows the help of its network and no other's. The
    ``code`` may hold placeholders that only the page knows (``{hook_url}``: the channel's private sync address);
    a step whose placeholder has no value for this reader (they may not see the address) is not shown.
    """

    text: Any  # a (lazily) translated sentence
    code: str = ""
    private: bool = False  # set once filled with the private sync address: the page says to keep it private

    def filled(self, values: dict[str, str]) -> SetupStep | None:
        """This step with its placeholders replaced by ``values``; None when one of them is missing or empty."""
        code, private = self.code, self.private
        for name, secret in PLACEHOLDERS.items():
            marker = "{" + name + "}"
            if marker in code:
                if not values.get(name):
                    return None
                code, private = code.replace(marker, values[name]), private or secret
        return SetupStep(self.text, code, private)


PLACEHOLDERS = {"hook_url": True, "workspace": False}  # name: whether its value is private
# Any network (or a script) may call a channel's sync address; a connector that says how its network does it
# (a step using {hook_url}) replaces this general step.
SYNC_HOOK_STEP = SetupStep(
    _lazy(
        "Sync within seconds (optional): a network, or a script, can call this address when something changes,"
        " so that Fédère syncs at once instead of at the next poll."
    ),
    "{hook_url}",
)


def setup_steps(connector_cls: type[Connector], values: dict[str, str]) -> list[SetupStep]:
    """The connector's setup help as this reader may see it, placeholders filled."""
    steps = connector_cls.setup_help
    if connector_cls.polls and not any("{hook_url}" in step.code for step in steps):
        steps = (*steps, SYNC_HOOK_STEP)
    filled = (step.filled(values) for step in steps)
    return [step for step in filled if step is not None]


# The method that does each capability. A connector declares a capability and overrides its method, or does
# neither and the base class's method refuses in plain words; declaring one without the other is a TypeError.
CAPABILITY_METHODS = {
    Capability.REPLY: "reply",
    Capability.MODERATE: "act",
    Capability.PUBLISH: "publish",
    Capability.IMPORT: "open_history",  # then read_history (types.HistoryImporter)
}


class Connector(ABC):
    key: ClassVar[str]
    label: ClassVar[Any]  # a (lazily) translated name
    capabilities: ClassVar[frozenset[Capability]]
    # Closed networks we cannot reach are built from published docs and said so in the UI.
    verified_against_real_server: ClassVar[bool] = False
    do_not_call_in_templates: ClassVar[bool] = True  # templates read the class's attributes
    setup_fields: ClassVar[tuple[SetupField, ...]] = ()
    setup_help: ClassVar[tuple[SetupStep, ...]] = ()  # what to do on the network's side, if anything
    # False for a network whose channels are filled by imports only: no sync address is offered for them.
    polls: ClassVar[bool] = True
    # How often to poll when the operator has not chosen (None: FEDERE_SYNC_INTERVAL_SECONDS).
    default_sync_interval_seconds: ClassVar[int | None] = None
    # Adaptive polling (connections.pacing), for networks that opt in: while new messages arrive the channel is
    # polled every ``active_sync_interval_seconds`` (the floor) instead of its interval (the ceiling), within
    # ``sync_budget_per_hour`` syncs per channel in any hour. None: the channel is polled at its interval, always.
    active_sync_interval_seconds: ClassVar[int | None] = None
    sync_budget_per_hour: ClassVar[int] = 720
    # A network whose fetch long-polls (waits up to this many seconds for news, answering as soon as there is):
    # its channels are synced again as soon as a sync ends, instead of at the next interval. A channel whose config
    # sets ``long_poll_seconds`` to 0 polls at its interval instead.
    long_poll_seconds: ClassVar[int] = 0
    # The moderation actions this network does (non-empty if, and only if, it declares MODERATE). Fédère offers a
    # channel these and no other, in the inbox, the review queue and the rules.
    actions: ClassVar[frozenset[ActionKind]] = frozenset()
    # What the network cannot do that a user would expect, and why, in plain (lazily translated) sentences:
    # shown on the channel's page and in docs/connectors.md ("Misago has no API to ban a member: ...").
    limitations: ClassVar[tuple[Any, ...]] = ()
    # True when REJECT hands the moderator's reason to the author (Mailman mails it to the sender); the confirmation
    # before a rejection says whether the author is told.
    reject_tells_author: ClassVar[bool] = False
    # Set when a channel follows chosen places on the network (rooms, lists): the channel page lists them with
    # ``list_targets`` under this heading and keeps the chosen ids in ``config["targets"]``.
    targets_label: ClassVar[Any] = None
    # What a post may hold on this network (set if, and only if, it declares PUBLISH): the composer's limits.
    post_rules: ClassVar[PostRules | None] = None
    # True when the network honours ``OutgoingPost.idempotency_key``: publishing twice with one key makes one
    # post (Mastodon's Idempotency-Key within its hour, a Bluesky rkey). A delivery whose outcome is unknown is
    # then sent again with the same key; otherwise Fédère asks ``find_published`` first, and never re-sends blind.
    publish_is_idempotent: ClassVar[bool] = False
    # A network without history (IRC): the worker keeps a live connection per channel open by calling ``listen``,
    # which writes what it hears where ``fetch`` reads it (connections/live.py).
    live: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = getattr(cls, "capabilities", None)
        if declared is None:
            return  # an abstract intermediate class
        for capability, method in CAPABILITY_METHODS.items():
            implemented = getattr(cls, method) is not getattr(Connector, method)
            if implemented != (capability in declared):
                raise TypeError(
                    f"{cls.__name__}: a connector declares {capability!r} in its capabilities if, and only if, it"
                    f" overrides {method}()"
                )
        if bool(cls.actions) != (Capability.MODERATE in declared):
            raise TypeError(f"{cls.__name__}: a connector that moderates lists its actions, and only such a one")
        if (cls.post_rules is not None) != (Capability.PUBLISH in declared):
            raise TypeError(f"{cls.__name__}: a connector that publishes sets post_rules, and only such a one")
        if (cls.targets_label is None) != (cls.list_targets is Connector.list_targets):
            raise TypeError(f"{cls.__name__}: a connector with targets_label overrides list_targets(), and only it")

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        self.config = config
        self.credentials = credentials

    def keep_credentials(self) -> None:
        """Store ``self.credentials`` now, once the connector changed them (a new token, a login): a worker killed
        the next second must not lose them. Does nothing outside a stored channel (``connectors/keeping.py``)."""
        keeping.changed(self.credentials)

    def check(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Raise a ConnectorError in plain words when the connection cannot work."""

    @abstractmethod
    def fetch(self, cursor: Cursor | None) -> Batch:
        """The next page of items after ``cursor``, and the cursor that follows it."""

    def reply(self, reply: OutgoingReply) -> PublishResult:
        raise Permanent(_("%(network)s does not allow replies.") % {"network": self.label})

    def act(self, action: ModerationAction) -> ActionResult:
        """Do ``action`` on the network; only ever called with one of ``actions``. Idempotent: asked twice, the
        second call finds it done (the state of the message, the room, the member) and says so."""
        raise Permanent(_("%(network)s does not allow moderation.") % {"network": self.label})

    def list_targets(self) -> list[Target]:
        """The places this channel may follow (``targets_label``), as the credentials see them."""
        raise Permanent(_("%(network)s has nothing to choose from.") % {"network": self.label})

    def publish(self, post: OutgoingPost) -> PublishResult:
        raise Permanent(_("%(network)s does not allow publishing.") % {"network": self.label})

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The post an earlier attempt of this delivery left on the network (found by its marker, derived from
        ``post.idempotency_key``), or None when there is none. Called before any retry of a delivery whose outcome
        is unknown, for networks without an idempotency key of their own (WordPress posts). A network whose
        ``publish`` is idempotent by itself (Mastodon ``Idempotency-Key``, Bluesky ``rkey``) sets
        ``publish_is_idempotent = True`` instead and needs not override it: the delivery is published again with
        the same key, which that network turns into the first post. A connector that does neither leaves such a
        delivery for a person to check (never re-sent blind)."""
        return None

    def listen(self, stop: threading.Event) -> None:
        """For a ``live`` network: stay connected and keep what arrives until ``stop`` is set."""
        raise Permanent(_("%(network)s is read by polling, not by a live connection.") % {"network": self.label})

    @classmethod
    def missed_periods(cls, cursor: Cursor) -> list[tuple[datetime, datetime]]:
        """The periods nothing could be read (shown on the channel's health), as the connector recorded them in its
        cursor's ``gaps``: ``[start, end]`` ISO 8601 pairs (IRC: the bot was not connected; Telegram: updates older
        than the 24 hours it keeps them)."""
        periods = []
        for gap in (cursor or {}).get("gaps") or []:
            try:
                periods.append((datetime.fromisoformat(gap[0]), datetime.fromisoformat(gap[1])))
            except (TypeError, ValueError, IndexError):
                continue
        return periods

    def open_history(self, location: str, progress: ProgressFactory) -> HistoryExport:
        raise Permanent(_("%(network)s has no history to import.") % {"network": self.label})

    def __repr__(self) -> str:
        # Never show credentials, even in a debugger or a traceback.
        return f"<{type(self).__name__} config={sorted(self.config)}>"
