"""Messages (one row per comment, post, reply, chat message or mail), threads, and outgoing replies."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class ConversationStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other")


class Conversation(WorkspaceScoped):
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="conversations")
    external_id = models.CharField(max_length=255)
    title = models.CharField(_("title"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.OTHER)
    status = models.CharField(
        _("status"), max_length=12, choices=ConversationStatus.choices, default=ConversationStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    #: Chooses the SLA policy (sla app) with the channel; set by a teammate, "normal" until then.
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    labels: models.ManyToManyField[Label, Any] = models.ManyToManyField(
        "Label", blank=True, related_name="conversations"
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="conversation_unique_per_connection")
        ]
        indexes = [
            models.Index(fields=["workspace", "-last_message_at"]),
            models.Index(fields=["workspace", "status", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return self.title or f"#{self.external_id}"


class Label(WorkspaceScoped):
    """A word the team puts on threads ("bug", "lead", "press"): one list per workspace, names unique in it,
    compared without case. Attached through ``inbox/labels.py``, which refuses another workspace's label."""

    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "workspace", name="label_name_unique_per_workspace"),
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    INBOUND = "in", _("received")
    OUTBOUND = "out", _("sent")


NETWORK_STATUS_CHOICES = [
    ("published", _("published")),
    ("held", _("held")),
    ("spam", _("spam")),
    ("removed", _("removed")),
]


class ReviewState(models.TextChoices):
    NONE = "", _("not in review")
    PENDING = "pending", _("to review")
    REVIEWED = "reviewed", _("reviewed")


class Message(WorkspaceScoped):
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    external_id = models.CharField(max_length=255)
    parent_external_id = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(
        "people.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    kind = models.CharField(max_length=12, default="comment")
    body_html = models.TextField()
    body_text = models.TextField()
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.OTHER)
    network_status = models.CharField(max_length=12, default="published", choices=NETWORK_STATUS_CHOICES)
    url = models.URLField(max_length=500, blank=True)
    posted_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    review = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.NONE, blank=True)
    # Classifier scores, computed at ingest (nlp.pipeline); null when the text could not be scored.
    spam_score = models.FloatField(null=True, blank=True)
    toxicity_score = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    #: Which models scored it, preparation notes, reasons for not scoring: {"models": {...}, "notes": [...]}.
    nlp = models.JSONField(default=dict, blank=True)
    # Indexed with the author (message_wave_author, below): "which of these authors are in the wave already".
    wave = models.ForeignKey(
        "nlp.Wave", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages", db_index=False
    )
    #: What the network says about audience and response, when it says it: the author's followers, and
    #: reposts + likes + replies. Connectors put them in ``Item.raw`` as ``reach`` and ``engagement``.
    reach = models.PositiveIntegerField(null=True, blank=True)
    engagement = models.PositiveIntegerField(null=True, blank=True)
    #: Set when only the beginning of the message was stored (FEDERE_MAX_MESSAGE_TEXT_KB): the length, in
    #: characters, of the HTML the network sent.
    body_truncated_from = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="message_unique_per_connection")
        ]
        indexes = [
            models.Index(fields=["workspace", "-posted_at"]),
            models.Index(fields=["conversation", "posted_at"]),
            models.Index(fields=["workspace", "review", "-posted_at"]),
            # An author's messages; with the direction, language and id in the index, "wrote in this language"
            # (the people list's filter) and "which of these are theirs" (a person's timeline) read no table row.
            models.Index(fields=["author", "direction", "language", "id"], name="message_author_lang"),
            models.Index(fields=["wave", "author"], name="message_wave_author"),
        ]

    def __str__(self) -> str:
        return self.body_text[:60]


class MessageRevision(models.Model):
    """What a message said before the network edited it: edits never erase history."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body_html = models.TextField()
    network_status = models.CharField(max_length=12, choices=NETWORK_STATUS_CHOICES)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} until {self.replaced_at:%Y-%m-%d %H:%M}"


class ReplyState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Reply(WorkspaceScoped):
    """A reply written in Fédère. If sending fails it stays here, with its error, to retry."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="replies")
    in_reply_to = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_text = models.TextField()
    state = models.CharField(max_length=10, choices=ReplyState.choices, default=ReplyState.DRAFT)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply")
    # The API client's Idempotency-Key: the same key from the same author gives back this reply.
    client_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "author", "client_key"],
                condition=~models.Q(client_key=""),
                name="inbox_reply_client_key_unique",
            )
        ]


class InternalNote(WorkspaceScoped):
    """A teammate's note on a thread, for the team only. Its own type, never a kind of Message or Reply: nothing
    that sends (the reply services, publishing, moderation) accepts one, so no code path can hand it to a network."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class ReadState(models.Model):
    """Where a member has read a thread up to: the thread's ``last_message_at`` when they opened it (or marked it
    read). No row, or a newer last message since, means unread for them. One row per (user, thread) at most."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="read_states")
    seen_up_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "conversation"], name="read_state_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id}"


class SavedFilter(WorkspaceScoped):
    """A member's named inbox filter (a view and filters, kept as the inbox's query string): theirs alone, in one
    workspace; names unique per member, compared without case."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=500, blank=True)
    # The API client's Idempotency-Key: the same key from the same member gives back this filter.
    client_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "workspace", "user", name="saved_filter_name_unique_per_user"),
            models.UniqueConstraint(
                fields=["workspace", "user", "client_key"],
                condition=~models.Q(client_key=""),
                name="saved_filter_client_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name
