"""Reading posts, always within one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from federe.accounts.models import Workspace
from federe.publishing.models import Delivery, Post, PostStatus, QueueSlot


def posts(workspace: Workspace, status: str = "") -> QuerySet[Post]:
    """The workspace's posts, newest time first; deleted ones left out."""
    rows = Post.objects.filter(workspace=workspace, deleted_at__isnull=True).select_related("author")
    if status in PostStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-scheduled_at", "-id")


def post(workspace: Workspace, post_id: int) -> Post:
    """One post of the workspace (Post.DoesNotExist otherwise, deleted ones included)."""
    return Post.objects.select_related("author", "workspace").get(
        workspace=workspace, pk=post_id, deleted_at__isnull=True
    )


def deliveries(post: Post) -> QuerySet[Delivery]:
    return Delivery.objects.filter(post=post).select_related("connection").order_by("occurrence", "id")


def delivery(workspace: Workspace, delivery_id: int) -> Delivery:
    return Delivery.objects.select_related("post__workspace", "connection").get(workspace=workspace, pk=delivery_id)


def queue_slot(workspace: Workspace, slot_id: int) -> QueueSlot:
    """One queue time of the workspace (QueueSlot.DoesNotExist otherwise)."""
    return QueueSlot.objects.select_related("connection", "workspace").get(workspace=workspace, pk=slot_id)
