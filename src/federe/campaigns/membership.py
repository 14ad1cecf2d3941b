"""What belongs to a campaign: the one definition, used by its impact and by the inbox, mentions and people filters.

- **Its posts**, **its listening queries**, **its contests** and **its events**: those grouped in it (``Item`` rows).
- **Its short links**: those grouped in it, and every short link made for one of its posts.
- **Its mentions**: the mentions of its queries posted during its dates (first day to last day included, on the
  workspace's clock; ``windows.campaign_window``).
- **Its messages**: its mentions' messages, and the community's answers to its posts at any time (inbound messages
  whose parent, or whose thread, is one of its posts as sent on that channel: ``Delivery.external_id``).
- **Its people**: the persons who wrote its messages (after identity merges, the person kept). Clicks on short
  links are counters with nothing about the visitor (links app), so clicking does not make anyone a campaign's.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from federe.campaigns.models import Campaign, Item
from federe.campaigns.windows import Window, campaign_window
from federe.contests.models import Contest
from federe.events.models import Event
from federe.inbox.models import Direction, Message
from federe.links.models import ShortLink
from federe.listening.models import Mention, SavedQuery
from federe.people.models import Person
from federe.publishing.models import Delivery, DeliveryState, Post


def window(campaign: Campaign) -> Window:
    return campaign_window(campaign.starts_on, campaign.ends_on, campaign.workspace.timezone)


def _items(campaign: Campaign, column: str) -> QuerySet[Item]:
    return Item.objects.filter(campaign=campaign, **{f"{column}__isnull": False}).values(column)


def posts(campaign: Campaign) -> QuerySet[Post]:
    return Post.objects.filter(
        workspace_id=campaign.workspace_id, pk__in=_items(campaign, "post"), deleted_at__isnull=True
    )


def links(campaign: Campaign) -> QuerySet[ShortLink]:
    return ShortLink.objects.filter(
        Q(pk__in=_items(campaign, "link")) | Q(post_id__in=_items(campaign, "post")),
        workspace_id=campaign.workspace_id,
    )


def queries(campaign: Campaign) -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(workspace_id=campaign.workspace_id, pk__in=_items(campaign, "query"))


def contests(campaign: Campaign) -> QuerySet[Contest]:
    return Contest.objects.filter(workspace_id=campaign.workspace_id, pk__in=_items(campaign, "contest"))


def events(campaign: Campaign) -> QuerySet[Event]:
    return Event.objects.filter(workspace_id=campaign.workspace_id, pk__in=_items(campaign, "event"))


def of_event(event: Event) -> QuerySet[Campaign]:
    """The campaigns grouping this event (its page links to them)."""
    return Campaign.objects.filter(workspace_id=event.workspace_id, items__event=event).distinct()


def mentions(campaign: Campaign) -> QuerySet[Mention]:
    span = window(campaign)
    return Mention.objects.filter(
        workspace_id=campaign.workspace_id,
        query_id__in=_items(campaign, "query"),
        posted_at__gte=span.start,
        posted_at__lt=span.end,
    )


def sent_posts(campaign: Campaign) -> dict[int, list[str]]:
    """Its posts as the networks know them: channel id → the ids they were given there."""
    found: dict[int, list[str]] = {}
    rows = Delivery.objects.filter(
        workspace_id=campaign.workspace_id, post_id__in=_items(campaign, "post"), state=DeliveryState.SENT
    ).exclude(external_id="")
    for connection_id, external_id in rows.values_list("connection_id", "external_id"):
        found.setdefault(connection_id, []).append(external_id)
    return found


def answers_condition(sent: dict[int, list[str]]) -> Q:
    """Inbound messages answering one of these posts (their parent or their thread is the post)."""
    condition = Q(pk__in=[])
    for connection_id, ids in sent.items():
        condition |= Q(connection_id=connection_id) & (
            Q(parent_external_id__in=ids) | Q(conversation__external_id__in=ids)
        )
    return condition & Q(direction=Direction.INBOUND)


def messages(campaign: Campaign) -> QuerySet[Message]:
    answers = answers_condition(sent_posts(campaign))
    mentioned = Q(pk__in=mentions(campaign).values("message_id"))
    return Message.objects.filter(answers | mentioned, workspace_id=campaign.workspace_id)


def people(campaign: Campaign) -> QuerySet[Person]:
    authors = messages(campaign).exclude(author__isnull=True).values("author__person_id")
    return Person.objects.filter(workspace_id=campaign.workspace_id, pk__in=authors)


def of_workspace(workspace_id: int, pk: int | None) -> Campaign | None:
    """The workspace's campaign ``pk`` (a filter's value), or None: another workspace's is never found."""
    if pk is None:
        return None
    return Campaign.objects.select_related("workspace").filter(workspace_id=workspace_id, pk=pk).first()
