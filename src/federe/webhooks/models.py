"""Outgoing webhooks: endpoints (where), events (what happened, once), deliveries (one event to one endpoint,
with its retry state) and their attempts (the log)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class Endpoint(WorkspaceScoped):
    url = models.URLField(_("address"), max_length=1000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)  # event type names (events.EVENT_TYPES)
    #: "whsec_" + base64 of 32 random bytes, encrypted (core/secrets). Never rendered after creation.
    secret_encrypted = models.TextField()
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class Event(WorkspaceScoped):
    event_id = models.CharField(max_length=40, unique=True)  # "evt_…", the webhook-id of every delivery
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return self.event_id


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("delivered")
    FAILED = "failed", _("failed, will retry")
    GAVE_UP = "gave_up", _("gave up")


class Delivery(WorkspaceScoped):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"delivery {self.pk}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)  # in words, when no HTTP answer came
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"attempt {self.pk}"
