"""Misago moderation: each action reads the state first, so that asking twice finds the first one done.

Misago moderates by JSON-Patch (``PATCH /api/threads/<id>/`` and ``PATCH /api/threads/<id>/posts/<id>/`` with
``[{"op": "replace", "path": "is-hidden", "value": true}]``) and deletes with ``DELETE`` on the same addresses.
A thread's first post stands for its thread: Misago does not hide, approve or delete it on its own, so these
actions apply to the thread.

Misago has no API to ban a member (bans exist only in its admin pages), hence no BAN here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.errors import Permanent
from federe.connectors.misago.client import MisagoClient
from federe.connectors.misago.mapping import number
from federe.connectors.types import ActionKind, ActionResult, ModerationAction

NO_BAN = _lazy(
    "Misago has no API to ban a member: bans exist only in the forum's admin pages (Users → Bans). Fédère can"
    " approve, hide, restore, close, pin and delete posts and threads."
)
PIN_WEIGHT = 1  # pinned in its category (2 would pin it on every list of the forum)
# action: (field read on the post or thread, value wanted, JSON-Patch path)
POST_PATCHES = {
    ActionKind.APPROVE: ("is_unapproved", False, "is-unapproved"),
    ActionKind.REMOVE: ("is_hidden", True, "is-hidden"),
    ActionKind.RESTORE: ("is_hidden", False, "is-hidden"),
}
THREAD_PATCHES = {
    **POST_PATCHES,
    ActionKind.CLOSE: ("is_closed", True, "is-closed"),
    ActionKind.PIN: ("weight", PIN_WEIGHT, "weight"),
}
ACTIONS = frozenset(THREAD_PATCHES) | {ActionKind.DELETE}


def ids(action: ModerationAction) -> tuple[int, int]:
    """The thread and post an action is about."""
    post_id = number(int(action.external_id)) if str(action.external_id).isdigit() else 0
    thread_id = number(int(action.thread_id)) if str(action.thread_id).isdigit() else 0
    if not post_id:
        raise Permanent(_("%(value)s is not a Misago post id.") % {"value": repr(action.external_id)[:40]})
    if not thread_id:
        raise Permanent(_("Fédère does not know the Misago thread of post %(id)s.") % {"id": post_id})
    return thread_id, post_id


def act(client: MisagoClient, action: ModerationAction) -> ActionResult:
    if action.kind == ActionKind.BAN:
        raise Permanent(str(NO_BAN))
    if action.kind not in ACTIONS:
        raise Permanent(_("Misago cannot do this: %(action)s.") % {"action": action.kind})
    thread_id, post_id = ids(action)
    thread_path = f"/api/threads/{thread_id}/"
    found = find_post(client, thread_id, post_id)
    if found is None:
        return _gone(action)
    thread, post, first = found
    on_thread = first or action.kind in (ActionKind.CLOSE, ActionKind.PIN)
    if action.kind == ActionKind.DELETE:
        return _delete(client, thread_path if first else f"{thread_path}posts/{post_id}/")
    if on_thread:
        return _patch(client, thread_path, thread, THREAD_PATCHES[action.kind])
    return _patch(client, f"{thread_path}posts/{post_id}/", post, POST_PATCHES[action.kind])


def find_post(client: MisagoClient, thread_id: int, post_id: int) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """The thread, the post as it stands now, and whether it is the thread's first post; None when gone.

    Misago's API cannot read one post: it is looked for on the thread's pages (ordered by id), by bisection.
    """
    found = client.thread_page(thread_id, 1)
    if found is None:
        return None
    thread, posts, pages = found
    real = [p for p in posts if p.get("is_event") is not True]
    first = bool(real) and real[0].get("id") == post_id
    low, high, page = 1, pages, 1
    while True:
        post = next((p for p in posts if p.get("id") == post_id), None)
        if post is not None:
            return thread, post, first
        ids_here = [number(p.get("id")) for p in posts]
        if not ids_here or min(ids_here) < post_id < max(ids_here):
            return None  # where it would be, it is not: deleted
        if post_id < min(ids_here):
            high = page - 1
        else:
            low = page + 1
        if low > high:
            return None
        page = (low + high) // 2
        found = client.thread_page(thread_id, page)
        if found is None:
            return None
        posts = found[1]


def _patch(client: MisagoClient, path: str, current: dict[str, Any], change: tuple[str, Any, str]) -> ActionResult:
    field, wanted, patch_path = change
    if current.get(field) == wanted or (field == "weight" and number(current.get(field)) >= PIN_WEIGHT):
        return ActionResult(done=True, detail=f"{field}={wanted} (already)")
    client.call("PATCH", path, json=[{"op": "replace", "path": patch_path, "value": wanted}])
    return ActionResult(done=True, detail=f"{field}={wanted}")


def _delete(client: MisagoClient, path: str) -> ActionResult:
    try:
        client.call("DELETE", path)
    except Permanent as exc:
        if exc.status == 404:
            return ActionResult(done=True, detail="deleted (already)")
        raise
    return ActionResult(done=True, detail="deleted")


def _gone(action: ModerationAction) -> ActionResult:
    if action.kind == ActionKind.DELETE:
        return ActionResult(done=True, detail="deleted (already)")
    raise Permanent(_("This post no longer exists on Misago."), status=404)
