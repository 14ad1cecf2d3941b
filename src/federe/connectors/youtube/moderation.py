"""Moderating a YouTube channel's comments: comments.setModerationStatus, and comments.delete for its own.

Each action first reads the comment (GET /comments?id=..., 1 unit): one YouTube no longer lists is gone (a removal
is then done), and a deletion needs its author. A comment read by id carries no ``moderationStatus`` (the
reference says so), so the status is set every time: setting the one a comment already has changes nothing. Then:

* APPROVE, RESTORE: moderationStatus ``published`` (a held comment goes public; YouTube cannot publish a rejected
  one).
* HOLD, REMOVE: ``heldForReview``: the comment leaves the public page and can be published again. A removal in
  Fédère can be undone, and ``rejected`` cannot on YouTube, so REMOVE holds the comment back.
* REJECT: ``rejected`` (hides the comment and its replies for good: Fédère asks for confirmation; 50 units).
* BAN: ``rejected`` with ``banAuthor=true``: YouTube rejects the author's later comments on the channel too.
* DELETE: comments.delete (50 units), which YouTube allows only on the channel's own comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ActionResult, ModerationAction
from federe.connectors.youtube.client import YouTubeClient
from federe.connectors.youtube.mapping import author_channel, snippet_of

WANTED = {
    ActionKind.APPROVE: "published",
    ActionKind.RESTORE: "published",
    ActionKind.HOLD: "heldForReview",
    ActionKind.REMOVE: "heldForReview",
    ActionKind.REJECT: "rejected",
    ActionKind.BAN: "rejected",
}
ACTIONS = frozenset({*WANTED, ActionKind.DELETE})


@dataclass
class Moderator:
    client: YouTubeClient
    channel: str

    def act(self, action: ModerationAction) -> ActionResult:
        comment_id = action.external_id.strip()
        if not comment_id:
            raise Permanent(_("This message has no YouTube comment id."))
        found = self.client.comment(comment_id)
        if action.kind == ActionKind.DELETE:
            return self._delete(comment_id, found)
        return self._status(action.kind, comment_id, found)

    def _status(self, kind: ActionKind, comment_id: str, found: dict[str, Any] | None) -> ActionResult:
        wanted = WANTED[kind]
        if found is None and kind in (ActionKind.REMOVE, ActionKind.REJECT):
            return ActionResult(done=True, detail="already hidden")  # YouTube no longer lists it
        if found is None and kind != ActionKind.BAN:
            raise Permanent(_("YouTube no longer lists this comment: it was rejected or deleted on YouTube."))
        self.client.set_moderation_status(comment_id, wanted, ban_author=kind == ActionKind.BAN)
        return ActionResult(done=True, detail=f"{wanted} and author banned" if kind == ActionKind.BAN else wanted)

    def _delete(self, comment_id: str, found: dict[str, Any] | None) -> ActionResult:
        if found is None:
            return ActionResult(done=True, detail="already deleted")
        if self.channel and author_channel(snippet_of(found)) != self.channel:
            raise Permanent(
                _(
                    "YouTube deletes only the channel's own comments; remove this one instead (it is then held back"
                    " from the public page)."
                )
            )
        self.client.delete(comment_id)
        return ActionResult(done=True, detail="deleted")
