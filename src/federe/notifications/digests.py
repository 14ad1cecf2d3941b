"""The daily digest: one e-mail per user and day at most, with the notifications not yet e-mailed of the kinds they
chose to receive that way. Sent by the worker once the user's morning has come (`due_digests`), or at once by
`federe notifications digest`; a Digest row written with the e-mail, unique per user and day, is what keeps two
workers, a restarted one, or the command from sending one day's digest twice."""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from federe.accounts.models import EmailChoice, User
from federe.notifications.models import PREFERENCE_FIELD, Digest, Notification
from federe.notifications.services import as_reader, lines

logger = logging.getLogger("federe.notifications")


def _wanted_in_a_digest() -> Q:
    """Notifications whose user wants their kind in the digest, and has an address."""
    kinds = Q()
    for kind, field in PREFERENCE_FIELD.items():
        kinds |= Q(kind=kind, **{f"user__{field}": EmailChoice.DIGEST})
    return kinds & ~Q(user__email="")


def _zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def send_digests(now: datetime | None = None, *, morning_only: bool = False) -> int:
    """Send each user their digest for the day (their day, in their timezone) unless it was sent already; with
    ``morning_only``, only to users for whom it is FEDERE_DIGEST_HOUR or later. Returns how many were sent."""
    now = now or timezone.now()
    pending: dict[int, list[Notification]] = defaultdict(list)
    rows = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .filter(_wanted_in_a_digest())
        .select_related("user", "actor", "conversation", "workspace")
        .order_by("workspace__name", "workspace_id", "created_at", "id")
    )
    for n in rows:
        pending[n.user_id].append(n)
    sent = 0
    for notifications in pending.values():
        user = notifications[0].user
        local = now.astimezone(_zone(user))
        if morning_only and local.hour < settings.FEDERE_DIGEST_HOUR:
            continue
        try:
            sent += _send(user, local.date(), notifications, now)
        except Exception:  # SMTP down: nothing recorded, the next round tries again
            logger.exception("digest for user %s not sent; will retry", user.pk)
    return sent


def _send(user: User, day: date, notifications: list[Notification], now: datetime) -> int:
    """The day's digest: recorded, marked and sent in one transaction, so that a failure leaves no trace."""
    try:
        with transaction.atomic():
            Digest.objects.create(user=user, day=day)  # a second sender of this day stops here
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
            subject, body = _words(user, notifications)
            send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return 0
    return 1


def _words(user: User, notifications: list[Notification]) -> tuple[str, str]:
    workspaces = {n.workspace_id: n.workspace for n in notifications}
    count = len(notifications)
    with as_reader(user, next(iter(workspaces.values()))):
        if len(workspaces) == 1:
            [workspace] = workspaces.values()
            subject = ngettext("[%(workspace)s] %(n)d notification", "[%(workspace)s] %(n)d notifications", count) % {
                "workspace": workspace.name,
                "n": count,
            }
            return subject, "\n\n".join(lines(n) for n in notifications)
        subject = ngettext("%(n)d notification in your workspaces", "%(n)d notifications in your workspaces", count) % {
            "n": count
        }
        sections = []
        for workspace in workspaces.values():
            mine = [n for n in notifications if n.workspace_id == workspace.pk]
            sections.append(f"== {workspace.name} ==\n\n" + "\n\n".join(lines(n) for n in mine))
        return subject, "\n\n\n".join(sections)
