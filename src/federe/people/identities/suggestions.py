"""Merge suggestions: refreshed from the evidence, decided by the team, or merged automatically.

When the workspace's ``auto_merge_threshold`` is above 0, suggestions reaching it are merged automatically; those
merges are listed and can be undone like any other. Decisions already made are kept: rejected stays rejected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit, rows
from federe.people.engagement.scoring import settings_for
from federe.people.identities.evidence import evidence_in
from federe.people.identities.merging import merge
from federe.people.models import Merge, MergeSuggestion, Person, SuggestionStatus
from federe.people.permissions import PEOPLE_EDIT


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    auto_merged: int = 0


@transaction.atomic
def refresh_suggestions(workspace: Workspace, *, auto_merge: bool = True) -> RefreshResult:
    """Find the pairs of persons that may be one; keep decisions already made (rejected stays rejected)."""
    result = RefreshResult()
    found = evidence_in(workspace)
    existing = {
        (a, b): (pk, status, signals, total)
        for pk, a, b, status, signals, total in MergeSuggestion.objects.filter(workspace=workspace)
        .order_by()
        .values_list("id", "person_a_id", "person_b_id", "status", "signals", "total")
    }
    new, changed = [], []
    for pair, (signals, total) in found.items():
        current = existing.get(pair)
        if current is None:
            new.append((pair, signals, total))
        elif current[1] == SuggestionStatus.OPEN and (current[2] != signals or current[3] != total):
            changed.append(MergeSuggestion(pk=current[0], signals=signals, total=total))
    _insert(workspace, new)
    MergeSuggestion.objects.bulk_update(changed, ["signals", "total"], batch_size=500)
    stale = [s[0] for pair, s in existing.items() if s[1] == SuggestionStatus.OPEN and pair not in found]
    MergeSuggestion.objects.filter(pk__in=stale).delete()
    result.created, result.updated, result.removed = len(new), len(changed), len(stale)
    threshold = settings_for(workspace).auto_merge_threshold
    if auto_merge and threshold > 0:
        result.auto_merged = _auto_merge(workspace, threshold)
    return result


_INSERTED = ("created_at", "updated_at", "workspace_id", "person_a_id", "person_b_id", "signals", "total", "status")


def _insert(workspace: Workspace, new: list[tuple[tuple[int, int], list[dict[str, Any]], int]]) -> None:
    """Create the new suggestions in one ``core.rows.insert`` (COPY on PostgreSQL), without a model instance for
    each (a first search in a large community creates thousands). The signals go as JSON text, as the field would
    write them."""
    stamp = MergeSuggestion._meta.get_field("created_at").get_db_prep_save(  # type: ignore[union-attr]
        timezone.now(), connection
    )
    status = str(SuggestionStatus.OPEN)
    rows.insert(
        MergeSuggestion._meta.db_table,
        _INSERTED,
        [(stamp, stamp, workspace.pk, a, b, json.dumps(signals), total, status) for (a, b), signals, total in new],
    )


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
