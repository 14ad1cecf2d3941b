"""In-app notifications: one row per user and event. The words are made when shown, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class Kind(models.TextChoices):
    NOTE_MENTION = "note_mention", _("mentioned in a note")
    ASSIGNED = "assigned", _("assigned to me")
    #: params: {"target": "first_response" | "next_response" | "resolution", "due_at": ISO datetime}
    SLA_BREACH = "sla_breach", _("SLA about to breach")
    #: params: {"ticket": id, "team": the team's name, "status": "open" | "in_progress" | "resolved"}
    TICKET_UPDATED = "ticket_updated", _("escalation updated")
    #: params: {"alert": id, "query": the saved query's id, "query_name": its name, "alert_kind": "volume" |
    #: "negative", "window": mentions in the window, "window_minutes": its length}
    ALERT_FIRED = "alert_fired", _("alert fired")


#: The user's e-mail preference (accounts.User field) for each kind.
PREFERENCE_FIELD = {
    Kind.NOTE_MENTION: "notify_note_mentions",
    Kind.ASSIGNED: "notify_assigned",
    Kind.SLA_BREACH: "notify_sla_breach",
    Kind.TICKET_UPDATED: "notify_ticket_updated",
    Kind.ALERT_FIRED: "notify_alert_fired",
}


class Digest(models.Model):
    """A user's daily digest, written in the transaction that sends it: unique per user and day (the user's own
    day), so that two workers, a restarted one or the command never send one day's digest twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"digest of {self.user_id} on {self.day}"


class Notification(WorkspaceScoped):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The thread it is about (the link of the notification).
    conversation = models.ForeignKey(
        "inbox.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    #: Data for the words, never the words: e.g. {"excerpt": "…"} (the beginning of a note).
    params = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    #: When it was e-mailed (at once or in a digest); null while it has not been.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "workspace", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
