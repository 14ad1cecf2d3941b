"""The demo's finished contest: the replies to a busy thread of the first channel, committed at its start, drawn
after its end with a stated public value, so the certificate page and its script can be tried at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.contests import services
from federe.inbox.models import Conversation

PUBLIC_VALUE = "demo: drand quicknet round 12345678, randomness 3f9a0c5e1b7d (not a real round)"


def load(workspace: Workspace, owner: Any) -> None:
    thread = (
        Conversation.objects.filter(workspace=workspace)
        .annotate(message_count=Count("messages"))
        .filter(message_count__gte=4)
        .order_by("-message_count", "pk")
        .first()
    )
    if thread is None:
        return
    first = thread.messages.order_by("posted_at", "pk").first()
    now = timezone.now()
    if first is None or first.posted_at > now - timedelta(days=2):
        return
    fields = services.Fields(
        name=f"{thread.title or workspace.name}: #concours",
        starts_at=first.posted_at,
        ends_at=now - timedelta(days=1),
        rule="reply",
        reply_to_id=first.pk,
        winners_count=2,
        public_source="drand quicknet (https://api.drand.sh), the first round after the end",
    )
    contest = services.add(workspace=workspace, fields=fields, by=owner)
    services.commit(contest=contest, by=owner, now=first.posted_at)
    services.run_draw(contest=contest, public_value=PUBLIC_VALUE, source="https://api.drand.sh (demo)", by=owner)
