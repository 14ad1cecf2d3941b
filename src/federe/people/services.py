"""What the community team changes on people: notes, tags, custom fields, segments, the scoring settings, and
the recomputations they ask for.

Merges live in ``people.identities``, scores in ``people.engagement`` and export and erasure in
``people.privacy``; every function here checks the role (``people.permissions``) and writes the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit
from federe.people import queries
from federe.people.engagement import scoring
from federe.people.identities import suggestions
from federe.people.models import CustomField, Note, Person, PersonTag, ScoringSettings, Segment, Tag
from federe.people.permissions import PEOPLE_EDIT, PEOPLE_SETTINGS

MAX_NOTE = 5000


# --------------------------------------------------------------------------- notes, tags, fields


def add_note(*, person: Person, body: str, by: Any) -> Note:
    require(by, person.workspace, PEOPLE_EDIT)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    if len(body) > MAX_NOTE:
        raise ValidationError({"body": _("A note is at most %(n)d characters.") % {"n": MAX_NOTE}})
    note = Note.objects.create(workspace=person.workspace, person=person, author=by, body=body)
    audit.record("person.note_added", workspace=person.workspace, actor=by, target=person, details={"note": note.pk})
    return note


def delete_note(*, note: Note, by: Any) -> None:
    require(by, note.workspace, PEOPLE_EDIT)
    person = note.person
    audit.record("person.note_deleted", workspace=note.workspace, actor=by, target=person, details={"note": note.pk})
    note.delete()


def clean_tag(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the tag a name.")})
    if len(name) > 60:
        raise ValidationError({"name": _("A tag is at most 60 characters.")})
    return name


@transaction.atomic
def add_tag(*, person: Person, name: str, by: Any) -> PersonTag:
    require(by, person.workspace, PEOPLE_EDIT)
    name = clean_tag(name)
    tag = Tag.objects.filter(workspace=person.workspace, name__iexact=name).first()
    if tag is None:
        tag = Tag.objects.create(workspace=person.workspace, name=name)
    link, created = PersonTag.objects.get_or_create(person=person, tag=tag, defaults={"added_by": by})
    if created:
        audit.record("person.tagged", workspace=person.workspace, actor=by, target=person, details={"tag": tag.name})
    return link


def remove_tag(*, person: Person, tag: Tag, by: Any) -> bool:
    require(by, person.workspace, PEOPLE_EDIT)
    deleted, _n = PersonTag.objects.filter(person=person, tag=tag).delete()
    if deleted:
        audit.record("person.untagged", workspace=person.workspace, actor=by, target=person, details={"tag": tag.name})
    return bool(deleted)


def set_field(*, person: Person, name: str, value: str, by: Any) -> CustomField | None:
    """Set a custom field; an empty value removes it."""
    require(by, person.workspace, PEOPLE_EDIT)
    name = " ".join((name or "").split())
    value = (value or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the field a name.")})
    if len(name) > 60:
        raise ValidationError({"name": _("A field name is at most 60 characters.")})
    if len(value) > 500:
        raise ValidationError({"value": _("A field value is at most 500 characters.")})
    current = CustomField.objects.filter(person=person, name__iexact=name).first()
    if not value:
        if current is not None:
            current.delete()
            audit.record(
                "person.field_cleared", workspace=person.workspace, actor=by, target=person, details={"field": name}
            )
        return None
    if current is None:
        current = CustomField(workspace=person.workspace, person=person, name=name)
    current.value, current.set_by = value, by
    current.save()
    audit.record("person.field_set", workspace=person.workspace, actor=by, target=person, details={"field": name})
    return current


# --------------------------------------------------------------------------- segments


def save_segment(*, workspace: Workspace, name: str, filters: queries.PeopleFilters, by: Any) -> Segment:
    require(by, workspace, PEOPLE_EDIT)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("A segment name is at most 120 characters.")})
    if filters.errors:
        raise ValidationError(list(filters.errors))
    stored = filters.segment_dict()
    if not stored:
        raise ValidationError(_("Choose at least one filter (the name search is not saved) before saving a segment."))
    if Segment.objects.filter(workspace=workspace, name__iexact=name).exists():
        raise ValidationError({"name": _("A segment with this name already exists.")})
    segment = Segment.objects.create(workspace=workspace, name=name, filters=stored, created_by=by)
    audit.record("segment.saved", workspace=workspace, actor=by, target=segment, details={"filters": stored})
    return segment


def delete_segment(*, segment: Segment, by: Any) -> None:
    require(by, segment.workspace, PEOPLE_EDIT)
    audit.record("segment.deleted", workspace=segment.workspace, actor=by, target=segment)
    segment.delete()


# --------------------------------------------------------------------------- scoring settings


LIMITS: dict[str, tuple[float, float]] = {
    "weight_post": (-100, 100),
    "weight_reply": (-100, 100),
    "weight_received": (-100, 100),
    "weight_approved": (-100, 100),
    "weight_removed": (-100, 100),
    "weight_attended": (-100, 100),
    "half_life_days": (1, 3650),
    "reach_days": (1, 3650),
    "threshold_occasional": (0, 1e6),
    "threshold_regular": (0, 1e6),
    "threshold_champion": (0, 1e6),
    "quiet_days": (1, 3650),
    "signal_days": (1, 365),
    "auto_merge_threshold": (0, 1000),
}
INTEGER_FIELDS = {"reach_days", "quiet_days", "signal_days", "auto_merge_threshold"}


def validate_settings(values: dict[str, Any]) -> dict[str, float | int]:
    """Check every value; raise one ValidationError naming each bad field (nothing is saved then)."""
    errors: dict[str, str] = {}
    clean: dict[str, float | int] = {}
    for name, raw in values.items():
        if name not in LIMITS:
            continue
        low, high = LIMITS[name]
        try:
            number = float(str(raw).replace(",", ".").strip())
            if number != number:
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = _("Enter a number.")
            continue
        if name in INTEGER_FIELDS and number != int(number):
            errors[name] = _("Enter a whole number.")
            continue
        if not low <= number <= high:
            errors[name] = _("Between %(low)s and %(high)s.") % {"low": f"{low:g}", "high": f"{high:g}"}
            continue
        clean[name] = int(number) if name in INTEGER_FIELDS else number
    occasional = clean.get("threshold_occasional")
    regular = clean.get("threshold_regular")
    champion = clean.get("threshold_champion")
    if None not in (occasional, regular, champion) and not occasional <= regular <= champion:  # type: ignore[operator]
        errors["threshold_regular"] = _("The thresholds must go up: occasional ≤ regular ≤ champion.")
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def update_settings(
    *, workspace: Workspace, values: dict[str, Any], by: Any, recompute: bool = True
) -> ScoringSettings:
    require(by, workspace, PEOPLE_SETTINGS)
    current = scoring.settings_for(workspace)
    merged = {name: getattr(current, name) for name in ScoringSettings.EDITABLE_FIELDS}
    merged.update({k: v for k, v in values.items() if k in ScoringSettings.EDITABLE_FIELDS})
    clean = validate_settings(merged)
    before = {name: getattr(current, name) for name in ScoringSettings.EDITABLE_FIELDS}
    for name, value in clean.items():
        setattr(current, name, value)
    current.save()
    changed = {name: [before[name], clean[name]] for name in clean if before[name] != clean[name]}
    audit.record("people.settings_changed", workspace=workspace, actor=by, details={"changed": changed})
    if recompute and changed:
        scoring.recompute(workspace)
    return current


def recompute(*, workspace: Workspace, by: Any) -> scoring.RecomputeResult:
    require(by, workspace, PEOPLE_SETTINGS)
    result = scoring.recompute(workspace)
    audit.record(
        "people.recomputed",
        workspace=workspace,
        actor=by,
        details={"persons": result.persons, "seconds": round(result.seconds, 2)},
    )
    return result


def refresh_suggestions(*, workspace: Workspace, by: Any) -> Any:
    require(by, workspace, PEOPLE_EDIT)
    result = suggestions.refresh_suggestions(workspace)
    audit.record(
        "people.suggestions_refreshed",
        workspace=workspace,
        actor=by,
        details={"created": result.created, "removed": result.removed, "auto_merged": result.auto_merged},
    )
    return result
