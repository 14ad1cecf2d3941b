"""Export everything about a person; erase a person everywhere, with an audit record that holds no erased data."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.inbox.models import Conversation, Message, MessageRevision
from federe.moderation import services as moderation
from federe.people import privacy, services
from federe.people.engagement import scoring
from federe.people.identities import merging
from federe.people.models import Identity, Merge, MergeSuggestion, Note, Person, ReplyEdge

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(community, owner):
    ana = community.person("Ana Secret", handle="ana_s", email="ana@secret.example")
    twin = community.person("Ana S.", connection=community.channel("Forum"), handle="ana_s")
    post = community.say(ana, days_ago=3)
    community.say(twin, days_ago=2, parent=post)
    services.add_note(person=ana, body="lives in Lyon", by=owner)
    services.add_tag(person=ana, name="vip", by=owner)
    services.set_field(person=ana, name="phone", value="06 00 00 00 00", by=owner)
    merging.merge(keep=ana, absorb=twin, by=owner)
    return ana


def test_export_holds_everything(ana, owner, community):
    bob = community.person("Bob")
    community.say(bob, days_ago=1, parent=Message.objects.filter(author__person=ana).first())
    data = privacy.export_person(person=ana, by=owner)
    json.dumps(data)  # JSON-ready
    assert {i["handle"] for i in data["identities"]} == {"ana_s"}
    assert len(data["identities"]) == 2 and data["identities"][0]["email"] == "ana@secret.example"
    assert len(data["messages"]) == 2
    assert data["notes"][0]["body"] == "lives in Lyon"
    assert data["tags"] == ["vip"] and data["custom_fields"] == {"phone": "06 00 00 00 00"}
    assert len(data["person"]["merged_persons"]) == 1
    assert "Bob" not in json.dumps(data)
    assert AuditEvent.objects.filter(verb="person.exported").count() == 1


def test_erase_removes_the_person_everywhere(ana, owner, community, workspace):
    bob = community.person("Bob")
    theirs = list(Message.objects.filter(author__person=ana).values_list("pk", flat=True))
    reply = community.say(bob, days_ago=1, parent=Message.objects.get(pk=theirs[0]))
    moderation.decide(messages=[Message.objects.get(pk=theirs[0])], action="approve", by=owner)
    MessageRevision.objects.create(
        message_id=theirs[0], body_html="<p>old text of Ana Secret</p>", network_status="published"
    )
    scoring.recompute(workspace)
    bob_reach_before = Person.objects.get(pk=bob.pk).reach
    family = [ana.pk, *Person.objects.filter(merged_into=ana).values_list("pk", flat=True)]

    counts = privacy.erase_person(person=ana, by=owner, confirm="Ana Secret")

    assert counts == {"persons": 2, "identities": 2, "messages": 2, "notes": 1}
    assert not Person.objects.filter(pk__in=family).exists()
    assert not Identity.objects.filter(person_id__in=family).exists()
    assert not Note.objects.exists() and not Merge.objects.exists() and not MergeSuggestion.objects.exists()
    assert not MessageRevision.objects.filter(message_id__in=theirs).exists()
    for message in Message.objects.filter(pk__in=theirs):
        assert (message.body_text, message.body_html, message.author_id, message.url) == ("", "", None, "")
    assert Message.objects.get(pk=reply.pk).body_text.startswith("message")  # others' messages stay
    assert not ReplyEdge.objects.filter(message_id=reply.pk).exists()
    assert Person.objects.get(pk=bob.pk).reach == bob_reach_before  # bob replied; his reach was never from Ana
    # nothing of hers anywhere: names, e-mail, note, field, message text
    secrets = ["Ana Secret", "ana@secret.example", "lives in Lyon", "06 00 00 00 00", "by Ana"]
    for event in AuditEvent.objects.all():
        text = json.dumps([event.object_repr, event.details], ensure_ascii=False)
        assert not any(secret in text for secret in secrets), text
    for title in Conversation.objects.values_list("title", flat=True):
        assert "Ana" not in title
    erased = AuditEvent.objects.get(verb="person.erased")
    assert erased.details == {"person": ana.pk, **counts} and erased.actor == owner


def test_erase_needs_the_owner_and_a_confirmation(ana, member_factory, owner):
    with pytest.raises(PermissionDenied):
        privacy.erase_person(person=ana, by=member_factory(Role.COMMUNITY_MANAGER), confirm="Ana Secret")
    with pytest.raises(ValidationError):
        privacy.erase_person(person=ana, by=owner, confirm="Ana")
    absorbed = Person.objects.get(merged_into=ana)
    with pytest.raises(ValidationError):
        privacy.erase_person(person=absorbed, by=owner, confirm=absorbed.display_name)
    assert Person.objects.filter(pk=ana.pk).exists() and Identity.objects.filter(person=ana).count() == 2
