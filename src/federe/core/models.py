"""The shared kernel: timestamps, workspace scoping and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class WorkspaceScoped(TimeStamped):
    """Every domain row belongs to exactly one workspace; queries filter on it."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class SendRun(WorkspaceScoped):
    """One request to send a text to many people, run by the worker (``core/sendruns.py``): who asked, the text, how
    many were claimed, and the lease of the worker running it (a lapsed lease is a dead worker's: run again)."""

    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # sent before, or nothing to send them by
    state = models.CharField(max_length=8, default="queued")  # queued, running, done
    token = models.CharField(max_length=24, blank=True)
    lease_until = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


VERB_LABELS = {
    "workspace.created": _("created the workspace"),
    "workspace.settings_changed": _("changed the workspace's settings"),
    "member.added": _("added a member"),
    "api_token.created": _("created an API token"),
    "api_token.revoked": _("revoked an API token"),
    "webhook.created": _("added a webhook"),
    "webhook.changed": _("changed a webhook"),
    "webhook.secret_rotated": _("rotated a webhook's secret"),
    "webhook.deleted": _("deleted a webhook"),
    "webhook.replayed": _("sent a webhook event again"),
    "connection.created": _("connected a channel"),
    "connection.sync_requested": _("asked for a sync"),
    "connection.targets_chosen": _("chose the places a channel follows"),
    "connection.synced": _("synced a channel"),
    "connection.sync_failed": _("sync failed"),
    "reply.sent": _("replied"),
    "reply.failed": _("reply not sent"),
    "conversation.assigned": _("assigned a conversation"),
    "conversation.status_changed": _("changed a conversation's status"),
    "conversation.priority_changed": _("changed a conversation's priority"),
    "sla.policy_created": _("added an SLA policy"),
    "sla.policy_changed": _("changed an SLA policy"),
    "sla.policy_deleted": _("deleted an SLA policy"),
    "sla.policies_reordered": _("changed the order of the SLA policies"),
    "contest.created": _("created a contest"),
    "contest.changed": _("changed a contest's rules"),
    "contest.document_attached": _("attached a contest's rules document"),
    "contest.committed": _("published a contest's commitment"),
    "contest.entry_excluded": _("excluded a contest entry"),
    "contest.entry_reinstated": _("reinstated a contest entry"),
    "contest.drawn": _("drew a contest's winners"),
    "rule.saved": _("saved a moderation rule"),
    "rule.enabled": _("switched a rule on"),
    "rule.disabled": _("switched a rule off"),
    "rule.moved": _("changed the order of the rules"),
    "rule.deleted": _("deleted a moderation rule"),
    "rule.switched_off_broken": _("switched off a rule that could not be evaluated"),
    "moderation.delete": _("deleted a message for good"),
    "moderation.label": _("labelled a message"),
    "moderation.assign": _("assigned a message's conversation"),
    "moderation.notify": _("notified the moderators"),
    "moderation.review": _("put a message back in review (refined scores)"),
    "nlp.backfill_started": _("started refining stored messages"),
    "moderation.approve": _("approved a message"),
    "moderation.hold": _("held a message"),
    "moderation.spam": _("marked a message as spam"),
    "moderation.remove": _("removed a message"),
    "moderation.ban": _("banned an author"),
    "moderation.restore": _("restored a message"),
    "moderation.reject": _("rejected a message"),
    "moderation.unban": _("unbanned an author"),
    "moderation.kick": _("kicked an author out"),
    "moderation.mute": _("muted an author"),
    "moderation.suspend": _("suspended an author's account"),
    "moderation.close": _("closed a thread"),
    "moderation.pin": _("pinned a thread"),
    "moderation.network_done": _("applied a decision on the network"),
    "moderation.network_failed": _("could not apply a decision on the network"),
    "listening.query_saved": _("saved a listening query"),
    "listening.query_deleted": _("deleted a listening query"),
    "listening.alerts_configured": _("changed the listening alerts"),
    "listening.escalated": _("passed a mention on to a teammate"),
    "nlp.model_trained": _("trained a classifier on this workspace's labels"),
    "nlp.model_activated": _("chose which classifier version is used"),
    "nlp.sentiment_corrected": _("corrected the tone of a message"),
}


class AuditEvent(models.Model):
    """Who did what, on which object, when; written by services only."""

    workspace = models.ForeignKey(
        "accounts.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For automatic decisions: "system", "worker", "rule:12@v3", "api-token:ab12".
    actor_label = models.CharField(max_length=120, blank=True)
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or self.actor} {self.verb} {self.object_repr}"

    @property
    def label(self) -> str:
        return str(VERB_LABELS.get(self.verb, self.verb))

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        from federe.core.activity import detail_items

        return detail_items(self.verb, self.details or {})


class RateCount(models.Model):
    """Requests counted per key in a fixed window (``core/ratelimit.py``): in the database, so that every process
    counts together. The key is a scope and a digest (never an address as such)."""

    key = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.started_at:%H:%M:%S}"
