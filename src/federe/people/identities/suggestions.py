"""Merge suggestions: refreshed from the evidence, decided by the team, or merged automatically.

When the workspace's ``auto_merge_threshold`` is above 0, suggestions reaching it are merged automatically; those
merges are listed and can be undone like any other. Decisions already made are kept: rejected stays rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit
from federe.people.engagement.scoring import settings_for
from federe.people.identities.evidence import IDENTITY_FIELDS, evidence, identity_rows
from federe.people.identities.merging import merge
from federe.people.models import Identity, Merge, MergeSuggestion, Person, SuggestionStatus
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
    rows = identity_rows(
        Identity.objects.filter(workspace=workspace, person__merged_into__isnull=True).values_list(*IDENTITY_FIELDS)
    )
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
