"""Reads of a workspace's short links and their clicks (per link, per channel, per post)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from federe.accounts.models import Workspace
from federe.links.models import ShortLink
from federe.publishing.models import Post

MAX_ROWS = 500


def links(workspace: Workspace, post_id: int | None = None) -> Any:
    """The workspace's short links, newest first, each with ``total`` (its clicks); one post's when given."""
    rows = ShortLink.objects.filter(workspace=workspace)
    if post_id is not None:
        rows = rows.filter(post_id=post_id)
    return rows.select_related("post", "connection").annotate(total=Coalesce(Sum("clicks__count"), 0))


@dataclass(frozen=True)
class Total:
    key: int | None
    label: str
    clicks: int


def _totals(workspace: Workspace, group: str, label: str, post_id: int | None) -> list[Total]:
    rows = ShortLink.objects.filter(workspace=workspace)
    if post_id is not None:
        rows = rows.filter(post_id=post_id)
    found = rows.values(group, label).annotate(clicks=Coalesce(Sum("clicks__count"), 0)).order_by("-clicks", group)
    return [Total(row[group], str(row[label] or ""), row["clicks"]) for row in found[:MAX_ROWS]]


def clicks_per_channel(workspace: Workspace, post_id: int | None = None) -> list[Total]:
    return _totals(workspace, "connection_id", "connection__name", post_id)


def clicks_per_post(workspace: Workspace) -> list[Total]:
    """Each post's clicks, named by its title or the start of its text."""
    totals = [t for t in _totals(workspace, "post_id", "post__title", None) if t.key is not None]
    posts = {p.pk: p for p in Post.objects.filter(workspace=workspace, pk__in=[t.key for t in totals])}
    return [Total(t.key, str(posts[t.key])[:40], t.clicks) for t in totals if t.key in posts]


def posts_with_links(workspace: Workspace) -> Any:
    """The posts that have short links, for the page's filter (newest first)."""
    ids = ShortLink.objects.filter(workspace=workspace, post__isnull=False).values("post_id")
    return Post.objects.filter(Q(pk__in=ids), workspace=workspace, deleted_at__isnull=True).order_by("-id")[:200]
