"""Labels on threads: make one, put it on threads, take it off. Every call is scoped to one workspace."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation, Label

MAX_NAME = 40


def create(workspace: Workspace, name: str) -> Label:
    """The workspace's label of that name (case ignored), made if it does not exist yet."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the label a name."))
    if len(name) > MAX_NAME:
        raise ValidationError(
            ngettext(
                "A label's name is at most %(n)d character.", "A label's name is at most %(n)d characters.", MAX_NAME
            )
            % {"n": MAX_NAME}
        )
    existing = Label.objects.filter(workspace=workspace, name__iexact=name).first()
    return existing or Label.objects.create(workspace=workspace, name=name)


def find(workspace: Workspace, name: str) -> Label | None:
    """The workspace's label of that name (case and extra spaces ignored), if there is one."""
    name = " ".join(name.split())
    return Label.objects.filter(workspace=workspace, name__iexact=name).first() if name else None


def names(workspace: Workspace) -> list[str]:
    return list(Label.objects.filter(workspace=workspace).values_list("name", flat=True))


def _scoped(workspace: Workspace, label: Label, conversation_ids: Iterable[int]) -> list[int]:
    if label.workspace_id != workspace.pk:
        raise ValidationError(_("This label belongs to another workspace."))
    ids = set(conversation_ids)
    found = list(Conversation.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError(_("Some of these threads are not in this workspace."))
    return found


@transaction.atomic
def attach(workspace: Workspace, label: Label, conversation_ids: Iterable[int]) -> int:
    """Put ``label`` on the threads; returns how many did not have it yet."""
    ids = _scoped(workspace, label, conversation_ids)
    through = Conversation.labels.through
    have = set(through.objects.filter(label=label, conversation_id__in=ids).values_list("conversation_id", flat=True))
    through.objects.bulk_create([through(label=label, conversation_id=pk) for pk in ids if pk not in have])
    return len(set(ids) - have)


@transaction.atomic
def detach(workspace: Workspace, label: Label, conversation_ids: Iterable[int]) -> int:
    """Take ``label`` off the threads; returns how many had it."""
    ids = _scoped(workspace, label, conversation_ids)
    deleted, _rows = Conversation.labels.through.objects.filter(label=label, conversation_id__in=ids).delete()
    return deleted
