"""Escalation: teams outside the inbox (IT/support, PR, marketing, sales…) with their destinations, and tickets
made from a message for one of them, with their history and the inbound webhook ids already applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class TeamKind(models.TextChoices):
    SUPPORT = "support", _("IT / support")
    PR = "pr", _("PR")
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    OTHER = "other", _("Other")


class TeamLanguage(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Team(WorkspaceScoped):
    #: In the inbound webhook's address (/hooks/tickets/<public_id>/): random, says nothing about the workspace.
    public_id = models.CharField(max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail address"), blank=True)
    #: The language of the e-mails sent to the team (someone outside Fédère: no profile language to follow).
    language = models.CharField(_("language of its e-mails"), max_length=2, choices=TeamLanguage.choices, default="fr")
    #: The signed outgoing webhook: an endpoint of the webhooks app that subscribes to no workspace event; tickets
    #: are delivered to it with the webhooks app's signing, retries and log.
    endpoint = models.OneToOneField(
        "webhooks.Endpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalation_team"
    )
    #: "whsec_…", encrypted (core/secrets): what the team signs its status updates with. Shown once.
    inbound_secret_encrypted = models.TextField()

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="escalation_team_name_once")]

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")


class Ticket(WorkspaceScoped):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="tickets")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="tickets")
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The team's own reference for it (their ticket number), given back through the inbound webhook or the API.
    external_reference = models.CharField(_("their reference"), max_length=200, blank=True)
    # Sales: the person and their engagement when the ticket was made (the person's score moves on; this does not).
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    engagement_score = models.FloatField(null=True, blank=True)
    engagement_level = models.CharField(max_length=12, blank=True)  # people.models.Level
    # Marketing: the listening mention it is about, when there is one.
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    #: The API client's Idempotency-Key: the same key from the same member gives back this ticket.
    client_key = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "created_by", "client_key"],
                condition=~models.Q(client_key=""),
                name="ticket_client_key_once",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-created_at"]),
            models.Index(fields=["workspace", "conversation"]),
        ]

    def __str__(self) -> str:
        return f"ticket {self.pk}"

    @property
    def engagement_level_label(self) -> str:
        """The snapshot's level in words, in the reader's language."""
        from federe.people.models import Level

        return str(Level(self.engagement_level).label) if self.engagement_level in Level.values else ""


class TicketChange(models.Model):
    """One line of a ticket's history: made, or its status moved (by a member, the API, or the team's webhook)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    status_from = models.CharField(max_length=12, blank=True)  # "" when the ticket was made
    status_to = models.CharField(max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_team = models.BooleanField(default=False)  # through the team's inbound webhook
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status_from or '-'} -> {self.status_to}"


class InboundReceipt(models.Model):
    """A webhook-id the team already sent: a repeat (their retry, a replay) changes nothing."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="receipts")
    webhook_id = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "webhook_id"], name="inbound_webhook_once")]

    def __str__(self) -> str:
        return self.webhook_id
