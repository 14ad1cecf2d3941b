"""A throw-away network that does five moderation actions (no approve, no spam) and remembers what it was asked."""

from __future__ import annotations

from typing import ClassVar

from federe.connectors.dummy.connector import DummyConnector
from federe.connectors.types import ActionKind, ActionResult, ModerationAction


class LesserConnector(DummyConnector):
    key = "lesser"
    label = "Lesser"
    actions = frozenset({ActionKind.REMOVE, ActionKind.REJECT, ActionKind.BAN, ActionKind.KICK, ActionKind.CLOSE})
    asked: ClassVar[list[ModerationAction]] = []

    def act(self, action: ModerationAction) -> ActionResult:
        assert action.kind in self.actions, "Fédère asked for an action this network does not do"
        LesserConnector.asked.append(action)
        return ActionResult(done=True, detail=f"{action.kind} done")
