"""Community signals a community manager acts on: newcomers to welcome, top members gone quiet, and those who
came back. (Not Django signals: this app has no signal receivers.)

* **Newcomers**: persons first seen in the last ``signal_days`` [7] days.
* **Gone quiet**: persons whose *standing* was in the top quarter of the workspace and who have been silent for
  ``quiet_days`` [30] days. The standing is the score a person had on the day they were last seen (today's
  score with the time decay since then undone), so that silence itself does not push them out of the top
  quarter. ``refresh`` marks them (``Person.quiet_since``); they stay marked until they post again.
* **Back**: a person marked as gone quiet posted again; listed for ``signal_days`` days after their return.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import ROLE_PERMS
from federe.accounts.queries import members_of
from federe.core import audit
from federe.people.engagement.formula import standing
from federe.people.models import Person, ScoringSettings
from federe.people.permissions import PEOPLE_EDIT


def _settings(workspace_id: int) -> ScoringSettings:
    from federe.people.engagement.scoring import settings_for  # scoring calls refresh and mark_back

    return settings_for(workspace_id)


def top_quarter_threshold(standings: Sequence[float]) -> float | None:
    """The smallest standing that is still in the top quarter of the positive standings (None if there are none)."""
    positive = sorted((v for v in standings if v > 0), reverse=True)
    if not positive:
        return None
    return positive[max(math.ceil(len(positive) / 4) - 1, 0)]


def refresh(workspace: Workspace, *, now: datetime | None = None) -> dict[str, int]:
    """Mark the top members who went quiet, and the quiet ones who came back. Idempotent."""
    now = now or timezone.now()
    s = _settings(workspace.pk)
    rows = [
        (pk, score, seen, quiet_since, quiet_seen)
        for pk, score, seen, quiet_since, quiet_seen in Person.objects.filter(
            workspace=workspace, merged_into__isnull=True, last_seen_at__isnull=False
        ).values_list("id", "score", "last_seen_at", "quiet_since", "quiet_last_seen_at")
        if seen is not None  # never, by the filter: for the type checker
    ]
    standings = {pk: standing(score, seen, s, now) for pk, score, seen, _q, _ql in rows}
    threshold = top_quarter_threshold(list(standings.values()))
    silent_since = now - timedelta(days=s.quiet_days)
    went_quiet: list[Person] = []
    came_back: list[Person] = []
    for pk, _score, seen, quiet_since, quiet_seen in rows:
        if quiet_since is None:
            if threshold is not None and standings[pk] >= threshold and seen <= silent_since:
                went_quiet.append(Person(pk=pk, quiet_since=now, quiet_last_seen_at=seen))
        elif quiet_seen is not None and seen > quiet_seen:
            came_back.append(_back(pk, seen, quiet_seen))
    Person.objects.bulk_update(went_quiet, ["quiet_since", "quiet_last_seen_at"], batch_size=500)
    Person.objects.bulk_update(
        came_back, ["quiet_since", "quiet_last_seen_at", "back_at", "back_after_days"], batch_size=500
    )
    ScoringSettings.objects.filter(pk=s.pk).update(refreshed_at=now)
    return {"gone_quiet": len(went_quiet), "back": len(came_back)}


def _back(pk: int, seen: datetime, quiet_seen: datetime) -> Person:
    return Person(
        pk=pk, quiet_since=None, quiet_last_seen_at=None, back_at=seen, back_after_days=(seen - quiet_seen).days
    )


def mark_back(workspace_id: int, person_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """For persons who just posted: those marked as gone quiet are back."""
    rows = Person.objects.filter(
        workspace_id=workspace_id, pk__in=list(person_ids), quiet_since__isnull=False, last_seen_at__isnull=False
    ).values_list("id", "last_seen_at", "quiet_last_seen_at")
    back = [_back(pk, seen, quiet_seen) for pk, seen, quiet_seen in rows if quiet_seen and seen and seen > quiet_seen]
    Person.objects.bulk_update(back, ["quiet_since", "quiet_last_seen_at", "back_at", "back_after_days"])
    return len(back)


# --------------------------------------------------------------------------- the lists


@dataclass(frozen=True)
class Signal:
    kind: str  # newcomer, quiet, back
    person: Person
    reason: str


def _date(value: datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else "?"


def _base(workspace: Workspace) -> QuerySet[Person]:
    return Person.objects.filter(workspace=workspace, merged_into__isnull=True).annotate(
        identity_count=Count("identities", distinct=True)
    )


def newcomers(workspace: Workspace, *, now: datetime | None = None, limit: int = 200) -> list[Signal]:
    now = now or timezone.now()
    s = _settings(workspace.pk)
    persons = _base(workspace).filter(first_seen_at__gte=now - timedelta(days=s.signal_days)).order_by("-first_seen_at")
    return [
        Signal(
            "newcomer",
            p,
            ngettext(
                "First seen on %(date)s, %(n)s point since.",
                "First seen on %(date)s, %(n)s points since.",
                int(p.score),
            )
            % {"date": _date(p.first_seen_at), "n": formats.number_format(p.score, 1)},
        )
        for p in persons[:limit]
    ]


def gone_quiet(workspace: Workspace, *, now: datetime | None = None, limit: int = 200) -> list[Signal]:
    now = now or timezone.now()
    s = _settings(workspace.pk)
    persons = _base(workspace).filter(quiet_since__isnull=False).order_by("-score", "id")
    out = []
    for p in persons[:limit]:
        days = (now - p.last_seen_at).days if p.last_seen_at else 0
        out.append(
            Signal(
                "quiet",
                p,
                ngettext(
                    "Was in the top quarter (score %(score)s when last seen); silent for %(days)d day, since %(date)s.",
                    "Was in the top quarter (score %(score)s when last seen); silent for %(days)d days, since %(date)s.",  # noqa: E501
                    days,
                )
                % {
                    "score": formats.number_format(standing(p.score, p.last_seen_at, s, now), 1),
                    "days": days,
                    "date": _date(p.last_seen_at),
                },
            )
        )
    return out


def back(workspace: Workspace, *, now: datetime | None = None, limit: int = 200) -> list[Signal]:
    now = now or timezone.now()
    s = _settings(workspace.pk)
    persons = _base(workspace).filter(back_at__gte=now - timedelta(days=s.signal_days)).order_by("-back_at")
    return [
        Signal(
            "back",
            p,
            ngettext(
                "Back on %(date)s after %(days)d day of silence.",
                "Back on %(date)s after %(days)d days of silence.",
                p.back_after_days or 0,
            )
            % {"date": _date(p.back_at), "days": p.back_after_days or 0},
        )
        for p in persons[:limit]
    ]


def all_signals(workspace: Workspace, *, now: datetime | None = None) -> dict[str, list[Signal]]:
    return {
        "newcomers": newcomers(workspace, now=now),
        "quiet": gone_quiet(workspace, now=now),
        "back": back(workspace, now=now),
    }


# --------------------------------------------------------------------------- the digest


def _digest_body(workspace: Workspace, lists: dict[str, list[Signal]]) -> str:
    titles = {
        "newcomers": _("Newcomers to welcome"),
        "quiet": _("Top members gone quiet"),
        "back": _("Back after a silence"),
    }
    parts = []
    for key, title in titles.items():
        items = lists[key]
        parts.append(f"{title} ({len(items)})")
        parts.extend(f"- {s.person.display_name}: {s.reason}" for s in items[:25])
        if len(items) > 25:
            parts.append(_("… and %(n)d more on the signals page.") % {"n": len(items) - 25})
        if not items:
            parts.append(_("Nobody this time."))
        parts.append("")
    return "\n".join(parts)


def send_digest(workspace: Workspace, *, by: Any = None, now: datetime | None = None) -> int:
    """E-mail the signals to the workspace's community team (members who may act on people), in their language."""
    sent = 0
    for membership in members_of(workspace):
        user = membership.user
        if not user.email or not user.notify_digests or PEOPLE_EDIT not in ROLE_PERMS[membership.role]:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            lists = all_signals(workspace, now=now)
            subject = _("[%(workspace)s] People: newcomers %(new)d, gone quiet %(quiet)d, back %(back)d") % {
                "workspace": workspace.name,
                "new": len(lists["newcomers"]),
                "quiet": len(lists["quiet"]),
                "back": len(lists["back"]),
            }
            body = _digest_body(workspace, lists)
        send_mail(subject, body, None, [user.email], fail_silently=True)
        sent += 1
    audit.record(
        "people.digest_sent", workspace=workspace, actor=by, actor_label="" if by else "system", details={"sent": sent}
    )
    return sent
