"""The ledger: one delivery per variant (and occurrence), the state of its way to the network."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class DeliveryState(models.TextChoices):
    """scheduled → claimed → sending → sent | failed | cancelled; sending → outcome_unknown when a worker died (or
    the network did not answer) after the call may have reached the network: never re-sent blind."""

    SCHEDULED = "scheduled", _("scheduled")
    CLAIMED = "claimed", _("about to be sent")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    OUTCOME_UNKNOWN = "outcome_unknown", _("outcome unknown")


#: States a post's edit, reschedule or deletion still changes (nothing has reached the network).
PENDING_STATES = (DeliveryState.SCHEDULED, DeliveryState.CLAIMED)
#: States in which a delivery is done for good (unless someone retries a failed one).
FINAL_STATES = (DeliveryState.SENT, DeliveryState.CANCELLED)


def network_key(delivery_id: int) -> str:
    """The delivery's key on the network: the same on every attempt, unguessable, 32 lowercase hex characters.

    HMAC of the id with SECRET_KEY; stored on the row when it is first sent, so that a later change of the
    secret never changes the key of a delivery that may already be on the network."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"federe-delivery:{delivery_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Delivery(WorkspaceScoped):
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="deliveries")
    variant = models.ForeignKey("publishing.Variant", on_delete=models.CASCADE, related_name="deliveries")
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    occurrence = models.PositiveIntegerField(default=0)  # 0, then 1, 2… for a recurring post
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.SCHEDULED)
    due_at = models.DateTimeField()  # when it was meant to go out (the lateness is measured from it)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # None: nothing more will happen by itself
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)  # in plain words: why it failed, or what became of a sent one (held)
    key = models.CharField(max_length=64, blank=True)  # network_key(id), written before the first call
    # The last attempt may have reached the network without Fédère knowing (outcome_unknown, or claimed again
    # from it): the next attempt sends with the same key on an idempotent network, or looks on the network first.
    uncertain = models.BooleanField(default=False)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # the lease of a claimed or sending delivery
    external_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "claimed_until"]),
            models.Index(fields=["workspace", "state"]),
        ]
        constraints = [models.UniqueConstraint(fields=["variant", "occurrence"], name="one_delivery_per_occurrence")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"

    @property
    def network_key(self) -> str:
        return self.key or network_key(self.pk)
