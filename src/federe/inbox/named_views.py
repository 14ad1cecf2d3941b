"""The inbox's named views ("Assigned to me", "Unassigned"…): a small registry. Each view is a slug (kept in the
address, ``?view=mine``), a label, and a function narrowing a workspace's threads for the reader. A view may also
order the threads (``waiting``); otherwise the list stays newest first. Add a view with ``register``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from federe.inbox.models import Conversation, ConversationStatus, Direction, InternalNote, Message, ReadState

Narrow = Callable[[QuerySet[Conversation], Any], QuerySet[Conversation]]

#: Before any message: "never answered" compares as answered at this instant.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NamedView:
    slug: str
    label: Promise | str
    narrow: Narrow
    ordered: bool = False  # True when ``narrow`` sets the order itself


VIEWS: dict[str, NamedView] = {}


def register(slug: str, label: Promise | str, narrow: Narrow, *, ordered: bool = False) -> None:
    VIEWS[slug] = NamedView(slug, label, narrow, ordered)


def get(slug: str) -> NamedView | None:
    return VIEWS.get(slug)


def _open(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return qs.exclude(status=ConversationStatus.CLOSED)


def assigned_to_me(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Open threads (not closed) assigned to the reader."""
    return _open(qs).filter(assignee_id=user.pk)


def unassigned(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Open threads (not closed) assigned to nobody."""
    return _open(qs).filter(assignee__isnull=True)


def waiting(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Open threads whose customer waits for an answer, the longest wait first.

    A thread waits when a received message (still on the network: not spam, not removed) came after the last
    message the brand sent in it, or when the brand never sent one. It has waited since the first such message;
    an answer sent from Fédère or seen on the network ends the wait. Ties: the older thread first."""
    last_sent = Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.OUTBOUND)
    unanswered = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.INBOUND, posted_at__gt=OuterRef("answered_at")
    ).exclude(network_status__in=["spam", "removed"])
    return (
        _open(qs)
        .annotate(
            answered_at=Coalesce(Subquery(last_sent.order_by("-posted_at").values("posted_at")[:1]), Value(EPOCH))
        )
        .annotate(waiting_since=Subquery(unanswered.order_by("posted_at").values("posted_at")[:1]))
        .filter(waiting_since__isnull=False)
        .order_by("waiting_since", "id")
    )


def mentions_of_me(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Threads (closed ones too) with an internal note that mentions the reader."""
    noted = InternalNote.mentions.through.objects.filter(user_id=user.pk).values("internalnote__conversation_id")
    return qs.filter(pk__in=noted)


def unread(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Open threads the reader has not read since their last message (``is_read``)."""
    return _open(qs).annotate(is_read=is_read(user)).filter(is_read=False)


def overdue_only(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Threads with an SLA target past its due time and not met (the sla app keeps ``sla_clock.due_at``: the
    earliest due time of a target not yet met); also the list's and the API's ``overdue=1`` filter."""
    return qs.filter(sla_clock__due_at__lt=timezone.now())


def overdue(qs: QuerySet[Conversation], user: Any) -> QuerySet[Conversation]:
    """Threads (closed ones too, as ``overdue=1``) with an SLA target overdue."""
    return overdue_only(qs)


def is_read(user: Any) -> ExpressionWrapper:
    """True for a thread the reader opened (or marked read) since its last message; as an annotation."""
    rows = ReadState.objects.filter(user_id=user.pk, conversation=OuterRef("pk"))
    since_last = Exists(rows.filter(seen_up_to__gte=OuterRef("last_message_at")))
    empty_and_opened = Q(last_message_at__isnull=True) & Exists(rows)
    return ExpressionWrapper(Q(since_last) | empty_and_opened, output_field=BooleanField())


register("mine", _("Assigned to me"), assigned_to_me)
register("unassigned", _("Unassigned"), unassigned)
register("waiting", _("Waiting longest first"), waiting, ordered=True)
register("mentions", _("Mentions of me"), mentions_of_me)
register("unread", _("Unread"), unread)
register("overdue", _("Overdue"), overdue)
