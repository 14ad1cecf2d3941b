"""Merge suggestions with their evidence; merges that can always be undone.

Evidence between two persons comes from their identities (weights in points, documented in
docs/architecture.md):

=====================  ======  ==========================================================================
signal                 points  when
=====================  ======  ==========================================================================
``same_email``           60    two identities carry the same e-mail address (case ignored)
``same_link``            40    the same profile or website address (scheme, ``www.``, case and a trailing
                               slash ignored)
``same_handle``          30    the same handle (case and a leading ``@`` ignored) on two different channels
``similar_name``         20    the same name once accents, case, punctuation and word order are ignored,
                               on two different channels
``replied_to_each``      10    they replied to each other (supporting evidence only: it never makes a
                               suggestion on its own)
=====================  ======  ==========================================================================

A pair is suggested from ``MIN_TOTAL`` points. A value shared by many identities is no evidence (a common name,
a shared "info@" address): groups larger than ``MAX_GROUP`` are ignored. When the workspace's
``auto_merge_threshold`` is above 0, suggestions reaching it are merged automatically; those merges are listed
and can be undone like any other.

A merge moves the absorbed person's identities, notes, tags and custom fields to the kept person. The absorbed
person's row stays (``merged_into``), hidden from lists, and the ``Merge`` row records exactly what moved, so
that undoing it puts everything back. A tag or field the kept person already had stays with the absorbed
person, and so comes back with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit
from federe.core.text import normalise
from federe.people.models import (
    CustomField,
    Identity,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    ReplyEdge,
    SuggestionStatus,
)
from federe.people.permissions import PEOPLE_EDIT

WEIGHTS = {"same_email": 60, "same_link": 40, "same_handle": 30, "similar_name": 20, "replied_to_each": 10}
SUPPORTING = {"replied_to_each"}
MIN_TOTAL = 20
MAX_GROUP = 10
MAX_GROUP_STRONG = 50  # e-mail and links are rarer to share than names
SIGNAL_TEXT = {
    "same_email": gettext_lazy("same e-mail address: %(value)s"),
    "same_link": gettext_lazy("same profile or website link: %(value)s"),
    "same_handle": gettext_lazy("same handle on two channels: %(value)s"),
    "similar_name": gettext_lazy("similar name: %(value)s"),
}
# The one signal whose value is a count.
REPLIES_TEXT = ("they replied to each other (%(value)s reply)", "they replied to each other (%(value)s replies)")
PERSON_FIELDS = (
    "display_name",
    "first_seen_at",
    "last_seen_at",
    "score",
    "level",
    "reach",
    "computed_at",
    "quiet_since",
    "quiet_last_seen_at",
    "back_at",
    "back_after_days",
)
RESTORED_FIELDS = (
    "display_name",
    "first_seen_at",
    "last_seen_at",
    "quiet_since",
    "quiet_last_seen_at",
    "back_at",
    "back_after_days",
)
DATE_FIELDS = {"first_seen_at", "last_seen_at", "computed_at", "quiet_since", "quiet_last_seen_at", "back_at"}


def describe(signal: dict[str, Any]) -> str:
    code, value = signal.get("code", ""), signal.get("params", {}).get("value", "")
    if code == "replied_to_each":
        return ngettext(*REPLIES_TEXT, int(value or 0)) % {"value": value}
    template = SIGNAL_TEXT.get(code)
    if template is None:
        return str(code)
    return str(template) % {"value": value}


def confidence(total: int) -> str:
    if total >= 60:
        return "high"
    if total >= 40:
        return "medium"
    return "low"


# --------------------------------------------------------------------------- normalising


def norm_email(value: str) -> str:
    value = (value or "").strip().lower()
    return value if "@" in value else ""


def norm_handle(value: str) -> str:
    value = (value or "").strip().lower().lstrip("@")
    return value if len(value) >= 3 else ""


def norm_name(value: str) -> str:
    words = sorted(w for w in re.split(r"[\W_]+", normalise(value or "")) if w)
    key = " ".join(words)
    return key if len(key.replace(" ", "")) >= 4 else ""


def norm_link(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class _Row:
    id: int
    person_id: int
    connection_id: int
    email: str
    handle: str
    name: str
    link: str
    shown_name: str


def _rows(identities: Iterable[tuple]) -> list[_Row]:
    return [
        _Row(pk, person, conn, norm_email(email), norm_handle(handle), norm_name(name or handle), norm_link(url), name)
        for pk, person, conn, email, handle, name, url in identities
    ]


_FIELDS = ("id", "person_id", "connection_id", "email", "handle", "display_name", "profile_url")


def _pair_signals(rows: list[_Row]) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    found: dict[tuple[int, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    keys = (
        ("same_email", lambda r: r.email, False, MAX_GROUP_STRONG),
        ("same_link", lambda r: r.link, False, MAX_GROUP_STRONG),
        ("same_handle", lambda r: r.handle, True, MAX_GROUP),
        ("similar_name", lambda r: r.name, True, MAX_GROUP),
    )
    for code, key, other_channel, cap in keys:
        groups: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            value = key(row)
            if value:
                groups[value].append(row)
        for value, members in groups.items():
            if len(members) < 2 or len(members) > cap or len({m.person_id for m in members}) < 2:
                continue
            for a, b in combinations(members, 2):
                if a.person_id == b.person_id or (other_channel and a.connection_id == b.connection_id):
                    continue
                pair = (min(a.person_id, b.person_id), max(a.person_id, b.person_id))
                shown = a.shown_name if code == "similar_name" and a.shown_name else value
                found[pair].setdefault(code, {"value": shown})
    return found


def _replied_pairs(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """For candidate pairs of persons: how many replies went between them, when they went both ways."""
    wanted = set(pairs)
    persons = sorted({p for pair in wanted for p in pair})
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for start in range(0, len(persons), 1000):
        chunk = persons[start : start + 1000]
        rows = (
            ReplyEdge.objects.filter(source__person_id__in=chunk)
            .values_list("source__person_id", "target__person_id")
            .order_by()
        )
        for source, target in rows:
            pair = (min(source, target), max(source, target))
            if pair in wanted and source != target:
                counts[(source, target)] += 1
    both: dict[tuple[int, int], int] = {}
    for a, b in wanted:
        if counts.get((a, b)) and counts.get((b, a)):
            both[(a, b)] = counts[(a, b)] + counts[(b, a)]
    return both


def _signals_list(codes: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    signals = [
        {"code": code, "weight": WEIGHTS[code], "params": params}
        for code, params in sorted(codes.items(), key=lambda kv: -WEIGHTS[kv[0]])
    ]
    return signals, sum(s["weight"] for s in signals)


def evidence(rows: list[_Row]) -> dict[tuple[int, int], tuple[list[dict[str, Any]], int]]:
    """Evidence for every pair of persons among these identities that reaches MIN_TOTAL."""
    found = _pair_signals(rows)
    for pair, n in _replied_pairs(found).items():
        found[pair]["replied_to_each"] = {"value": n}
    out = {}
    for pair, codes in found.items():
        if set(codes) <= SUPPORTING:
            continue
        signals, total = _signals_list(codes)
        if total >= MIN_TOTAL:
            out[pair] = (signals, total)
    return out


def evidence_between(a: Person, b: Person) -> tuple[list[dict[str, Any]], int]:
    rows = _rows(Identity.objects.filter(person__in=[a, b]).values_list(*_FIELDS))
    found = _pair_signals(rows).get((min(a.pk, b.pk), max(a.pk, b.pk)), {})
    replied = _replied_pairs([(min(a.pk, b.pk), max(a.pk, b.pk))])
    for n in replied.values():
        found["replied_to_each"] = {"value": n}
    return _signals_list(found)


# --------------------------------------------------------------------------- suggestions


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    auto_merged: int = 0


@transaction.atomic
def refresh_suggestions(workspace: Workspace, *, auto_merge: bool = True) -> RefreshResult:
    """Find the pairs of persons that may be one; keep decisions already made (rejected stays rejected)."""
    from federe.people.scoring import settings_for

    result = RefreshResult()
    rows = _rows(Identity.objects.filter(workspace=workspace, person__merged_into__isnull=True).values_list(*_FIELDS))
    found = evidence(rows)
    existing = {
        (s.person_a_id, s.person_b_id): s for s in MergeSuggestion.objects.filter(workspace=workspace).order_by()
    }
    new, changed = [], []
    for pair, (signals, total) in found.items():
        current = existing.get(pair)
        if current is None:
            new.append(
                MergeSuggestion(
                    workspace=workspace, person_a_id=pair[0], person_b_id=pair[1], signals=signals, total=total
                )
            )
        elif current.status == SuggestionStatus.OPEN and (current.signals != signals or current.total != total):
            current.signals, current.total = signals, total
            changed.append(current)
    MergeSuggestion.objects.bulk_create(new, batch_size=500)
    MergeSuggestion.objects.bulk_update(changed, ["signals", "total", "updated_at"], batch_size=500)
    stale = [s.pk for pair, s in existing.items() if s.status == SuggestionStatus.OPEN and pair not in found]
    MergeSuggestion.objects.filter(pk__in=stale).delete()
    result.created, result.updated, result.removed = len(new), len(changed), len(stale)
    threshold = settings_for(workspace).auto_merge_threshold
    if auto_merge and threshold > 0:
        result.auto_merged = _auto_merge(workspace, threshold)
    return result


def _auto_merge(workspace: Workspace, threshold: int) -> int:
    done = 0
    merged: set[int] = set()
    candidates = MergeSuggestion.objects.filter(
        workspace=workspace, status=SuggestionStatus.OPEN, total__gte=threshold
    ).order_by("-total", "id")
    for suggestion in candidates:
        if suggestion.person_a_id in merged or suggestion.person_b_id in merged:
            continue  # superseded in this pass; the next refresh looks at the merged person
        keep, absorb = choose_kept(suggestion.person_a, suggestion.person_b)
        merge(keep=keep, absorb=absorb, by=None, suggestion=suggestion, automatic=True)
        merged.add(absorb.pk)
        done += 1
    return done


def choose_kept(a: Person, b: Person) -> tuple[Person, Person]:
    """Keep the person with more identities, then the higher score, then the one seen first."""

    def rank(p: Person) -> tuple:
        first = p.first_seen_at or timezone.now()
        return (-p.identities.count(), -p.score, first, p.pk)

    kept, absorbed = sorted([a, b], key=rank)
    return kept, absorbed


def accept_suggestion(suggestion: MergeSuggestion, *, by: Any, keep: int | None = None) -> Merge:
    require(by, suggestion.workspace, PEOPLE_EDIT)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ValidationError(_("This suggestion was already decided."))
    a, b = suggestion.person_a, suggestion.person_b
    if keep is None:
        kept, absorbed = choose_kept(a, b)
    elif keep in (a.pk, b.pk):
        kept, absorbed = (a, b) if keep == a.pk else (b, a)
    else:
        raise ValidationError({"keep": _("Choose one of the two persons of the suggestion.")})
    return merge(keep=kept, absorb=absorbed, by=by, suggestion=suggestion)


@transaction.atomic
def reject_suggestion(suggestion: MergeSuggestion, *, by: Any) -> MergeSuggestion:
    require(by, suggestion.workspace, PEOPLE_EDIT)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ValidationError(_("This suggestion was already decided."))
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.decided_by, suggestion.decided_at = by, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record(
        "person.merge_rejected",
        workspace=suggestion.workspace,
        actor=by,
        target=suggestion,
        details={"persons": [suggestion.person_a_id, suggestion.person_b_id], "total": suggestion.total},
    )
    return suggestion


# --------------------------------------------------------------------------- merge and undo


def _dump(person: Person) -> dict[str, Any]:
    out = {}
    for name in PERSON_FIELDS:
        value = getattr(person, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _load(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in values.items():
        if name in DATE_FIELDS and value:
            value = datetime.fromisoformat(value)
        out[name] = value
    return out


@transaction.atomic
def merge(
    *,
    keep: Person,
    absorb: Person,
    by: Any,
    suggestion: MergeSuggestion | None = None,
    automatic: bool = False,
) -> Merge:
    """Move everything of ``absorb`` to ``keep``; the returned Merge can be undone with ``unmerge``."""
    from federe.people.scoring import update_for_persons

    workspace = keep.workspace
    if not automatic:
        require(by, workspace, PEOPLE_EDIT)
    keep, absorb = _locked(keep.pk, absorb.pk, workspace)
    if keep.pk == absorb.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    if keep.merged_into_id or absorb.merged_into_id:
        raise ValidationError(_("One of these persons was already merged into someone else."))
    if suggestion is None:
        signals, _total = evidence_between(keep, absorb)
    else:
        signals = suggestion.signals
    kept_tags = set(PersonTag.objects.filter(person=keep).values_list("tag_id", flat=True))
    kept_fields = set(CustomField.objects.filter(person=keep).values_list("name", flat=True))
    snapshot = {
        "kept": _dump(keep),
        "absorbed": _dump(absorb),
        "identities": list(Identity.objects.filter(person=absorb).values_list("pk", flat=True)),
        "notes": list(Note.objects.filter(person=absorb).values_list("pk", flat=True)),
        "tag_links": list(
            PersonTag.objects.filter(person=absorb).exclude(tag_id__in=kept_tags).values_list("pk", flat=True)
        ),
        "fields": list(
            CustomField.objects.filter(person=absorb).exclude(name__in=kept_fields).values_list("pk", flat=True)
        ),
        "suggestions": list(
            MergeSuggestion.objects.filter(Q(person_a=absorb) | Q(person_b=absorb), status=SuggestionStatus.OPEN)
            .exclude(pk=suggestion.pk if suggestion else None)
            .values_list("pk", flat=True)
        ),
    }
    Identity.objects.filter(pk__in=snapshot["identities"]).update(person=keep)
    Note.objects.filter(pk__in=snapshot["notes"]).update(person=keep)
    PersonTag.objects.filter(pk__in=snapshot["tag_links"]).update(person=keep)
    CustomField.objects.filter(pk__in=snapshot["fields"]).update(person=keep)
    MergeSuggestion.objects.filter(pk__in=snapshot["suggestions"]).update(status=SuggestionStatus.SUPERSEDED)
    firsts = [d for d in (keep.first_seen_at, absorb.first_seen_at) if d]
    lasts = [d for d in (keep.last_seen_at, absorb.last_seen_at) if d]
    Person.objects.filter(pk=keep.pk).update(
        first_seen_at=min(firsts) if firsts else None, last_seen_at=max(lasts) if lasts else None
    )
    Person.objects.filter(pk=absorb.pk).update(merged_into=keep)
    record = Merge.objects.create(
        workspace=workspace,
        kept=keep,
        absorbed=absorb,
        suggestion=suggestion,
        automatic=automatic,
        signals=signals,
        snapshot=snapshot,
        by=by if not automatic else None,
    )
    if suggestion is not None:
        suggestion.status = SuggestionStatus.AUTO_MERGED if automatic else SuggestionStatus.ACCEPTED
        suggestion.decided_by = by if not automatic else None
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    update_for_persons(workspace, [keep.pk, absorb.pk])
    audit.record(
        "person.auto_merged" if automatic else "person.merged",
        workspace=workspace,
        actor=by,
        actor_label="system" if automatic else "",
        target=keep,
        details={
            "merge": record.pk,
            "kept": keep.pk,
            "absorbed": absorb.pk,
            "identities": len(snapshot["identities"]),
            "signals": [s["code"] for s in signals],
            "suggestion": suggestion.pk if suggestion else None,
        },
    )
    return record


def _locked(first: int, second: int, workspace: Workspace) -> tuple[Person, Person]:
    """Both persons, locked in id order (two merges at once never deadlock)."""
    rows = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(workspace=workspace, pk__in=[first, second]).order_by("pk")
    }
    if first not in rows or second not in rows:
        raise ValidationError(_("Both persons must belong to this workspace."))
    return rows[first], rows[second]


@transaction.atomic
def unmerge(record: Merge, *, by: Any, system: bool = False) -> Merge:
    """Put back exactly what the merge moved; what was added to the kept person since stays with them."""
    from federe.inbox.models import Message
    from federe.people.scoring import update_for_persons

    workspace = record.workspace
    if not system:
        require(by, workspace, PEOPLE_EDIT)
    record = Merge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    kept, absorbed = _locked(record.kept_id, record.absorbed_id, workspace)
    if kept.merged_into_id:
        later = kept.merged_into
        raise ValidationError(
            _("%(kept)s was merged into %(later)s since: undo that merge first.")
            % {"kept": kept.display_name, "later": later.display_name if later else "?"}
        )
    if absorbed.merged_into_id != kept.pk:
        raise ValidationError(_("This merge no longer matches the data; nothing was changed."))
    snap = record.snapshot
    Identity.objects.filter(pk__in=snap["identities"], person=kept).update(person=absorbed)
    Note.objects.filter(pk__in=snap["notes"], person=kept).update(person=absorbed)
    PersonTag.objects.filter(pk__in=snap["tag_links"], person=kept).update(person=absorbed)
    CustomField.objects.filter(pk__in=snap["fields"], person=kept).update(person=absorbed)
    MergeSuggestion.objects.filter(pk__in=snap["suggestions"], status=SuggestionStatus.SUPERSEDED).update(
        status=SuggestionStatus.OPEN
    )
    since = record.created_at
    for person, saved in ((kept, snap["kept"]), (absorbed, snap["absorbed"])):
        values = _load({k: saved[k] for k in RESTORED_FIELDS if k in saved})
        newer = Message.objects.filter(author__person=person, created_at__gt=since).aggregate(m=Max("posted_at"))["m"]
        if newer and (values.get("last_seen_at") is None or newer > values["last_seen_at"]):
            values["last_seen_at"] = newer
        Person.objects.filter(pk=person.pk).update(**values)
    Person.objects.filter(pk=absorbed.pk).update(merged_into=None)
    if record.suggestion_id:
        MergeSuggestion.objects.filter(pk=record.suggestion_id).update(
            status=SuggestionStatus.UNDONE, decided_by=by if not system else None, decided_at=timezone.now()
        )
    record.undone_at, record.undone_by = timezone.now(), by if not system else None
    record.save(update_fields=["undone_at", "undone_by", "updated_at"])
    update_for_persons(workspace, [kept.pk, absorbed.pk])
    audit.record(
        "person.unmerged",
        workspace=workspace,
        actor=by,
        target=kept,
        details={"merge": record.pk, "kept": kept.pk, "restored": absorbed.pk, "identities": len(snap["identities"])},
    )
    return record
