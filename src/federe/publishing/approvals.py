"""The approval workflow: who must approve a post before it goes out, and the client's link.

States (``Post.approval``): ``not_required`` (the workspace asks for no approval), ``pending`` (a round is open),
``approved``, ``rejected``, ``expired`` (still unapproved at its time: the worker does not send it, marks it
"expired, not approved" and tells the author; a late approval is refused, an edit asks again). A round walks the
workspace's steps in order; a step in ``any`` mode is passed by one approval of one of its approvers, in ``all``
mode by every approver's (the author excepted when self-approval is not allowed). One rejection rejects the round.
Editing a post (the compose page, or ``content_changed``) closes its round and opens a new one: what was approved
is exactly what goes out. Without any step, one approval by an owner or community manager other than the author
is enough.

A client link (``create_link``) is a random token; only its SHA-256 is stored. It expires, can be revoked, shows
only its post, and its approval passes the round's current step (the client is the step's approver), its
rejection rejects the round. Every change is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Membership, Role, Workspace
from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.publishing import approval_notices as notices
from federe.publishing.models import Post
from federe.publishing.models.approvals import (
    ApprovalDecision,
    ApprovalLink,
    ApprovalRound,
    ApprovalSettings,
    ApprovalStep,
    RoundState,
    StepMode,
    Verdict,
)

#: ``Post.approval`` values (the field is the post's; this module moves it).
NOT_REQUIRED, PENDING, APPROVED, REJECTED, EXPIRED = "not_required", "pending", "approved", "rejected", "expired"
#: Roles that approve when the workspace defines no step.
DEFAULT_APPROVER_ROLES = (Role.OWNER, Role.COMMUNITY_MANAGER)


def settings_for(workspace: Workspace) -> ApprovalSettings:
    found = ApprovalSettings.objects.filter(workspace=workspace).first()
    return found or ApprovalSettings(workspace=workspace)


@dataclass(frozen=True)
class StepSpec:
    name: str
    mode: str
    approver_ids: tuple[int, ...]


@transaction.atomic
def save_workflow(
    workspace: Workspace, *, by: Any, required: bool, allow_self_approval: bool, link_days: int, steps: list[StepSpec]
) -> ApprovalSettings:
    """The workspace's setting and its steps, replaced as a whole (owners only). Rounds under way keep theirs."""
    require(by, workspace, Perm.MANAGE_MEMBERS)
    members = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
    for spec in steps:
        if not spec.approver_ids:
            raise ValidationError(_("Each step needs at least one approver."))
        if not set(spec.approver_ids) <= members or spec.mode not in StepMode.values:
            raise ValidationError(_("Approvers must be members of this workspace."))
    if not 1 <= link_days <= 90:
        raise ValidationError(_("A client link lasts from 1 to 90 days."))
    config = settings_for(workspace)
    config.required, config.allow_self_approval, config.link_days = required, allow_self_approval, link_days
    config.save()
    ApprovalStep.objects.filter(workspace=workspace).delete()
    for position, spec in enumerate(steps):
        step = ApprovalStep.objects.create(workspace=workspace, position=position, name=spec.name, mode=spec.mode)
        step.approvers.set(spec.approver_ids)
    audit.record(
        "approval.workflow_saved",
        workspace=workspace,
        actor=by,
        details={"required": required, "self_approval": allow_self_approval, "steps": len(steps)},
    )
    return config


def _snapshot(workspace: Workspace) -> list[dict[str, Any]]:
    steps = ApprovalStep.objects.filter(workspace=workspace).prefetch_related("approvers")
    return [{"name": s.name, "mode": s.mode, "approvers": sorted(u.pk for u in s.approvers.all())} for s in steps]


def initial_state(workspace: Workspace) -> str:
    """What a new post's ``approval`` starts as: pending in a workspace that asks for approval."""
    return PENDING if settings_for(workspace).required else NOT_REQUIRED


