"""Listening: saved queries over every channel and feed, the mentions they match, and spike alerts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class QueryKind(models.TextChoices):
    BRAND = "brand", _("brand")
    PRODUCT = "product", _("product")
    COMPETITOR = "competitor", _("competitor")
    TOPIC = "topic", _("topic")


#: The kinds that enter share of voice.
VOICE_KINDS = (QueryKind.BRAND, QueryKind.COMPETITOR)


class SavedQuery(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=QueryKind.choices)
    #: The brand a brand or competitor query counts for in share of voice (several queries may feed one brand);
    #: empty for products and topics.
    brand = models.CharField(_("brand name"), max_length=120, blank=True)
    text = models.TextField(_("query"))
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="query_name_unique")]

    def __str__(self) -> str:
        return self.name


class Mention(WorkspaceScoped):
    """One message matched by one query. ``posted_at`` is copied from the message for fast time series."""

    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="mentions")
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="mentions")
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["query", "message"], name="one_mention_per_query")]
        indexes = [models.Index(fields=["query", "posted_at"]), models.Index(fields=["workspace", "posted_at"])]


class AlertSettings(WorkspaceScoped):
    """How spikes are detected and where alerts go; one row per workspace (defaults documented in
    docs/listening.md)."""

    window_minutes = models.PositiveIntegerField(_("recent window (minutes)"), default=60)
    baseline_minutes = models.PositiveIntegerField(_("baseline window before it (minutes)"), default=720)
    min_volume = models.PositiveIntegerField(_("minimum mentions in the recent window"), default=10)
    volume_factor = models.FloatField(_("volume: times the baseline rate"), default=3.0)
    negative_share = models.FloatField(_("negative share at least"), default=0.5)
    negative_rise = models.FloatField(_("negative share above the baseline's by at least"), default=0.2)
    emails = models.TextField(_("e-mail the alerts to"), blank=True, help_text=_("One address per line."))
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=128, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_alert_settings_per_workspace")]


class AlertKind(models.TextChoices):
    VOLUME = "volume", _("volume spike")
    NEGATIVE = "negative", _("negative share")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Alert(WorkspaceScoped):
    """One spike, from the moment it was detected until the window calms down. Never fired twice."""

    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    fired_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    #: The numbers that made it fire: window and baseline counts, rates, shares, thresholds.
    figures = models.JSONField(default=dict)
    first_message_at = models.DateTimeField(null=True, blank=True)
    delivered = models.JSONField(default=dict)  # {"email": "sent"|error, "webhook": status|error}
    #: Delivery is a state on the row (listening/delivery.py): pending -> sending -> sent | failed. A failed
    #: delivery with a next attempt is retried by the dispatcher; without one it gave up.
    delivery_state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-fired_at"]
        indexes = [models.Index(fields=["delivery_state", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["query", "kind"], condition=models.Q(ended_at__isnull=True), name="one_open_alert"
            )
        ]
