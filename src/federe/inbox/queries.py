"""Inbox reads, always scoped to one workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.core.params import whole_number
from federe.inbox import named_views
from federe.inbox.models import Conversation, ConversationStatus, Language, Message
from federe.moderation.models import Decision
from federe.people.queries import messages_by_segment


@dataclass(frozen=True)
class InboxFilters:
    connection: int | None = None
    status: str = ""
    language: str = ""
    held: bool = False
    segment: int | None = None  # a saved people segment: conversations with a message of one of its persons
    view: str = ""  # a named view's slug (inbox/named_views.py)
    overdue: bool = False  # an SLA target's due time has passed and it is not met (sla app)
    campaign: int | None = None  # a campaign's messages (campaigns/membership.py says which)

    @classmethod
    def from_params(cls, params: dict[str, str]) -> InboxFilters:
        connection = params.get("channel") or ""
        segment = params.get("segment") or ""
        status = params.get("status") or ""
        language = params.get("language") or ""
        view = params.get("view") or ""
        return cls(
            connection=whole_number(connection),
            status=status if status in ConversationStatus.values else "",
            language=language if language in Language.values else "",
            held=params.get("held") == "1",
            segment=whole_number(segment),
            view=view if named_views.get(view) else "",
            overdue=params.get("overdue") == "1",
            campaign=whole_number(params.get("campaign") or ""),
        )

    def as_query(self) -> str:
        """The filters as a query string (only those set), for links that keep them: thread, back to the list."""
        params = {
            "channel": self.connection or "",
            "status": self.status,
            "language": self.language,
            "held": "1" if self.held else "",
            "segment": self.segment or "",
            "view": self.view,
            "overdue": "1" if self.overdue else "",
            "campaign": self.campaign or "",
        }
        return urlencode({name: value for name, value in params.items() if value})


def conversations(workspace: Workspace, filters: InboxFilters, user: Any = None) -> QuerySet[Conversation]:
    """The threads the filters let through; for a reader (``user``), their named view applies and each thread
    says whether they have read it (``is_read``)."""
    qs = Conversation.objects.filter(workspace=workspace).select_related("connection", "assignee", "sla_clock")
    view = named_views.get(filters.view) if user is not None else None
    if filters.connection:
        qs = qs.filter(connection_id=filters.connection)
    if filters.overdue:
        qs = named_views.overdue_only(qs)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.held:
        qs = qs.filter(messages__network_status="held").distinct()
    if filters.segment:
        qs = qs.filter(pk__in=messages_by_segment(workspace, filters.segment).values("conversation_id"))
    if filters.campaign:
        qs = qs.filter(pk__in=campaign_messages(workspace, filters.campaign).values("conversation_id"))
    if user is not None:
        qs = qs.annotate(is_read=named_views.is_read(user))
    if view is not None:
        qs = view.narrow(qs, user)
        if view.ordered:
            return qs
    return qs.order_by("-last_message_at", "-id")


def campaign_messages(workspace: Workspace, campaign_id: int) -> QuerySet[Message]:
    """A campaign's messages; none for a campaign of another workspace (or none at all)."""
    from federe.campaigns import membership  # campaigns is built on the inbox: read when asked

    found = membership.of_workspace(workspace.pk, campaign_id)
    return membership.messages(found) if found else Message.objects.none()


def view_counts(workspace: Workspace, user: Any) -> dict[str, int]:
    """How many threads each named view holds for ``user``: one COUNT query per view."""
    base = Conversation.objects.filter(workspace=workspace)
    return {slug: view.narrow(base, user).count() for slug, view in named_views.VIEWS.items()}


def conversation(workspace: Workspace, pk: int) -> Conversation:
    return Conversation.objects.select_related("connection", "assignee").get(workspace=workspace, pk=pk)


def thread(workspace: Workspace, conv: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(workspace=workspace, conversation=conv)
        .select_related("author", "sent_by", "connection")
        .prefetch_related(
            "revisions",
            Prefetch("decisions", queryset=Decision.objects.select_related("rule_version__rule", "actor")),
        )
        .order_by("posted_at", "id")
    )


def messages(workspace: Workspace, filters: InboxFilters) -> QuerySet[Message]:
    qs = Message.objects.filter(workspace=workspace).select_related("author", "conversation")
    if filters.connection:
        qs = qs.filter(connection_id=filters.connection)
    if filters.status:
        qs = qs.filter(conversation__status=filters.status)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.held:
        qs = qs.filter(network_status="held")
    if filters.segment:
        qs = qs.filter(pk__in=messages_by_segment(workspace, filters.segment).values("pk"))
    if filters.campaign:
        qs = qs.filter(pk__in=campaign_messages(workspace, filters.campaign).values("pk"))
    return qs.order_by("-posted_at", "-id")


def status_counts(workspace: Workspace) -> dict[str, int]:
    rows = Conversation.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


def held_count(workspace: Workspace) -> int:
    return Message.objects.filter(workspace=workspace, network_status="held").count()


def daily_volume(workspace: Workspace, days: int = 14) -> list[tuple[date, int]]:
    """Messages per day over the last ``days`` days, zero-filled, oldest first."""
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    rows = (
        Message.objects.filter(workspace=workspace, posted_at__date__gte=since)
        .annotate(day=TruncDate("posted_at"))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    counts = dict(rows)
    return [(since + timedelta(days=i), counts.get(since + timedelta(days=i), 0)) for i in range(days)]
