"""The approval workflow's rows: the workspace's setting and steps, each post's rounds and decisions, client links.

A round is one request for approval of a post as it stands: it keeps a copy of the steps it was asked under
(``steps``: name, mode, approver ids), so changing the workspace's steps never changes a round under way. Editing a
post supersedes its round and a new one starts (``publishing.approvals.content_changed``). A client link is a random
token whose SHA-256 only is stored: it shows one post and decides its current round, until it expires or is revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import VERB_LABELS, TimeStamped, WorkspaceScoped

# How the activity log names what the approval workflow records (publishing.approvals).
APPROVAL_VERB_LABELS = {
    "approval.workflow_saved": _("changed the approval workflow"),
    "approval.submitted": _("sent a post for approval"),
    "approval.approved": _("approved a post"),
    "approval.rejected": _("rejected a post"),
    "approval.link_created": _("shared a client approval link"),
    "approval.link_revoked": _("revoked a client approval link"),
    "approval.link_opened": _("opened a client approval link"),
}
for _verb, _label in APPROVAL_VERB_LABELS.items():
    VERB_LABELS.setdefault(_verb, _label)


class ApprovalSettings(TimeStamped):
    """Per workspace: whether posts need approval, and whether an author may approve their own post."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(_("posts need approval before they go out"), default=False)
    allow_self_approval = models.BooleanField(_("authors may approve their own posts"), default=False)
    link_days = models.PositiveSmallIntegerField(_("client links expire after (days)"), default=7)


class StepMode(models.TextChoices):
    ANY = "any", _("any one approver")
    ALL = "all", _("every approver")


class ApprovalStep(WorkspaceScoped):
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("who must approve"), max_length=3, choices=StepMode.choices, default=StepMode.ANY)
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("approvers"))

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RoundState(models.TextChoices):
    OPEN = "open", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("replaced by an edit")
    EXPIRED = "expired", _("expired, not approved")


class ApprovalRound(WorkspaceScoped):
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="approval_rounds")
    state = models.CharField(max_length=10, choices=RoundState.choices, default=RoundState.OPEN)
    steps = models.JSONField(default=list)  # [{"name": str, "mode": "any"|"all", "approvers": [user ids]}]
    step_index = models.PositiveSmallIntegerField(default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(state="open"), name="publishing_one_open_round_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"approval #{self.pk} of post #{self.post_id}"


class Verdict(models.TextChoices):
    APPROVE = "approve", _("approved")
    REJECT = "reject", _("rejected")


class ApprovalLink(WorkspaceScoped):
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="approval_links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("for whom"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"client link #{self.pk} of post #{self.post_id}"


class ApprovalDecision(TimeStamped):
    round = models.ForeignKey(ApprovalRound, on_delete=models.CASCADE, related_name="decisions")
    step_index = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey(ApprovalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verdict = models.CharField(max_length=7, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["id"]
