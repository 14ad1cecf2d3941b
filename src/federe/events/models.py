"""Events (online or in person), their registrations and check-ins.

**Capacity is kept by the database**: ``Event.seats_taken`` counts the confirmed registrations and a check
constraint keeps it at or below ``capacity``; a registration takes its seat with one conditional ``UPDATE``
(``services.take_seat``), so two last-seat registrations at the same moment cannot both pass: the second one goes to
the waiting list. A cancelled registration gives its seat back, and the first on the waiting list takes it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import SendRun, WorkspaceScoped


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("registrations open")
    CLOSED = "closed", _("registrations closed")
    CANCELLED = "cancelled", _("cancelled")


class EntryRule(models.TextChoices):
    NONE = "", _("No registration by message")
    HASHTAG = "hashtag", _("A hashtag")
    KEYWORD = "keyword", _("A keyword")


class Event(WorkspaceScoped):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    online = models.BooleanField(_("online"), default=False)
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)  # None: no limit
    seats_taken = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    consent_text = models.TextField(_("consent text"), blank=True)
    rule = models.CharField(_("registration by message"), max_length=8, choices=EntryRule.choices, blank=True)
    term = models.CharField(_("hashtag or keyword"), max_length=100, blank=True)
    announcement = models.ForeignKey(
        "publishing.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder = models.ForeignKey("publishing.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # the public registration page's address (no login): unguessable
    public_id = models.CharField(max_length=43, unique=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    client_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(seats_taken__lte=models.F("capacity")),
                name="event_seats_within_capacity",
            ),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_dates_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Source(models.TextChoices):
    PAGE = "page", _("registration page")
    MESSAGE = "message", _("message")
    TEAM = "team", _("added by the team")


class State(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITING = "waiting", _("waiting list")
    CANCELLED = "cancelled", _("cancelled")


class FollowUp(models.TextChoices):
    QUEUED = "queued", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class FollowUpRun(SendRun):
    """One follow-up asked for: the worker sends it to the registrations it claimed (``follow_up_run``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="follow_up_runs")
    audience = models.CharField(max_length=10)  # "attended" or "no_show"

    class Meta:
        ordering = ["-created_at", "-id"]


class Registration(models.Model):
    """One person registered (or waiting). ``key`` says who, once per event: the e-mail address (folded) for the
    page, ``identity:<pk>`` for a message."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    key = models.CharField(max_length=300)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REGISTERED)
    consented_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # the follow-up: a reply on the registration message's channel (its own state), or an e-mail for the page's
    followed_up = models.ForeignKey("inbox.Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_state = models.CharField(max_length=8, choices=FollowUp.choices, blank=True)
    follow_up_error = models.CharField(max_length=300, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_run = models.ForeignKey(
        FollowUpRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "key"], name="event_registration_once")]

    def __str__(self) -> str:
        return self.name
