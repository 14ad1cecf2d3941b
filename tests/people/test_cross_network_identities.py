"""One person seen through a chat room, a forum, a mailing list and a blog is suggested for merging, with the
evidence that links each pair: the same e-mail, the same handle however the network writes it, the same name."""

from __future__ import annotations

import pytest

from federe.people.identities import evidence, suggestions
from federe.people.models import MergeSuggestion

pytestmark = pytest.mark.django_db


def test_a_handle_is_the_same_however_the_network_writes_it():
    assert evidence.norm_handle("@Alice:example.org") == "alice"  # a chat id and its server
    assert evidence.norm_handle("alice@example.org") == "alice"  # an address used as a handle
    assert evidence.norm_handle("@alice") == evidence.norm_handle("ALICE") == "alice"
    assert evidence.norm_handle("@al:example.org") == ""  # too short to mean anything, as before


def test_four_networks_one_person(community, workspace):
    chat, forum = community.channel("Chat rooms"), community.channel("Forum")
    mailing, blog = community.channel("Mailing list"), community.channel("Blog")
    room = community.person("Alice Martin", connection=chat, handle="@alice:example.org")
    member = community.person("Alice Martin", connection=forum, handle="alice")
    subscriber = community.person("", connection=mailing, handle="alice@example.org", email="alice@example.org")
    commenter = community.person("Alice M.", connection=blog, email="Alice@Example.org")
    community.person("Bob Stone", connection=forum, handle="bobby")  # nobody else: no suggestion

    suggestions.refresh_suggestions(workspace, auto_merge=False)

    found = {(s.person_a_id, s.person_b_id): s for s in MergeSuggestion.objects.all()}

    def evidence_of(a, b):
        suggestion = found[(min(a.pk, b.pk), max(a.pk, b.pk))]
        return {s["code"]: s["params"]["value"] for s in suggestion.signals}

    assert evidence_of(room, member) == {"same_handle": "alice", "similar_name": "Alice Martin"}
    assert evidence_of(room, subscriber) == {"same_handle": "alice"}
    assert evidence_of(member, subscriber) == {"same_handle": "alice"}
    assert evidence_of(subscriber, commenter) == {"same_email": "alice@example.org"}
    assert len(found) == 4  # Bob is no one else; the commenter shares nothing with the chat id
    assert evidence.describe(found[(min(room.pk, member.pk), max(room.pk, member.pk))].signals[0]) == (
        "same handle on two channels: alice"
    )
