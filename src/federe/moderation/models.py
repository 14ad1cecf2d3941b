"""Rules (versioned), and decisions: who or what decided what about a message, and what the network said."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped


class Verdict(models.TextChoices):
    """One per ``connectors.types.ActionKind`` (a test keeps them equal); a channel offers its network's own."""

    APPROVE = "approve", _("Approve")
    HOLD = "hold", _("Hold")
    SPAM = "spam", _("Spam")
    REMOVE = "remove", _("Remove")
    RESTORE = "restore", _("Restore")
    DELETE = "delete", _("Delete for good")
    REJECT = "reject", _("Reject")
    BAN = "ban", _("Ban author")
    UNBAN = "unban", _("Unban author")
    KICK = "kick", _("Kick author")
    MUTE = "mute", _("Mute author")
    SUSPEND = "suspend", _("Suspend author's account")
    CLOSE = "close", _("Close thread")
    PIN = "pin", _("Pin thread")


class SideAction(models.TextChoices):
    LABEL = "label", _("Label")
    ASSIGN = "assign", _("Assign")
    NOTIFY = "notify", _("Notify")
    #: Never chosen in a rule's form: the deep tier's refined scores disagree with a decision already made.
    REVIEW = "review", _("Back to review")


class Rule(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Set when ingest switched the rule off because it could not be evaluated; cleared by a new version.
    broken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> RuleVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class RuleVersion(models.Model):
    """Every change to a rule is a new version; decisions point at the version that made them."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    match = models.CharField(max_length=3, choices=[("all", _("all conditions")), ("any", _("any condition"))])
    conditions = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule.name} v{self.number}"

    @property
    def condition_texts(self) -> list[str]:
        from federe.connections.models import Connection
        from federe.moderation.wording import condition_text

        ids = [pk for c in self.conditions if c.get("type") == "channel" for pk in c.get("in", [])]
        names = dict(Connection.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        return [condition_text(c, names) for c in self.conditions]

    @property
    def action_texts(self) -> list[str]:
        from federe.moderation.wording import action_text

        return [action_text(a) for a in self.actions]


class NetworkState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("nothing to do on the network")
    PENDING = "pending", _("waiting to be applied")
    DONE = "done", _("done on the network")
    FAILED = "failed", _("failed")
    # The channel's network does not do this action: nothing is sent, network_detail says so in words.
    UNSUPPORTED = "unsupported", _("not possible on this network")


class Decision(WorkspaceScoped):
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=12, choices=Verdict.choices + SideAction.choices)
    detail = models.CharField(max_length=200, blank=True)  # the label, the assignee…
    rule_version = models.ForeignKey(RuleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.JSONField(default=list)
    network_state = models.CharField(max_length=12, choices=NetworkState.choices, default=NetworkState.NOT_NEEDED)
    network_detail = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set when a task for this decision is enqueued (at ingest or by the dispatcher), cleared when a worker claims
    # it: the dispatcher skips queued rows until this lease runs out (a task lost with its worker is queued again).
    queued_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "network_state", "next_attempt_at"])]

    @property
    def reason_texts(self) -> list[str]:
        from federe.moderation.conditions import describe

        return [describe(reason) for reason in self.reasons]

    @property
    def by(self) -> str:
        if self.rule_version_id:
            version = self.rule_version
            return _("%(name)s, version %(v)s") % {"name": version.rule.name, "v": version.number}  # type: ignore[union-attr]
        return self.actor.get_username() if self.actor_id else "Fédère"  # type: ignore[union-attr]
