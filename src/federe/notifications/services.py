"""Notifying teammates: the in-app row, and the e-mail at once or in the daily digest, per the user's choice."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from federe.accounts.models import EmailChoice, Membership, User, Workspace
from federe.notifications.models import PREFERENCE_FIELD, Kind, Notification
from federe.notifications.words import describe, excerpt

MAX_EXCERPT = 200


@contextmanager
def as_reader(user: User, workspace: Workspace) -> Iterator[None]:
    """The user's language and timezone (else the workspace's) while their e-mail is written."""
    try:
        zone = zoneinfo.ZoneInfo(user.timezone or workspace.timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        zone = timezone.get_default_timezone()
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        yield


def notify(
    users: Iterable[Any],
    kind: Kind,
    *,
    workspace: Workspace,
    actor: Any = None,
    conversation: Any = None,
    params: dict[str, Any] | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify ``users`` of the workspace (never the actor, never someone who is not a member); those who want it
    at once are e-mailed after the commit. Returns the notifications made."""
    wanted = {u.pk for u in users if u is not None} - ({actor.pk} if actor is not None else set())
    members = set(Membership.objects.filter(workspace=workspace, user_id__in=wanted).values_list("user_id", flat=True))
    if not members:
        return []
    made = Notification.objects.bulk_create(
        Notification(
            workspace=workspace,
            user_id=user_id,
            kind=kind,
            actor=actor,
            conversation=conversation,
            params=params or {},
        )
        for user_id in sorted(members)
    )
    if email:
        ids = [n.pk for n in made]
        transaction.on_commit(partial(email_now, ids))
    return made


def _wants(user: User, kind: str, choice: EmailChoice) -> bool:
    return bool(user.email) and getattr(user, PREFERENCE_FIELD[Kind(kind)], EmailChoice.NOW) == choice


def path_of(notification: Notification) -> str:
    """Where the notification leads: its thread; an alert's saved query; else the notifications page."""
    slug = notification.workspace.slug
    if notification.conversation_id is not None:
        return reverse("inbox:thread", args=[slug, notification.conversation_id])
    query = notification.params.get("query") if isinstance(notification.params, dict) else None
    if notification.kind == Kind.ALERT_FIRED and isinstance(query, int):
        return reverse("listening:query", args=[slug, query])
    return reverse("notifications:list", args=[slug])


def _link(notification: Notification) -> str:
    return settings.FEDERE_BASE_URL + path_of(notification)


def lines(notification: Notification) -> str:
    parts = [describe(notification), excerpt(notification), _link(notification)]
    return "\n".join(part for part in parts if part)


def email_now(notification_ids: list[int]) -> int:
    """E-mail each of these notifications whose user wants that kind at once; returns how many were sent."""
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user", "actor", "conversation", "workspace"
    )
    sent = 0
    for n in rows:
        if not _wants(n.user, n.kind, EmailChoice.NOW):
            continue
        with as_reader(n.user, n.workspace):
            subject = f"[{n.workspace.name}] {describe(n)}"
            body = lines(n)
        send_mail(subject[:200], body, None, [n.user.email], fail_silently=True)
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


# --------------------------------------------------------------------------- reading


def of(user: Any, workspace: Workspace) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, workspace=workspace).select_related("actor", "conversation")


def unread_count(user: Any, workspace: Workspace) -> int:
    return Notification.objects.filter(user=user, workspace=workspace, read_at__isnull=True).count()


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])


def mark_all_read(user: Any, workspace: Workspace) -> int:
    now = timezone.now()
    return Notification.objects.filter(user=user, workspace=workspace, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
