"""Bulk actions on threads chosen in the list: assign, close, label (add or remove), mark read or unread.

Each runs in one transaction and refuses the whole batch (as not found) when one id is not a thread of the
workspace. It keeps what the one-thread services do per thread (audit, webhooks, the assignee's notification):
one UPDATE for the threads, one INSERT for their audit events and one for their webhook events, whatever their
number; the assignee's notifications are made thread by thread (``notify``, two queries each). Each action
returns what it did, in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.inbox import labels, reading
from federe.inbox.models import Conversation, ConversationStatus
from federe.inbox.services import check_assignee
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.webhooks import announce

MAX_THREADS = 500
ACTIONS = ("assign", "close", "label", "unlabel", "read", "unread")


@dataclass(frozen=True)
class Done:
    count: int  # threads changed
    message: str  # what happened, in the reader's language


def threads(workspace: Workspace, ids: Iterable[int]) -> list[Conversation]:
    """The workspace's threads of these ids; ``Conversation.DoesNotExist`` for the whole batch when one is
    missing or of another workspace."""
    wanted = set(ids)
    if not wanted:
        raise ValidationError(_("Select at least one thread."))
    if len(wanted) > MAX_THREADS:
        raise ValidationError(
            ngettext("At most %(n)d thread at a time.", "At most %(n)d threads at a time.", MAX_THREADS)
            % {"n": MAX_THREADS}
        )
    found = list(
        Conversation.objects.filter(workspace=workspace, pk__in=wanted).select_related("assignee").order_by("pk")
    )
    if len(found) != len(wanted):  # another workspace's thread, or none: as if it did not exist (404)
        raise Conversation.DoesNotExist(_("Some of these threads are not in this workspace."))
    return found


@transaction.atomic
def assign(workspace: Workspace, ids: Iterable[int], assignee: Any, *, by: Any) -> Done:
    """Give the threads to ``assignee`` (a member who can answer) or to nobody (``None``)."""
    require(by, workspace, Perm.ASSIGN)
    check_assignee(workspace, assignee)
    target = assignee.pk if assignee is not None else None
    changed = [c for c in threads(workspace, ids) if c.assignee_id != target]
    now = timezone.now()
    for conv in changed:
        conv.assignee = assignee
        if assignee is not None and conv.status == ConversationStatus.NEW:
            conv.status = ConversationStatus.ASSIGNED
        elif assignee is None and conv.status == ConversationStatus.ASSIGNED:
            conv.status = ConversationStatus.NEW
        conv.updated_at = now
    Conversation.objects.bulk_update(changed, ["assignee", "status", "updated_at"])
    who = assignee.get_username() if assignee is not None else None
    audit.record_many(
        audit.Event("conversation.assigned", workspace=workspace, actor=by, target=c, details={"assignee": who})
        for c in changed
    )
    announce.threads_assigned(workspace.pk, changed, by)
    if assignee is not None:
        for conv in changed:
            notify([assignee], Kind.ASSIGNED, workspace=workspace, actor=by, conversation=conv)
    n = len(changed)
    if assignee is None:
        message = ngettext("%(count)d thread unassigned.", "%(count)d threads unassigned.", n) % {"count": n}
    else:
        message = ngettext("%(count)d thread assigned to %(user)s.", "%(count)d threads assigned to %(user)s.", n) % {
            "count": n,
            "user": who,
        }
    return Done(n, message)


@transaction.atomic
def close(workspace: Workspace, ids: Iterable[int], *, by: Any) -> Done:
    """Close the threads that are not closed yet."""
    require(by, workspace, Perm.ASSIGN)
    changed = [c for c in threads(workspace, ids) if c.status != ConversationStatus.CLOSED]
    previous = {c.pk: c.status for c in changed}
    Conversation.objects.filter(pk__in=previous).update(status=ConversationStatus.CLOSED, updated_at=timezone.now())
    for conv in changed:
        conv.status = ConversationStatus.CLOSED
    audit.record_many(
        audit.Event(
            "conversation.status_changed",
            workspace=workspace,
            actor=by,
            target=c,
            details={"from": previous[c.pk], "to": ConversationStatus.CLOSED},
        )
        for c in changed
    )
    announce.threads_closed(workspace.pk, changed, by)
    n = len(changed)
    return Done(n, ngettext("%(count)d thread closed.", "%(count)d threads closed.", n) % {"count": n})


@transaction.atomic
def label(workspace: Workspace, ids: Iterable[int], name: str, *, by: Any, remove: bool = False) -> Done:
    """Put the label called ``name`` on the threads (made if the workspace has none of that name), or take it
    off (``remove``: an unknown name is refused)."""
    require(by, workspace, Perm.ASSIGN)
    pks = [c.pk for c in threads(workspace, ids)]
    if remove:
        found = labels.find(workspace, name)
        if found is None:
            raise ValidationError(_("No label is called “%(name)s”.") % {"name": name.strip()})
        n = labels.detach(workspace, found, pks)
        text = ngettext(
            "Label “%(label)s” taken off %(count)d thread.", "Label “%(label)s” taken off %(count)d threads.", n
        )
        return Done(n, text % {"label": found.name, "count": n})
    made = labels.create(workspace, name)
    n = labels.attach(workspace, made, pks)
    text = ngettext("Label “%(label)s” put on %(count)d thread.", "Label “%(label)s” put on %(count)d threads.", n)
    return Done(n, text % {"label": made.name, "count": n})


def mark(workspace: Workspace, ids: Iterable[int], *, by: Any, read: bool) -> Done:
    """Read or unread for ``by`` (their own read state: any member may)."""
    require(by, workspace, Perm.VIEW)
    pks = [c.pk for c in threads(workspace, ids)]
    n = len(pks)
    if read:
        reading.mark_read(workspace, by, pks)
        return Done(n, ngettext("%(count)d thread marked read.", "%(count)d threads marked read.", n) % {"count": n})
    reading.mark_unread(workspace, by, pks)
    return Done(n, ngettext("%(count)d thread marked unread.", "%(count)d threads marked unread.", n) % {"count": n})
