"""Everything that changes people: notes, tags, custom fields, segments, scoring settings, export and erasure.

Merges live in ``people.merging`` and scores in ``people.scoring``; every function here checks the role
(``people.permissions``) and writes the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import require
from federe.core import audit
from federe.core.models import AuditEvent
from federe.people import queries, scoring
from federe.people.models import (
    CustomField,
    Identity,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    ReplyEdge,
    ScoringSettings,
    Segment,
    Tag,
)
from federe.people.permissions import PEOPLE_EDIT, PEOPLE_SETTINGS, PERSON_ERASE, PERSON_EXPORT

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
    from federe.people import merging

    require(by, workspace, PEOPLE_EDIT)
    result = merging.refresh_suggestions(workspace)
    audit.record(
        "people.suggestions_refreshed",
        workspace=workspace,
        actor=by,
        details={"created": result.created, "removed": result.removed, "auto_merged": result.auto_merged},
    )
    return result


# --------------------------------------------------------------------------- privacy


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_person(*, person: Person, by: Any) -> dict[str, Any]:
    """Everything Fédère holds about a person, as JSON-ready data (also what it holds on merged-in persons)."""
    from federe.inbox.models import Message
    from federe.moderation.models import Decision

    require(by, person.workspace, PERSON_EXPORT)
    family = _family(person)
    identities = list(Identity.objects.filter(person__in=family).select_related("connection").order_by("id"))
    identity_ids = [i.pk for i in identities]
    messages = Message.objects.filter(author_id__in=identity_ids).select_related("connection", "conversation")
    decisions = Decision.objects.filter(message__author_id__in=identity_ids).order_by("created_at", "id")
    data = {
        "exported_at": timezone.now().isoformat(),
        "workspace": person.workspace.slug,
        "person": {
            "id": person.pk,
            "display_name": person.display_name,
            "first_seen_at": _iso(person.first_seen_at),
            "last_seen_at": _iso(person.last_seen_at),
            "score": person.score,
            "level": person.level,
            "reach": person.reach,
            "merged_persons": [p.pk for p in family if p.pk != person.pk],
        },
        "identities": [
            {
                "id": i.pk,
                "channel": i.connection.name,
                "network": i.connection.network,
                "external_id": i.external_id,
                "handle": i.handle,
                "display_name": i.display_name,
                "profile_url": i.profile_url,
                "email": i.email,
                "avatar_url": i.avatar_url,
            }
            for i in identities
        ],
        "messages": [
            {
                "id": m.pk,
                "channel": m.connection.name,
                "conversation": m.conversation.title,
                "external_id": m.external_id,
                "in_reply_to": m.parent_external_id,
                "posted_at": _iso(m.posted_at),
                "language": m.language,
                "network_status": m.network_status,
                "url": m.url,
                "text": m.body_text,
            }
            for m in messages.order_by("posted_at", "id").iterator(chunk_size=1000)
        ],
        "moderation_decisions": [
            {
                "message": d.message_id,
                "action": d.action,
                "reasons": d.reason_texts,
                "at": _iso(d.created_at),
            }
            for d in decisions.select_related("rule_version__rule", "actor")
        ],
        "notes": [
            {"body": n.body, "by": n.author.get_username() if n.author else None, "at": _iso(n.created_at)}
            for n in Note.objects.filter(person__in=family).select_related("author").order_by("created_at", "id")
        ],
        "tags": sorted({link.tag.name for link in PersonTag.objects.filter(person__in=family).select_related("tag")}),
        "custom_fields": {f.name: f.value for f in CustomField.objects.filter(person__in=family).order_by("-id")},
    }
    audit.record(
        "person.exported",
        workspace=person.workspace,
        actor=by,
        target=person,
        details={"identities": len(identities), "messages": len(data["messages"])},
    )
    return data


def _family(person: Person) -> list[Person]:
    """The person and every person merged into them, directly or through earlier merges."""
    found = [person]
    frontier = [person.pk]
    while frontier:
        children = list(Person.objects.filter(merged_into_id__in=frontier, workspace_id=person.workspace_id))
        found.extend(children)
        frontier = [c.pk for c in children]
    return found


ERASED = "[erased]"


@transaction.atomic
def erase_person(*, person: Person, by: Any, confirm: str) -> dict[str, int]:
    """The right to be forgotten: delete the person, their identities, notes, tags and fields; anonymise their
    messages (the text, links and author are removed, the row stays so that threads and counts hold); delete the
    old versions of their messages; blank the titles of the threads they started; scrub their name and text from
    earlier audit events. The erasure itself is audited with counts only.
    """
    from federe.inbox.models import Conversation, Message, MessageRevision

    workspace = person.workspace
    require(by, workspace, PERSON_ERASE)
    if (confirm or "").strip() != person.display_name.strip() and (confirm or "").strip() != str(person.pk):
        raise ValidationError(
            {"confirm": _("Type the person's name (or their number) exactly to confirm the erasure.")}
        )
    if person.merged_into_id:
        raise ValidationError(
            _("This person was merged into someone else: erase that person, or undo the merge first.")
        )
    family = _family(person)
    family_ids = [p.pk for p in family]
    identity_ids = list(Identity.objects.filter(person_id__in=family_ids).values_list("pk", flat=True))
    # Persons they replied to, or who replied to them: their scores and reach change.
    neighbours = set(
        ReplyEdge.objects.filter(source_id__in=identity_ids).values_list("target__person_id", flat=True)
    ) | set(ReplyEdge.objects.filter(target_id__in=identity_ids).values_list("source__person_id", flat=True))
    neighbours -= set(family_ids)
    messages = Message.objects.filter(author_id__in=identity_ids)
    message_ids = list(messages.values_list("pk", flat=True))
    started = list(messages.filter(parent_external_id="").values_list("conversation_id", flat=True))
    counts = {
        "persons": len(family_ids),
        "identities": len(identity_ids),
        "messages": len(message_ids),
        "notes": Note.objects.filter(person_id__in=family_ids).count(),
    }
    for start in range(0, len(message_ids), 1000):
        chunk = message_ids[start : start + 1000]
        MessageRevision.objects.filter(message_id__in=chunk).delete()
        Message.objects.filter(pk__in=chunk).update(body_html="", body_text="", url="", author=None, edited_at=None)
    Conversation.objects.filter(pk__in=started, workspace=workspace).update(title="")
    # Earlier audit events name the person, or quote their messages, in object_repr: scrub them.
    AuditEvent.objects.filter(workspace=workspace).filter(
        Q(object_type="people.person", object_id__in=[str(pk) for pk in family_ids])
        | Q(object_type="inbox.message", object_id__in=[str(pk) for pk in message_ids])
    ).update(object_repr=ERASED)
    MergeSuggestion.objects.filter(Q(person_a_id__in=family_ids) | Q(person_b_id__in=family_ids)).delete()
    Merge.objects.filter(Q(kept_id__in=family_ids) | Q(absorbed_id__in=family_ids)).delete()
    Identity.objects.filter(pk__in=identity_ids).delete()  # their reply edges go with them
    Person.objects.filter(pk__in=family_ids).update(merged_into=None)
    Person.objects.filter(pk__in=family_ids).delete()  # notes, tags and fields go with them
    scoring.update_for_persons(workspace, neighbours)
    audit.record("person.erased", workspace=workspace, actor=by, details={"person": person.pk, **counts})
    return counts
