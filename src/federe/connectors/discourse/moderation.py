"""Moderating a Discourse forum, each action idempotent: the state is read first, and a done action is not redone.

The endpoints (docs.discourse.org, and the forum's routes):

- APPROVE, REJECT: a queued post (``queued-<reviewable id>``): GET /review/{id}.json for its status and version,
  then PUT /review/{id}/perform/approve_post (or reject_post)?version=V;
- REMOVE: GET /posts/{id}.json, then, unless already hidden, POST /post_actions.json with ``take_action``: the API
  user flags the post as inappropriate and Discourse hides it at once (Discourse has no plain "hide" endpoint);
- RESTORE: PUT /posts/{id}/unhide for a hidden post, PUT /posts/{id}/recover for a deleted one;
- DELETE: DELETE /posts/{id}.json (a topic's first post takes its topic with it);
- CLOSE, PIN: GET /t/{id}.json, then PUT /t/{id}/status.json (status closed or pinned, enabled true);
- MUTE: GET /admin/users/{id}.json, then PUT /admin/users/{id}/silence.json (``silenced_till``, ``reason``);
- SUSPEND: likewise with PUT /admin/users/{id}/suspend.json (``suspend_until``, ``reason``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.discourse.client import DiscourseClient
from federe.connectors.discourse.mapping import QUEUED, REVIEW_STATUSES, number
from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ActionResult, ModerationAction, NetworkStatus
from federe.connectors.values import parse_utc

DEFAULT_REASON = _lazy("Moderated from Fédère.")
REVIEW_ACTIONS = {ActionKind.APPROVE: "approve_post", ActionKind.REJECT: "reject_post"}
WANTED = {ActionKind.APPROVE: NetworkStatus.PUBLISHED, ActionKind.REJECT: NetworkStatus.REMOVED}


@dataclass
class Moderator:
    client: DiscourseClient
    mute_days: int = 7
    suspend_days: int = 365
    pin_days: int = 30

    def act(self, action: ModerationAction) -> ActionResult:
        queued = action.external_id.startswith(QUEUED)
        if action.kind in REVIEW_ACTIONS or (queued and action.kind in (ActionKind.REMOVE, ActionKind.DELETE)):
            kind = action.kind if action.kind in REVIEW_ACTIONS else ActionKind.REJECT
            return self._review(_queued_id(action.external_id), kind)
        handlers: dict[ActionKind, Callable[[ModerationAction], ActionResult]] = {
            ActionKind.REMOVE: self._hide,
            ActionKind.RESTORE: self._restore,
            ActionKind.DELETE: self._delete,
            ActionKind.CLOSE: lambda a: self._topic_status(a, "closed"),
            ActionKind.PIN: lambda a: self._topic_status(a, "pinned"),
            ActionKind.MUTE: self._silence,
            ActionKind.SUSPEND: self._suspend,
        }
        return handlers[action.kind](action)

    # -- the review queue -----------------------------------------------------------------------------------

    def _review(self, reviewable_id: int, kind: ActionKind) -> ActionResult:
        found = self.client.reviewable(reviewable_id).get("reviewable")
        reviewable = found if isinstance(found, dict) else {}
        status = REVIEW_STATUSES.get(reviewable.get("status"))
        if status == WANTED[kind]:
            return ActionResult(done=True, detail=f"already {REVIEW_ACTIONS[kind]}")
        if status != NetworkStatus.HELD:
            raise Permanent(_("This post was already reviewed on Discourse: it is no longer in the review queue."))
        version = reviewable.get("version")
        self.client.perform_review(reviewable_id, REVIEW_ACTIONS[kind], version if isinstance(version, int) else 0)
        return ActionResult(done=True, detail=REVIEW_ACTIONS[kind])

    # -- posts ----------------------------------------------------------------------------------------------

    def _post(self, action: ModerationAction) -> tuple[int, dict[str, Any]]:
        post_id = _post_id(action.external_id)
        return post_id, self.client.post(post_id)

    def _hide(self, action: ModerationAction) -> ActionResult:
        post_id, post = self._post(action)
        if post.get("hidden") is True or post.get("deleted_at"):
            return ActionResult(done=True, detail="already hidden")
        self.client.flag_and_hide(post_id)
        return ActionResult(done=True, detail="hidden")

    def _restore(self, action: ModerationAction) -> ActionResult:
        post_id, post = self._post(action)
        done = []
        if post.get("deleted_at"):
            self.client.recover(post_id)
            done.append("recovered")
        if post.get("hidden") is True:
            self.client.unhide(post_id)
            done.append("unhidden")
        return ActionResult(done=True, detail=" and ".join(done) or "already visible")

    def _delete(self, action: ModerationAction) -> ActionResult:
        post_id = _post_id(action.external_id)
        try:
            post = self.client.post(post_id)
        except Permanent as exc:
            if exc.status in (404, 410):
                return ActionResult(done=True, detail="already deleted")
            raise
        if post.get("deleted_at"):
            return ActionResult(done=True, detail="already deleted")
        self.client.delete_post(post_id)
        return ActionResult(done=True, detail="deleted")

    # -- topics ---------------------------------------------------------------------------------------------

    def _topic_status(self, action: ModerationAction, status: str) -> ActionResult:
        topic_id = number(action.thread_id)
        if not topic_id:
            topic_id = number(self._post(action)[1].get("topic_id"))
        if not topic_id:
            raise Permanent(_("Discourse did not say which topic this post is in."))
        if self.client.topic(topic_id).get(status) is True:
            return ActionResult(done=True, detail=f"already {status}")
        until = (datetime.now(UTC) + timedelta(days=self.pin_days)).date().isoformat() if status == "pinned" else ""
        self.client.topic_status(topic_id, status, until=until)
        return ActionResult(done=True, detail=status)

    # -- members --------------------------------------------------------------------------------------------

    def _member(self, action: ModerationAction) -> tuple[int, dict[str, Any]]:
        user_id = number(action.author_id)
        if not user_id and not action.external_id.startswith(QUEUED):
            user_id = number(self._post(action)[1].get("user_id"))
        if not user_id:
            raise Permanent(_("Discourse did not say who wrote this post: the member cannot be moderated."))
        return user_id, self.client.admin_user(user_id)

    def _silence(self, action: ModerationAction) -> ActionResult:
        return self._penalty(action, "silenced", self.mute_days, self.client.silence)

    def _suspend(self, action: ModerationAction) -> ActionResult:
        return self._penalty(action, "suspended", self.suspend_days, self.client.suspend)

    def _penalty(
        self, action: ModerationAction, state: str, days: int, apply: Callable[[int, str, str], None]
    ) -> ActionResult:
        """Silence or suspend the author for ``days``, unless a silence or suspension is still on."""
        user_id, member = self._member(action)
        if _still(member.get(f"{state}_till")):
            return ActionResult(done=True, detail=f"already {state}")
        apply(user_id, (datetime.now(UTC) + timedelta(days=days)).isoformat(), action.reason or str(DEFAULT_REASON))
        return ActionResult(done=True, detail=state)


def _still(until: Any) -> bool:
    """Whether a silence or suspension ending at ``until`` is still on."""
    end = parse_utc(until)
    return end is not None and end > datetime.now(UTC)


def _post_id(value: str) -> int:
    if not number(value) or not str(value).isdigit():
        raise Permanent(_("%(value)s is not a Discourse post id.") % {"value": repr(value)[:40]})
    return number(value)


def _queued_id(value: str) -> int:
    found = number(value.removeprefix(QUEUED)) if value.startswith(QUEUED) else 0
    if not found:
        raise Permanent(_("Only a post waiting in Discourse's review queue can be approved or rejected."))
    return found
