"""Property: a person's stored languages (``Person.languages``) are always those of their received messages.

Random sequences of what moves them: pages of new messages scored incrementally (the ingest's ``score_people``
step), edits that change a message's language (``follow_edits``), merges and their undoing, full recomputes. After
each, every person's stored mask equals the one counted in Python from their identities' messages, and the people
list's language filter keeps exactly the persons who wrote in that language. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.inbox.models import Conversation, Language, Message
from federe.people import languages, queries
from federe.people.engagement import scoring
from federe.people.identities import merging
from federe.people.models import Identity, Merge, Person

pytestmark = pytest.mark.django_db

PERSONS = 4
NOW = datetime(2026, 6, 1, tzinfo=UTC)

NEW = st.tuples(st.integers(0, PERSONS), st.sampled_from(Language.values), st.sampled_from(["in", "in", "out"]))
STEP = st.one_of(
    st.tuples(st.just("page"), st.lists(NEW, min_size=1, max_size=4)),
    st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(Language.values)),
    st.tuples(st.just("merge"), st.integers(0, PERSONS - 1), st.integers(0, PERSONS - 1)),
    st.tuples(st.just("unmerge")),
    st.tuples(st.just("recompute")),
)


def expected(person: Person) -> int:
    """The definition, one message at a time."""
    written = Message.objects.filter(author__person=person, direction="in").values_list("language", flat=True)
    return sum(languages.BITS[code] for code in set(written))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_stored_languages_follow_pages_edits_merges_and_recomputes(workspace, owner, connection, steps):
    Message.objects.filter(workspace=workspace).delete()
    Merge.objects.filter(workspace=workspace).delete()
    Person.objects.filter(workspace=workspace).delete()
    persons = [Person.objects.create(workspace=workspace, display_name=f"P{n}") for n in range(PERSONS)]
    # Identity PERSONS is a second identity of person 0.
    identities = [
        Identity.objects.create(workspace=workspace, connection=connection, person=p, external_id=f"i{n}")
        for n, p in enumerate([*persons, persons[0]])
    ]
    thread, _ = Conversation.objects.get_or_create(workspace=workspace, connection=connection, external_id="t")
    stored: list[Message] = []
    for step in steps:
        if step[0] == "page":
            page = [
                Message.objects.create(
                    workspace=workspace,
                    connection=connection,
                    conversation=thread,
                    external_id=f"m{len(stored) + n}",
                    author=identities[author],
                    body_text="hello",
                    language=language,
                    direction=direction,
                    posted_at=NOW - timedelta(hours=len(stored) + n),
                )
                for n, (author, language, direction) in enumerate(step[1])
            ]
            stored += page
            scoring.update_for_messages(workspace, [m.pk for m in page], now=NOW)
        elif step[0] == "edit" and stored:
            edited = stored[step[1] % len(stored)]
            Message.objects.filter(pk=edited.pk).update(language=step[2])
            languages.follow_edits([edited.pk])
        elif step[0] == "merge":
            keep, absorb = (Person.objects.get(pk=persons[n].pk) for n in step[1:])
            if keep.pk != absorb.pk and not keep.merged_into_id and not absorb.merged_into_id:
                merging.merge(keep=keep, absorb=absorb, by=owner)
        elif step[0] == "unmerge":
            last = Merge.objects.filter(workspace=workspace, undone_at__isnull=True).order_by("-pk").first()
            if last is not None and not Person.objects.get(pk=last.kept_id).merged_into_id:
                merging.unmerge(last, by=owner)
        elif step[0] == "recompute":
            scoring.recompute(workspace, now=NOW)
        for person in Person.objects.filter(workspace=workspace):
            assert person.languages == expected(person), (step, person.display_name)
        for code in Language.values:
            shown = queries.persons(workspace, queries.PeopleFilters(language=code), now=NOW)
            wrote = Person.objects.filter(
                workspace=workspace,
                merged_into__isnull=True,
                identities__messages__direction="in",
                identities__messages__language=code,
            ).distinct()
            assert set(shown.values_list("pk", flat=True)) == set(wrote.values_list("pk", flat=True)), (step, code)


def test_the_list_filters_on_the_stored_languages_without_reading_messages(
    workspace, connection, django_assert_max_num_queries
):
    person = Person.objects.create(workspace=workspace, display_name="Zoé", languages=languages.BITS["fr"])
    with django_assert_max_num_queries(1):
        french = list(queries.persons(workspace, queries.PeopleFilters(language="fr")).values_list("pk", flat=True))
    sql = str(queries.persons(workspace, queries.PeopleFilters(language="en")).query)
    assert french == [person.pk] and "inbox_message" not in sql


def test_a_synced_edit_that_changes_the_language_moves_the_person_between_filters(workspace, connection):
    from django.utils import timezone

    from federe.connectors.types import Author, Item
    from federe.inbox.ingest import ingest_page

    def item(text: str, language: str) -> Item:
        return Item(
            external_id="m1",
            thread_id="t1",
            author=Author(external_id="a1", handle="ana"),
            body_html=f"<p>{text}</p>",
            created_at=timezone.now() - timedelta(minutes=5),
            language=language,
            edited_at=timezone.now() if language == "en" else None,
        )

    def sync(connection, items: list[Item]) -> None:
        with transaction.atomic():  # a sync's page, every step
            ingest_page(connection, items)

    def wrote(code: str) -> list[str]:
        shown = queries.persons(workspace, queries.PeopleFilters(language=code))
        return list(shown.values_list("identities__handle", flat=True))

    sync(connection, [item("Bonjour à toutes et à tous, le café était excellent ce matin.", "fr")])
    assert wrote("fr") == ["ana"] and wrote("en") == []
    sync(connection, [item("Hello everyone, the coffee was excellent this morning.", "en")])
    assert wrote("fr") == [] and wrote("en") == ["ana"]
