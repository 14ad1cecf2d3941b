"""A post's state as the team sees it (one word from its status and its approval), the list's tiles, and the
approval's progress on a post's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from federe.accounts.models import User, Workspace
from federe.publishing import approvals
from federe.publishing.models import Approval, Post, PostStatus
from federe.publishing.models.approvals import ApprovalDecision, ApprovalLink, RoundState

STATE_LABELS = {
    "draft": _("Draft"),
    "awaiting": _("Awaiting approval"),
    "rejected": _("Rejected"),
    "scheduled": _("Scheduled"),
    "publishing": _("Being published"),
    "published": _("Published"),
    "partial": _("Partly published"),
    "failed": _("Failed"),
    "expired": _("Expired, not approved"),
    "cancelled": _("Cancelled"),
}
#: The tiles on top of the list, in the order a post goes through them.
TILES = ("draft", "awaiting", "scheduled", "published", "failed", "expired")
_FROM_STATUS: dict[str, str] = {
    PostStatus.DRAFT: "draft",
    PostStatus.SCHEDULED: "scheduled",
    PostStatus.PUBLISHING: "publishing",
    PostStatus.PUBLISHED: "published",
    PostStatus.PARTIAL: "partial",
    PostStatus.FAILED: "failed",
    PostStatus.CANCELLED: "cancelled",
    PostStatus.EXPIRED: "expired",
}


def state_key(status: str, approval: str) -> str:
    if status in (PostStatus.CANCELLED, PostStatus.EXPIRED) or approval == Approval.EXPIRED:
        return "cancelled" if status == PostStatus.CANCELLED else "expired"
    if approval == Approval.PENDING:
        return "awaiting"
    if approval == Approval.REJECTED:
        return "rejected"
    return _FROM_STATUS.get(status, "draft")


@dataclass(frozen=True)
class State:
    key: str

    @property
    def label(self) -> Any:
        return STATE_LABELS[self.key]


def state_of(post: Post) -> State:
    return State(state_key(post.status, post.approval))


@dataclass(frozen=True)
class Row:
    post: Post
    state: State


def posts_with_states(workspace: Workspace) -> list[Row]:
    posts = list(
        Post.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .select_related("author")
        .prefetch_related("variants__connection")
        .order_by("-id")[:1000]
    )
    return [Row(post, state_of(post)) for post in posts]


def count_states(rows: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(STATE_LABELS, 0)
    for row in rows:
        counts[row.state.key] += 1
    return counts


def tiles(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    return [(key, STATE_LABELS[key], counts.get(key, 0)) for key in TILES]


@dataclass
class StepView:
    name: str
    mode: str
    approvers: list[str]
    state: str  # "done", "current", "waiting"


@dataclass
class Progress:
    """The approval of a post as its page shows it."""

    state: str
    steps: list[StepView] = field(default_factory=list)
    decisions: list[ApprovalDecision] = field(default_factory=list)
    may_decide: bool = False
    awaiting: bool = False


def approval_progress(post: Post, user: Any) -> Progress:
    round_ = post.approval_rounds.first()
    progress = Progress(state=post.get_approval_display())
    if round_ is None:
        return progress
    names = dict(
        User.objects.filter(pk__in={u for s in round_.steps for u in s["approvers"]}).values_list("pk", "username")
    )
    for index, step in enumerate(round_.steps):
        if round_.state == RoundState.APPROVED or index < round_.step_index:
            where = "done"
        else:
            where = "current" if index == round_.step_index and round_.state == RoundState.OPEN else "waiting"
        who = [names.get(u, "?") for u in step["approvers"]]
        progress.steps.append(StepView(step["name"], step["mode"], who, where))
    progress.decisions = list(round_.decisions.select_related("user", "link"))
    progress.awaiting = approvals.awaits_decision(post)
    progress.may_decide = progress.awaiting and approvals.may_decide(post, user)
    return progress


def live_links(post: Post) -> list[ApprovalLink]:
    return list(post.approval_links.filter(revoked_at__isnull=True).order_by("-id")[:10])
