"""Internal notes for the demo: the team talks about a few threads and mentions each other, so that the bell of
the demo user (and of camille and max) has something in it."""

from __future__ import annotations

from typing import Any

from federe.accounts.models import Workspace
from federe.inbox import notes
from federe.inbox.models import Conversation

# (thread index among the latest, author, note): "@name" mentions notify that teammate.
NOTES = [
    (0, "camille", "@demo ce client attend une réponse depuis hier : je m’en occupe, sauf avis contraire."),
    (2, "max", "@demo @camille this looks like a refund request. Who handles those this week?"),
    (5, "camille", "@max peux-tu vérifier la commande avant que je réponde ? Merci !"),
    (7, "max", "Checked with the shop: the parcel left on Monday. @camille you can answer."),
]


def load(workspace: Workspace, team: dict[str, Any]) -> None:
    threads = list(Conversation.objects.filter(workspace=workspace).order_by("-last_message_at", "-id")[:8])
    for index, author, body in NOTES:
        if index < len(threads) and author in team:
            notes.add_note(conversation=threads[index], by=team[author], body=body)
