"""The duplicate search's blocking in SQL finds what the Python blocking found.

``evidence.evidence(identity_rows(...))`` is the reference: every identity of the workspace normalised and grouped
in Python. ``evidence.evidence_in(workspace)`` groups the identities on their stored match keys in SQL and reads
only the members of groups that can make a pair. Both must give the same pairs, with the same signals (values
shown included) and totals, on any community: shared values in every spelling the normalisers fold, groups at and
over the size caps, persons with several identities, merged persons (left out), another workspace (left out),
replies both ways or one way, and identities whose raw fields were changed behind the model's back (stale keys,
recomputed by the search). Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from federe.people.identities import evidence, keys
from federe.people.identities.suggestions import refresh_suggestions
from federe.people.models import Identity, MergeSuggestion, Person, ReplyEdge
from tests.factories import ConnectionFactory, WorkspaceFactory
from tests.people.conftest import NOW

pytestmark = pytest.mark.django_db(transaction=False)

EMAILS = ["", "", "ana@example.org", " Ana@Example.ORG ", "ANA@EXAMPLE.ORG", "bob@example.org", "not-an-address"]
HANDLES = ["", "@Alice", "alice", "@alice:example.org", "alice@example.org", "al", "Bob", "@bob:matrix.org", "zoé"]
NAMES = ["", "Zoé Martin", "martin zoe", "ZOE-MARTIN", "Zoe", "Jo", "Chloé Lefèvre", "lefevre chloe",
         "Ｊｕｌｉｅ Ｒｏｙ"]  # fmt: skip
LINKS = ["", "https://www.Example.org/u/ana/", "http://example.org/u/ana", "example.org/u/ana", "https://x.org/?a=1",
         "::"]  # fmt: skip


@dataclass(frozen=True)
class Spec:
    person: int
    channel: int
    email: str
    handle: str
    name: str
    link: str
    stale: bool  # the raw fields are written behind the model's back, after the identity was created


SPEC = st.builds(
    Spec,
    person=st.integers(0, 6),
    channel=st.integers(0, 2),
    email=st.sampled_from(EMAILS),
    handle=st.sampled_from(HANDLES),
    name=st.sampled_from(NAMES),
    link=st.sampled_from(LINKS),
    stale=st.booleans(),
)
REPLIES = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=12)


def _replied_reference(pairs) -> dict[tuple[int, int], int]:
    """The replies counted as before: every link sent by the persons of the pairs, read and counted in Python."""
    wanted = set(pairs)
    persons = sorted({p for pair in wanted for p in pair})
    counts: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        ReplyEdge.objects.filter(source__person_id__in=persons)
        .values_list("source__person_id", "target__person_id")
        .order_by()
    )
    for source, target in rows:
        if (min(source, target), max(source, target)) in wanted and source != target:
            counts[(source, target)] += 1
    return {(a, b): counts[(a, b)] + counts[(b, a)] for a, b in wanted if counts[(a, b)] and counts[(b, a)]}


def _reference(workspace) -> dict:
    """The Python blocking over every identity (in id order, so that the values shown are well defined)."""
    rows = evidence.identity_rows(
        Identity.objects.filter(workspace=workspace, person__merged_into__isnull=True)
        .order_by("id")
        .values_list(*evidence.IDENTITY_FIELDS)
    )
    with mock.patch.object(evidence, "_replied_pairs", _replied_reference):
        return evidence.evidence(rows)


def _build(workspace, channels, specs: list[Spec], merged: set[int], replies, start: int) -> list[Identity]:
    persons = [Person.objects.create(workspace=workspace, display_name=f"P{n}") for n in range(7)]
    for n in merged:
        Person.objects.filter(pk=persons[n].pk).update(merged_into=persons[(n + 1) % 7])
    identities = []
    for n, spec in enumerate(specs):
        fields = {"email": spec.email, "handle": spec.handle, "display_name": spec.name, "profile_url": spec.link}
        identity = Identity.objects.create(
            workspace=workspace,
            connection=channels[spec.channel],
            person=persons[spec.person],
            external_id=f"x{n}",
            **({} if spec.stale else fields),
        )
        if spec.stale:
            Identity.objects.filter(pk=identity.pk).update(**fields)
        identities.append(identity)
    for n, (source, target) in enumerate(replies):
        if source < len(identities) and target < len(identities):
            ReplyEdge.objects.create(
                message_id=start + n,
                workspace=workspace,
                source=identities[source],
                target=identities[target],
                posted_at=NOW,
            )
    return identities


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(SPEC, min_size=2, max_size=40),
    merged=st.sets(st.integers(0, 6), max_size=2),
    replies=REPLIES,
    other=st.lists(SPEC, max_size=6),
)
@example(
    specs=[Spec(0, 0, "ana@example.org", "", "", "", False), Spec(1, 1, "ANA@example.org", "", "", "", True)],
    merged=set(),
    replies=[(0, 1), (1, 0), (1, 0)],
    other=[],
)
def test_sql_blocking_finds_what_python_found(workspace, specs, merged, replies, other):
    with transaction.atomic():
        channels = [ConnectionFactory(workspace=workspace, name=f"C{n}") for n in range(3)]
        _build(workspace, channels, specs, merged, replies, start=1)
        elsewhere = WorkspaceFactory()  # the same values in another workspace make no pair here
        _build(elsewhere, [ConnectionFactory(workspace=elsewhere) for _ in range(3)], specs + other, set(), [], 10_000)
        assert evidence.evidence_in(workspace) == _reference(workspace)
        assert evidence.evidence_in(elsewhere) == _reference(elsewhere)
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("field", "cap"),
    [("email", evidence.MAX_GROUP_STRONG), ("display_name", evidence.MAX_GROUP)],
    ids=["email", "name"],
)
@pytest.mark.parametrize("over", [0, 1], ids=["at-cap", "over-cap"])
def test_groups_at_and_over_the_cap(workspace, field, cap, over):
    channels = [ConnectionFactory(workspace=workspace, name=f"C{n}") for n in range(2)]
    value = "shared@example.org" if field == "email" else "Camille Martin"
    for n in range(cap + over):
        person = Person.objects.create(workspace=workspace, display_name=f"P{n}")
        Identity.objects.create(
            workspace=workspace, connection=channels[n % 2], person=person, external_id=f"x{n}", **{field: value}
        )
    found = evidence.evidence_in(workspace)
    assert found == _reference(workspace)
    assert bool(found) is (over == 0)  # a value shared by more than the cap is no evidence


def test_keys_changed_behind_the_model_are_recomputed(workspace, connection):
    other = ConnectionFactory(workspace=workspace, name="Other")
    a = Person.objects.create(workspace=workspace, display_name="A")
    b = Person.objects.create(workspace=workspace, display_name="B")
    Identity.objects.create(workspace=workspace, connection=connection, person=a, external_id="a", handle="ana")
    late = Identity.objects.create(workspace=workspace, connection=other, person=b, external_id="b", handle="bob")
    assert evidence.evidence_in(workspace) == {}
    Identity.objects.filter(pk=late.pk).update(handle="@Ana")  # as a raw update or an import could do
    found = evidence.evidence_in(workspace)
    assert found == _reference(workspace)
    assert [s["code"] for s in found[(a.pk, b.pk)][0]] == ["same_handle"]
    late.refresh_from_db()
    assert late.key_handle == "ana"


def test_refresh_suggestions_uses_the_sql_blocking(workspace, connection):
    other = ConnectionFactory(workspace=workspace, name="Other")
    a = Person.objects.create(workspace=workspace, display_name="A")
    b = Person.objects.create(workspace=workspace, display_name="B")
    Identity.objects.create(workspace=workspace, connection=connection, person=a, external_id="a", display_name="Zoé")
    late = Identity.objects.create(workspace=workspace, connection=other, person=b, external_id="b")
    Identity.objects.filter(pk=late.pk).update(display_name="Zoé Martin", email="z@example.org")
    Identity.objects.filter(person=a).update(display_name="zoe MARTIN", email="Z@example.org")
    assert refresh_suggestions(workspace, auto_merge=False).created == 1
    suggestion = MergeSuggestion.objects.get(workspace=workspace)
    assert (suggestion.person_a_id, suggestion.person_b_id, suggestion.total) == (a.pk, b.pk, 80)
    assert [s["code"] for s in suggestion.signals] == ["same_email", "similar_name"]
    assert suggestion.signals[1]["params"] == {"value": "zoe MARTIN"}


def test_the_writers_of_identities_store_their_keys(workspace, connection):
    from federe.connectors.types import Author
    from federe.people.identities import arrivals
    from federe.people.identities.keys import stale_q
    from federe.people.importers import members

    arrivals.create(connection, [Author("a-1", handle="@Zoé", display_name="Zoé Martin", email="Z@example.org")])
    members.upsert_identities(
        connection, [Author("a-1", handle="zoe", profile_url="https://www.example.org/zoe/"), Author("a-2")]
    )
    identity = Identity.objects.get(connection=connection, external_id="a-1")
    assert not Identity.objects.filter(stale_q()).exists()
    assert (identity.key_email, identity.key_handle, identity.key_name, identity.key_link) == (
        "z@example.org",
        "zoe",
        "",  # renamed to "": the name key falls back on the handle "zoe", too short to count
        "example.org/zoe",
    )


def test_a_refresh_updates_open_suggestions_removes_stale_ones_and_keeps_decisions(workspace, connection):
    other = ConnectionFactory(workspace=workspace, name="Other")

    def pair(name: str, handle: str):
        a = Person.objects.create(workspace=workspace, display_name=name)
        b = Person.objects.create(workspace=workspace, display_name=name)
        Identity.objects.create(workspace=workspace, connection=connection, person=a, external_id=f"{name}-a",
                                display_name=name, handle=handle)  # fmt: skip
        ib = Identity.objects.create(workspace=workspace, connection=other, person=b, external_id=f"{name}-b",
                                     display_name=name, handle=handle)  # fmt: skip
        return a, b, ib

    a, b, ib = pair("Camille Roux", "camille")
    c, _d, id_ = pair("Noé Blanc", "noeb")
    e, _f, if_ = pair("Léa Petit", "leap")
    assert refresh_suggestions(workspace, auto_merge=False).created == 3
    MergeSuggestion.objects.filter(person_a=e).update(status="rejected")
    ib.email = "same@example.org"
    ib.save()
    Identity.objects.filter(person=a).update(email="SAME@example.org")
    id_.handle, id_.display_name = "someone", "Someone Else"
    id_.save()
    if_.email = "lea@example.org"
    if_.save()
    Identity.objects.filter(person=e).update(email="lea@example.org")
    result = refresh_suggestions(workspace, auto_merge=False)
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    updated = MergeSuggestion.objects.get(person_a=a, person_b=b)
    assert (updated.total, [s["code"] for s in updated.signals]) == (110, ["same_email", "same_handle", "similar_name"])
    assert not MergeSuggestion.objects.filter(person_a=c).exists()
    rejected = MergeSuggestion.objects.get(person_a=e)
    assert (rejected.status, rejected.total) == ("rejected", 50)  # a decision made is kept as it was


def test_refresh_stores_exactly_what_the_search_found(workspace, connection):
    """The suggestions written (COPY on PostgreSQL, INSERTs on SQLite) are the search's pairs, signals and totals,
    value for value, whatever characters the values shown hold and however many rows there are; a second refresh
    creates and changes nothing."""
    other = ConnectionFactory(workspace=workspace, name="Other")
    tricky = ["Zoé\tMartin", "back\\slash Roux", "new\nline Petit", 'quote" Blanc', "\\N Null", "Ｊｕｌｉｅ Ｒｏｙ",
              "o'Brien Hall"]  # fmt: skip
    persons = [Person(workspace=workspace, display_name=f"P{n}") for n in range(2 * 700)]
    Person.objects.bulk_create(persons)
    identities = []
    for n in range(700):
        name = f"{tricky[n % len(tricky)]} {n}"
        a, b = persons[2 * n], persons[2 * n + 1]
        email = f"m{n}@example.org" if n % 3 == 0 else ""
        for person, channel, shown in ((a, connection, name), (b, other, name.upper())):
            identity = Identity(workspace=workspace, connection=channel, person=person, external_id=f"x{person.pk}",
                                display_name=shown, handle=f"h{n}" if n % 2 else "", email=email)  # fmt: skip
            identities.append(keys.fill(identity))
    Identity.objects.bulk_create(identities)
    found = evidence.evidence_in(workspace)
    assert len(found) == 700

    assert refresh_suggestions(workspace, auto_merge=False).created == 700
    stored = {
        (a, b): (signals, total, status)
        for a, b, signals, total, status in MergeSuggestion.objects.filter(workspace=workspace).values_list(
            "person_a_id", "person_b_id", "signals", "total", "status"
        )
    }
    assert stored == {pair: (signals, total, "open") for pair, (signals, total) in found.items()}
    assert MergeSuggestion.objects.filter(workspace=workspace, created_at__isnull=False).count() == 700
    again = refresh_suggestions(workspace, auto_merge=False)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
