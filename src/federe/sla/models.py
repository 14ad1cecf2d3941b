"""SLA policies (ordered per workspace, first match wins) and each thread's clocks under its policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class HoursKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar hours")
    BUSINESS = "business", _("Business hours")


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    NEXT_RESPONSE = "next_response", _("next response")
    RESOLUTION = "resolution", _("resolution")


#: Each target's two columns on ThreadClock, in Target's order: first_response_due, first_response_at, next_...
TARGET_TIMES = tuple(f"{target}_{end}" for target in Target.values for end in ("due", "at"))
#: What the response figures read of a clock besides its workspace, channel and start.
FIGURES_READ = ["policy", "closed_at", *TARGET_TIMES]


class Policy(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=120)
    #: The order in which policies are tried (smallest first); the first that matches a thread applies.
    position = models.PositiveIntegerField(default=0)
    #: The channels it applies to; none: every channel.
    channels = models.ManyToManyField("connections.Connection", blank=True, related_name="+")
    #: The priorities it applies to (inbox.Priority values); empty: every priority.
    priorities = models.JSONField(default=list, blank=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    hours = models.CharField(max_length=10, choices=HoursKind.choices, default=HoursKind.CALENDAR)
    #: Business hours: [[weekday (Monday 0), start minute, end minute], ...] on the workspace's local clock.
    business_hours = models.JSONField(default=list, blank=True)
    #: Days off, "YYYY-MM-DD" local dates, when business hours apply.
    holidays = models.JSONField(default=list, blank=True)
    #: The API client's Idempotency-Key and a digest of what it asked: a repeat gives back this policy.
    client_key = models.CharField(max_length=255, blank=True, default="")
    client_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "client_key"], condition=~models.Q(client_key=""), name="sla_policy_client_key"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ThreadClock(models.Model):
    """A thread's SLA state: the times it waited on us (``waits``), the policy that applied, and for each target its
    due time and when it was met. ``due_at`` is the earliest due time of a target not yet met (the overdue filter
    and the "about to breach" check read it)."""

    conversation = models.OneToOneField(
        "inbox.Conversation", primary_key=True, on_delete=models.CASCADE, related_name="sla_clock"
    )
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: [[start, end or null], ...] ISO instants: from the customer's message to our reply.
    waits = models.JSONField(default=list, blank=True)
    #: The customer's first message (the start of the first wait): the window of the response figures.
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    next_response_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    #: The warnings already sent ("first_response", "next_response:<start>", "resolution"): each once.
    warned = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: The thread's channel (its connection's id), copied so that a channel's response figures read no thread.
    channel = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # The response figures read a window of clocks by start: on PostgreSQL the index holds what they count
        # (INCLUDE), so ten million messages' clocks are counted without reading the table (``figures.py``).
        indexes = [
            models.Index(fields=["workspace", "due_at"]),
            models.Index(fields=["workspace", "started_at"], include=FIGURES_READ, name="sla_clock_window"),
            models.Index(fields=["workspace", "channel", "started_at"], include=FIGURES_READ, name="sla_clock_channel"),
        ]

    def __str__(self) -> str:
        return f"SLA of {self.conversation_id}"


class ClockDay(models.Model):
    """A UTC day on which clocks started, and how many times a clock of that day was written: the stored response
    figures of the day (``DayFigures``) hold while it has not moved (``daily.py``)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    generation = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day"], name="sla_clockday_unique")]

    def __str__(self) -> str:
        return f"{self.day}: generation {self.generation}"


class DayFigures(models.Model):
    """The response figures of the clocks that started on a UTC day, for the whole workspace (scope 0) or one channel
    (its id), as counted at ``counted_at`` from the day's ``generation``; ``expires`` is the earliest due time of a
    target then still running (after it, that target is breached and the day is counted again)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.BigIntegerField()
    day = models.DateField()
    generation = models.BigIntegerField()
    counted_at = models.DateTimeField()
    expires = models.DateTimeField(null=True, blank=True)
    threads = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    #: {"met_first_response": n, "breached_first_response": n, ...}
    outcomes = models.JSONField(default=dict)
    #: First response times rounded to the minute: {"minutes": threads}
    waits = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "scope", "day"], name="sla_dayfigures_unique")]

    def __str__(self) -> str:
        return f"{self.day} scope {self.scope}: {self.threads} threads"
