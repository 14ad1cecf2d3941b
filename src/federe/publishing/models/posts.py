"""A post is written once; each channel it goes to has a variant (its own text, title, options)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class PostStatus(models.TextChoices):
    """Where a post stands as a whole; its deliveries (one per channel) hold the detail."""

    DRAFT = "draft", _("draft")  # no time yet: nothing will go out
    SCHEDULED = "scheduled", _("scheduled")  # deliveries wait for their time
    PUBLISHING = "publishing", _("publishing")  # some deliveries are done, others are still on their way
    PUBLISHED = "published", _("published")  # every delivery was sent
    PARTIAL = "partial", _("partly published")  # some sent, some failed for good
    FAILED = "failed", _("failed")  # none sent, every one failed for good
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired, not approved")  # its time came before its approval


class Approval(models.TextChoices):
    """The approval state. The workflow that moves it (steps, approvers, client link) is the compose side's; the
    publishing side only gates on it: a post goes out when its approval is not required or approved."""

    NOT_REQUIRED = "not_required", _("no approval needed")
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired, not approved")


#: The approval states that let a post go out.
RELEASED = (Approval.NOT_REQUIRED, Approval.APPROVED)


class Recurrence(models.TextChoices):
    NONE = "", _("once")
    DAILY = "daily", _("every day")
    WEEKLY = "weekly", _("every week")
    MONTHLY = "monthly", _("every month")


class Post(WorkspaceScoped):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    # When it goes out, in UTC (shown and typed in the workspace's timezone); None for a draft.
    scheduled_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT)
    approval = models.CharField(_("approval"), max_length=14, choices=Approval.choices, default=Approval.NOT_REQUIRED)
    # Recurring posts: the next occurrence follows the schedule in the workspace's timezone, never the worker.
    recurrence = models.CharField(_("repeat"), max_length=8, choices=Recurrence.choices, blank=True, default="")
    recurrence_until = models.DateTimeField(_("repeat until"), null=True, blank=True)
    # Deleted posts are kept (their deliveries are the ledger) but hidden and never sent.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The API client's Idempotency-Key and a digest of the request it came with (same key, other body: refused).
    client_key = models.CharField(max_length=255, blank=True, default="")
    client_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "scheduled_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "author", "client_key"],
                condition=~models.Q(client_key=""),
                name="publishing_post_client_key_unique",
            )
        ]

    def __str__(self) -> str:
        text = self.title or self.body
        return text[:80] or f"#{self.pk}"


class Variant(WorkspaceScoped):
    """The post as one channel receives it (the channel's limits apply: connectors' ``PostRules``)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    body_html = models.TextField(_("formatted text"), blank=True)
    body_text = models.TextField(_("plain text"), blank=True)
    content_warning = models.CharField(_("content warning"), max_length=500, blank=True)
    visibility = models.CharField(_("visibility"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["post", "connection"], name="one_variant_per_channel")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.connection_id}"


def media_path(instance: PostMedia, filename: str) -> str:
    return f"posts/{instance.workspace_id}/{instance.post_id}/{filename}"


class PostMedia(WorkspaceScoped):
    """An image (or other file) of a post, stored locally under MEDIA_ROOT."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to=media_path, max_length=300)
    alt_text = models.TextField(_("description (alt text)"), blank=True)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(self.file.name)