def open_round(post: Post) -> ApprovalRound | None:
    return ApprovalRound.objects.filter(post=post, state=RoundState.OPEN).first()


def awaits_decision(post: Post) -> bool:
    """Pending with an open round (a post the worker marked expired waits for nothing any more)."""
    return post.approval == PENDING and open_round(post) is not None


def _locked_round(post: Post) -> ApprovalRound:
    """The post's open round, locked; refused in words when the post awaits no decision (any more)."""
    fresh = Post.objects.filter(pk=post.pk).values_list("approval", "deleted_at").first()
    round_ = ApprovalRound.objects.select_for_update().filter(post=post, state=RoundState.OPEN).first()
    if fresh is None or fresh[0] != PENDING or fresh[1] is not None or round_ is None:
        raise ValidationError(_("This post is not awaiting approval."))
    return round_


def _set_state(post: Post, state: str) -> None:
    post.approval = state
    Post.objects.filter(pk=post.pk).update(approval=state)


@transaction.atomic
def submit(post: Post, *, by: Any) -> ApprovalRound | None:
    """Ask for approval of the post as it stands (a new round); None when the workspace asks for none."""
    workspace = post.workspace
    if not settings_for(workspace).required:
        _set_state(post, NOT_REQUIRED)
        return None
    _close_open_round(post, RoundState.SUPERSEDED)
    round_ = ApprovalRound.objects.create(
        workspace=workspace, post=post, steps=_snapshot(workspace), submitted_by=by if by and by.pk else None
    )
    _set_state(post, PENDING)
    audit.record("approval.submitted", workspace=workspace, actor=by, target=post)
    transaction.on_commit(lambda: notices.ask_approvers(round_.pk))
    return round_


def content_changed(post: Post, *, by: Any) -> ApprovalRound | None:
    """An edited post is approved again from the start (a rejected or expired one too: it is a new version)."""
    if post.approval == NOT_REQUIRED and not settings_for(post.workspace).required:
        return None
    return submit(post, by=by)


def _close_open_round(post: Post, state: str) -> None:
    ApprovalRound.objects.filter(post=post, state=RoundState.OPEN).update(state=state, closed_at=timezone.now())


def approvers_of(round_: ApprovalRound, step_index: int | None = None) -> set[int]:
    """The user ids who may decide the round's current (or given) step."""
    index = round_.step_index if step_index is None else step_index
    if round_.steps:
        return set(round_.steps[index]["approvers"])
    members = Membership.objects.filter(workspace_id=round_.workspace_id, role__in=DEFAULT_APPROVER_ROLES)
    return set(members.values_list("user_id", flat=True))


def may_decide(post: Post, user: Any) -> bool:
    """Whether ``user`` may approve or reject the post now (an approver of its current step, not its author
    unless the workspace allows it, and not twice)."""
    round_ = open_round(post)
    return round_ is not None and _refusal(round_, post, user) is None


def _refusal(round_: ApprovalRound, post: Post, user: Any) -> str | None:
    if user.pk not in approvers_of(round_):
        return _("You are not an approver of this step.")
    if post.author_id == user.pk and not settings_for(post.workspace).allow_self_approval:
        return _("Nobody approves their own post in this workspace.")
    if round_.decisions.filter(step_index=round_.step_index, user=user).exists():
        return _("You have already decided on this step.")
    return None


@transaction.atomic
def decide(post: Post, *, by: Any, verdict: str, comment: str = "") -> ApprovalRound:
    """A team member's approval or rejection of the post's current step."""
    round_ = _locked_round(post)
    refusal = _refusal(round_, post, by)
    if refusal:
        raise PermissionDenied(refusal)
    return _record_decision(round_, post, verdict=verdict, comment=comment, user=by, link=None)


