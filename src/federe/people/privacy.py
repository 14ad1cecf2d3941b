"""Privacy: everything Fédère holds about a person (export), and the right to be forgotten (erasure).

Both act on the person's whole family: the person and everyone merged into them, directly or through earlier
merges, so that nothing held under an older identity is left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import require
from federe.core import audit
from federe.inbox import services as inbox
from federe.people.engagement.scoring import update_for_persons
from federe.people.models import CustomField, Identity, Merge, MergeSuggestion, Note, Person, PersonTag, ReplyEdge
from federe.people.permissions import PERSON_ERASE, PERSON_EXPORT


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_person(*, person: Person, by: Any) -> dict[str, Any]:
    """Everything Fédère holds about a person, as JSON-ready data (also what it holds on merged-in persons)."""
    require(by, person.workspace, PERSON_EXPORT)
    family = _family(person)
    identities = list(Identity.objects.filter(person__in=family).select_related("connection").order_by("id"))
    identity_ids = [i.pk for i in identities]
    data = {
        "exported_at": timezone.now().isoformat(),
        "workspace": person.workspace.slug,
        "person": _person_data(person, family),
        "identities": [_identity_data(i) for i in identities],
        "messages": _messages_data(identity_ids),
        "moderation_decisions": _decisions_data(identity_ids),
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


def _person_data(person: Person, family: list[Person]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "display_name": person.display_name,
        "first_seen_at": _iso(person.first_seen_at),
        "last_seen_at": _iso(person.last_seen_at),
        "score": person.score,
        "level": person.level,
        "reach": person.reach,
        "merged_persons": [p.pk for p in family if p.pk != person.pk],
    }


def _identity_data(identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.pk,
        "channel": identity.connection.name,
        "network": identity.connection.network,
        "external_id": identity.external_id,
        "handle": identity.handle,
        "display_name": identity.display_name,
        "profile_url": identity.profile_url,
        "email": identity.email,
        "avatar_url": identity.avatar_url,
    }


def _messages_data(identity_ids: list[int]) -> list[dict[str, Any]]:
    from federe.inbox.models import Message

    messages = Message.objects.filter(author_id__in=identity_ids).select_related("connection", "conversation")
    return [
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
    ]


def _decisions_data(identity_ids: list[int]) -> list[dict[str, Any]]:
    from federe.moderation.models import Decision

    decisions = Decision.objects.filter(message__author_id__in=identity_ids).order_by("created_at", "id")
    return [
        {"message": d.message_id, "action": d.action, "reasons": d.reason_texts, "at": _iso(d.created_at)}
        for d in decisions.select_related("rule_version__rule", "actor")
    ]


def _family(person: Person) -> list[Person]:
    """The person and every person merged into them, directly or through earlier merges."""
    found = [person]
    frontier = [person.pk]
    while frontier:
        children = list(Person.objects.filter(merged_into_id__in=frontier, workspace_id=person.workspace_id))
        found.extend(children)
        frontier = [c.pk for c in children]
    return found


@transaction.atomic
def erase_person(*, person: Person, by: Any, confirm: str) -> dict[str, int]:
    """The right to be forgotten: delete the person, their identities, notes, tags and fields; anonymise their
    messages (the text, links and author are removed, the row stays so that threads and counts hold); delete the
    old versions of their messages; blank the titles of the threads they started; scrub their name and text from
    earlier audit events. The erasure itself is audited with counts only.
    """
    from federe.inbox.models import Message

    workspace = person.workspace
    require(by, workspace, PERSON_ERASE)
    _check_erasable(person, confirm)
    family_ids = [p.pk for p in _family(person)]
    identity_ids = list(Identity.objects.filter(person_id__in=family_ids).values_list("pk", flat=True))
    neighbours = _neighbours(identity_ids) - set(family_ids)
    message_ids = list(Message.objects.filter(author_id__in=identity_ids).values_list("pk", flat=True))
    counts = {
        "persons": len(family_ids),
        "identities": len(identity_ids),
        "messages": len(message_ids),
        "notes": Note.objects.filter(person_id__in=family_ids).count(),
    }
    inbox.anonymise_messages(workspace.pk, identity_ids)
    audit.scrub_targets(workspace, {"people.person": family_ids, "inbox.message": message_ids})
    MergeSuggestion.objects.filter(Q(person_a_id__in=family_ids) | Q(person_b_id__in=family_ids)).delete()
    Merge.objects.filter(Q(kept_id__in=family_ids) | Q(absorbed_id__in=family_ids)).delete()
    Identity.objects.filter(pk__in=identity_ids).delete()  # their reply edges go with them
    Person.objects.filter(pk__in=family_ids).update(merged_into=None)
    Person.objects.filter(pk__in=family_ids).delete()  # notes, tags and fields go with them
    update_for_persons(workspace, neighbours)
    audit.record("person.erased", workspace=workspace, actor=by, details={"person": person.pk, **counts})
    return counts


def _check_erasable(person: Person, confirm: str) -> None:
    if (confirm or "").strip() != person.display_name.strip() and (confirm or "").strip() != str(person.pk):
        raise ValidationError(
            {"confirm": _("Type the person's name (or their number) exactly to confirm the erasure.")}
        )
    if person.merged_into_id:
        raise ValidationError(
            _("This person was merged into someone else: erase that person, or undo the merge first.")
        )


def _neighbours(identity_ids: list[int]) -> set[int]:
    """Persons they replied to, or who replied to them: their scores and reach change with the erasure."""
    return set(ReplyEdge.objects.filter(source_id__in=identity_ids).values_list("target__person_id", flat=True)) | set(
        ReplyEdge.objects.filter(target_id__in=identity_ids).values_list("source__person_id", flat=True)
    )
