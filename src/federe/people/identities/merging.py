"""Merges that can always be undone.

A merge moves the absorbed person's identities, notes, tags, custom fields and event registrations (folded once
per event: ``events/merges.py``) to the kept person. The absorbed
person's row stays (``merged_into``), hidden from lists, and the ``Merge`` row records exactly what moved, so
that undoing it puts everything back. A tag or field the kept person already had stays with the absorbed
person, and so comes back with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit
from federe.events import merges as registrations
from federe.people.engagement.scoring import update_for_persons
from federe.people.identities.evidence import evidence_between
from federe.people.models import (
    CustomField,
    Identity,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    SuggestionStatus,
)
from federe.people.permissions import PEOPLE_EDIT

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


# The rows a merge moves from the absorbed person to the kept one, by snapshot key.
MOVED = (("identities", Identity), ("notes", Note), ("tag_links", PersonTag), ("fields", CustomField))


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
    workspace = keep.workspace
    if not automatic:
        require(by, workspace, PEOPLE_EDIT)
    keep, absorb = _locked(keep.pk, absorb.pk, workspace)
    _check_mergeable(keep, absorb)
    signals = evidence_between(keep, absorb)[0] if suggestion is None else suggestion.signals
    snapshot = _snapshot(keep, absorb, suggestion)
    _move(snapshot, keep, absorb)
    snapshot["registrations"] = registrations.carry(workspace, keep, absorb)
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
            "registrations": len(snapshot["registrations"]["moved"]),
            "registrations_folded": snapshot["registrations"]["folded"],
            "signals": [s["code"] for s in signals],
            "suggestion": suggestion.pk if suggestion else None,
        },
    )
    return record


def _check_mergeable(keep: Person, absorb: Person) -> None:
    if keep.pk == absorb.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    if keep.merged_into_id or absorb.merged_into_id:
        raise ValidationError(_("One of these persons was already merged into someone else."))


def _snapshot(keep: Person, absorb: Person, suggestion: MergeSuggestion | None) -> dict[str, Any]:
    """What the merge will move, by id: exactly what undoing it puts back."""
    kept_tags = set(PersonTag.objects.filter(person=keep).values_list("tag_id", flat=True))
    kept_fields = set(CustomField.objects.filter(person=keep).values_list("name", flat=True))
    open_suggestions = MergeSuggestion.objects.filter(
        Q(person_a=absorb) | Q(person_b=absorb), status=SuggestionStatus.OPEN
    )
    if suggestion is not None:
        open_suggestions = open_suggestions.exclude(pk=suggestion.pk)
    return {
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
        "suggestions": list(open_suggestions.values_list("pk", flat=True)),
    }


def _move(snapshot: dict[str, Any], keep: Person, absorb: Person) -> None:
    for key, model in MOVED:
        model.objects.filter(pk__in=snapshot[key]).update(person=keep)
    MergeSuggestion.objects.filter(pk__in=snapshot["suggestions"]).update(status=SuggestionStatus.SUPERSEDED)
    firsts = [d for d in (keep.first_seen_at, absorb.first_seen_at) if d]
    lasts = [d for d in (keep.last_seen_at, absorb.last_seen_at) if d]
    Person.objects.filter(pk=keep.pk).update(
        first_seen_at=min(firsts) if firsts else None, last_seen_at=max(lasts) if lasts else None
    )
    Person.objects.filter(pk=absorb.pk).update(merged_into=keep)


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
    workspace = record.workspace
    if not system:
        require(by, workspace, PEOPLE_EDIT)
    record = Merge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    kept, absorbed = _locked(record.kept_id, record.absorbed_id, workspace)
    _check_undoable(kept, absorbed)
    snap = record.snapshot
    for key, model in MOVED:
        model.objects.filter(pk__in=snap[key], person=kept).update(person=absorbed)
    registrations.give_back(workspace, snap.get("registrations"), kept, absorbed)
    MergeSuggestion.objects.filter(pk__in=snap["suggestions"], status=SuggestionStatus.SUPERSEDED).update(
        status=SuggestionStatus.OPEN
    )
    for person, saved in ((kept, snap["kept"]), (absorbed, snap["absorbed"])):
        Person.objects.filter(pk=person.pk).update(**_restored(person, saved, record.created_at))
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


def _check_undoable(kept: Person, absorbed: Person) -> None:
    if kept.merged_into_id:
        later = kept.merged_into
        raise ValidationError(
            _("%(kept)s was merged into %(later)s since: undo that merge first.")
            % {"kept": kept.display_name, "later": later.display_name if later else "?"}
        )
    if absorbed.merged_into_id != kept.pk:
        raise ValidationError(_("This merge no longer matches the data; nothing was changed."))


def _restored(person: Person, saved: dict[str, Any], since: datetime) -> dict[str, Any]:
    """The person's fields as the merge found them, but seen as late as their messages stored since."""
    from federe.inbox.models import Message

    values = _load({k: saved[k] for k in RESTORED_FIELDS if k in saved})
    newer = Message.objects.filter(author__person=person, created_at__gt=since).aggregate(m=Max("posted_at"))["m"]
    if newer and (values.get("last_seen_at") is None or newer > values["last_seen_at"]):
        values["last_seen_at"] = newer
    return values