def _record_decision(
    round_: ApprovalRound, post: Post, *, verdict: str, comment: str, user: Any, link: ApprovalLink | None
) -> ApprovalRound:
    if verdict not in Verdict.values:
        raise ValidationError(_("Choose approve or reject."))
    ApprovalDecision.objects.create(
        round=round_, step_index=round_.step_index, user=user, link=link, verdict=verdict, comment=comment[:2000]
    )
    if verdict == Verdict.REJECT:
        _finish(round_, post, RoundState.REJECTED)
    elif link is not None or _step_passed(round_, post):
        _advance(round_, post)
    who = {"actor": user} if user is not None else {"actor_label": _("client link")}
    verb = "approval.approved" if verdict == Verdict.APPROVE else "approval.rejected"
    audit.record(verb, workspace=post.workspace, target=post, details={"comment": comment[:200]}, **who)
    return round_


def _step_passed(round_: ApprovalRound, post: Post) -> bool:
    mode = round_.steps[round_.step_index]["mode"] if round_.steps else StepMode.ANY
    approved = set(
        round_.decisions.filter(step_index=round_.step_index, verdict=Verdict.APPROVE).values_list("user_id", flat=True)
    )
    if mode == StepMode.ANY:
        return bool(approved)
    needed = approvers_of(round_)
    if not settings_for(post.workspace).allow_self_approval:
        needed.discard(post.author_id)
    return needed <= approved


def _advance(round_: ApprovalRound, post: Post) -> None:
    if round_.steps and round_.step_index + 1 < len(round_.steps):
        round_.step_index += 1
        round_.save(update_fields=["step_index", "updated_at"])
        transaction.on_commit(lambda: notices.ask_approvers(round_.pk))
        return
    _finish(round_, post, RoundState.APPROVED)


def _finish(round_: ApprovalRound, post: Post, state: str) -> None:
    round_.state, round_.closed_at = state, timezone.now()
    round_.save(update_fields=["state", "closed_at", "updated_at"])
    outcome: dict[str, str] = {RoundState.APPROVED: APPROVED, RoundState.REJECTED: REJECTED}
    _set_state(post, outcome.get(state, EXPIRED))
    transaction.on_commit(lambda: notices.tell_author(round_.pk))


# ---------------------------------------------------------------------------------------------- client links


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_link(post: Post, *, by: Any, label: str = "") -> tuple[ApprovalLink, str]:
    """A new client link for the post; the token is returned once and never stored."""
    require(by, post.workspace, Perm.PUBLISH)
    if open_round(post) is None:
        raise ValidationError(_("Submit the post for approval before sharing a link."))
    token = secrets.token_urlsafe(32)
    days = settings_for(post.workspace).link_days
    link = ApprovalLink.objects.create(
        workspace=post.workspace,
        post=post,
        token_hash=_digest(token),
        label=label[:100],
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record("approval.link_created", workspace=post.workspace, actor=by, target=post, details={"days": days})
    return link, token


def revoke_link(link: ApprovalLink, *, by: Any) -> None:
    require(by, link.workspace, Perm.PUBLISH)
    if link.revoked_at is None:
        ApprovalLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        audit.record("approval.link_revoked", workspace=link.workspace, actor=by, target=link.post)


def find_link(post_id: int, token: str) -> ApprovalLink | None:
    """The live link of this post for this token; None for anything else (wrong post, expired, revoked)."""
    if not token or len(token) > 100:
        return None
    link = ApprovalLink.objects.select_related("post", "workspace").filter(token_hash=_digest(token)).first()
    if link is None or link.post_id != post_id or link.revoked_at is not None or link.expires_at <= timezone.now():
        return None
    return link


@transaction.atomic
def decide_by_link(link: ApprovalLink, *, verdict: str, comment: str = "") -> ApprovalRound:
    post = link.post
    round_ = _locked_round(post)
    ApprovalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return _record_decision(round_, post, verdict=verdict, comment=comment, user=None, link=link)


def link_opened(link: ApprovalLink) -> None:
    """The client opened the link: its first opening is in the activity log, each one dates the link."""
    first = link.last_used_at is None
    ApprovalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    if first:
        audit.record("approval.link_opened", workspace=link.workspace, actor_label=_("client link"), target=link.post)
