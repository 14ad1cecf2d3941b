"""Search: stemming, accents and case, phrases, every filter, workspaces kept apart, excerpts escaped.

These run on the database of the run: SQLite FTS5 by default, PostgreSQL when DATABASE_URL says so (the CI runs
the suite on both), with the same expectations: both backends find the same messages."""

from __future__ import annotations

from datetime import date

import pytest

from federe.inbox import labels
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Conversation, ConversationStatus, Message
from federe.search.backends import search
from federe.search.query import UNASSIGNED, QueryError, SearchQuery
from tests.search.conftest import item

pytestmark = pytest.mark.django_db


def found(workspace, text, **filters):
    page = search(workspace, SearchQuery(text=text, **filters).parsed())
    return {result.message.external_id for result in page.results}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cheval", {"fr-horses"}),  # French plural "chevaux" indexed as "cheval"
        ("chevaux", {"fr-horses"}),
        ("run", {"en-running", "en-runs"}),  # English "running", "runs"
        ("running", {"en-running", "en-runs"}),
        ("livree", {"fr-delivery"}),
        ("LIVRÉES", {"fr-delivery"}),
        ("cafe", {"fr-cafe"}),
        ("Café", {"fr-cafe"}),
        ("ecurie", {"fr-horses"}),
        ("inexistant", set()),
    ],
)
def test_words_are_found_by_their_stem_without_regard_to_accents_or_case(workspace, corpus, text, expected):
    assert found(workspace, text) == expected


def test_every_word_is_required(workspace, corpus):
    assert found(workspace, "coffee slow") == {"en-phrase", "en-reversed"}
    assert found(workspace, "coffee tea") == {"html"}


def test_a_quoted_phrase_needs_its_words_in_order(workspace, corpus):
    assert found(workspace, '"customer service"') == {"en-phrase"}
    assert found(workspace, "« slow service »") == {"en-reversed"}
    assert found(workspace, '"great coffee"') == {"en-reversed"}
    assert found(workspace, '"coffee great"') == set()


def test_a_word_cut_by_punctuation_is_a_phrase(workspace, corpus):
    assert found(workspace, "l’écurie") == {"fr-horses"}
    assert found(workspace, "ecurie-l") == set()


def test_the_excerpt_marks_the_words_and_escapes_the_text(workspace, corpus):
    [result] = search(workspace, SearchQuery(text="tea").parsed()).results
    assert "&lt;script&gt;" in result.excerpt and "<script>" not in result.excerpt
    assert "<mark>tea</mark>" in result.excerpt
    [horses] = search(workspace, SearchQuery(text="cheval").parsed()).results
    assert "<mark>chevaux</mark>" in horses.excerpt


def test_filters_author_channel_dates_sentiment(workspace, corpus, connection):
    assert found(workspace, "coffee", author="ALI") == {"en-phrase"}
    assert found(workspace, "coffee", author="nobody") == set()
    assert found(workspace, "coffee", channel=connection.pk) == {"en-phrase", "en-reversed", "html"}
    assert found(workspace, "coffee", channel=connection.pk + 1000) == set()
    # en-phrase is day 5 (7 March), en-reversed day 6, html day 7; dates on the workspace's clock (Paris)
    assert found(workspace, "coffee", since=date(2026, 3, 8)) == {"en-reversed", "html"}
    assert found(workspace, "coffee", until=date(2026, 3, 8)) == {"en-phrase", "en-reversed"}
    assert found(workspace, "coffee", since=date(2026, 3, 8), until=date(2026, 3, 8)) == {"en-reversed"}
    Message.objects.filter(pk=corpus["en-phrase"].pk).update(sentiment="negative")
    assert found(workspace, "coffee", sentiment="negative") == {"en-phrase"}


def test_filters_on_the_thread_status_assignee_label(workspace, corpus, owner):
    thread = corpus["en-reversed"].conversation_id
    Conversation.objects.filter(pk=thread).update(status=ConversationStatus.ASSIGNED, assignee=owner)
    assert found(workspace, "coffee", status="assigned") == {"en-reversed"}
    assert found(workspace, "coffee", assignee=owner.pk) == {"en-reversed"}
    assert found(workspace, "coffee", assignee=UNASSIGNED) == {"en-phrase", "html"}
    lead = labels.create(workspace, "Lead")
    labels.attach(workspace, lead, [corpus["html"].conversation_id])
    assert found(workspace, "coffee", label=lead.pk) == {"html"}


def test_another_workspace_never_sees_these_messages(workspace, corpus, other_workspace):
    rival, _owner, rival_channel = other_workspace
    ingest_items(rival_channel, [item("theirs", "en", "zed", "Their coffee is better.")])
    assert found(workspace, "coffee") == {"en-phrase", "en-reversed", "html"}
    assert found(rival, "coffee") == {"theirs"}
    assert found(rival, "coffee", channel=corpus["html"].connection_id) == set()


def test_an_edited_message_is_found_by_its_new_words_only(workspace, corpus, connection):
    edited = item("en-runs", "en", "alice", "The app crashes since the update.", day=3)
    ingest_items(connection, [edited])
    assert found(workspace, "crash") == {"en-runs"}
    assert found(workspace, "runs") == {"en-running"}


def test_results_are_ranked_and_paged_without_overlap(workspace, connection):
    ingest_items(
        connection,
        [item(f"m{n}", "en", "ann", "coffee " * (1 + n % 3) + f"note {n}", day=n % 10) for n in range(45)],
    )
    first = search(workspace, SearchQuery(text="coffee").parsed(), page=1, per_page=20)
    third = search(workspace, SearchQuery(text="coffee").parsed(), page=3, per_page=20)
    assert first.total == 45 and first.has_next and not third.has_next and len(third.results) == 5
    seen = [
        r.message.external_id
        for p in (1, 2, 3)
        for r in search(workspace, SearchQuery(text="coffee").parsed(), page=p).results
    ]
    assert len(seen) == len(set(seen)) == 45
    # three times the word ranks above once
    assert first.results[0].message.body_text.count("coffee") == 3
    assert third.results[-1].message.body_text.count("coffee") == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('"unbalanced', "quotation mark"),
        ("x" * 301, "too long"),
        ("!!! ??? ...", "at least one word"),
        ("\u200b\u200b", "at least one word"),
        (" ".join(f"w{n}" for n in range(13)), "too many"),
    ],
)
def test_bad_text_is_refused_in_words(text, words):
    with pytest.raises(QueryError) as caught:
        SearchQuery(text=text).parsed()
    assert words in caught.value.messages[0]


@pytest.mark.parametrize(
    "text", ["𝔠𝔬𝔣𝔣𝔢𝔢", "ｃｏｆｆｅｅ", "co\u00adffee", "'coffee'", "coffee*", "(coffee)", "coffee OR tea", "NEAR AND"]
)
def test_odd_text_runs_and_folds(workspace, corpus, text):
    search(workspace, SearchQuery(text=text).parsed())  # never a database syntax error


def test_fancy_letters_fold_to_plain_ones(workspace, corpus):
    assert found(workspace, "ｃｏｆｆｅｅ") == found(workspace, "coffee") == {"en-phrase", "en-reversed", "html"}


def test_an_erased_authors_words_are_no_longer_found(workspace, corpus):
    from federe.inbox.services import anonymise_messages

    assert found(workspace, "cheval") == {"fr-horses"}
    anonymise_messages(workspace.pk, [corpus["fr-horses"].author_id])
    assert found(workspace, "cheval") == set() and found(workspace, "livree") == set()


def test_reindex_writes_the_documents_of_messages_stored_before_search(workspace, corpus):
    from federe.search import indexing
    from federe.search.models import SearchDocument

    SearchDocument.objects.all().delete()
    assert found(workspace, "cheval") == set()
    progress = list(indexing.reindex(workspace.pk, batch=3))
    assert progress[-1] == (len(corpus), len(corpus)) and len(progress) == 3
    assert found(workspace, "cheval") == {"fr-horses"}


def test_a_reply_sent_from_federe_is_found_at_once(workspace, corpus, owner):
    from federe.inbox.services import send_reply

    thread = corpus["fr-delivery"].conversation
    reply = send_reply(conversation=thread, text="Votre colis est parti ce matin.", by=owner, in_reply_to=None)
    assert found(workspace, "colis") == {reply.sent_message.external_id}


def test_filters_read_the_channel_author_and_date_copied_at_ingest(workspace, corpus, connection):
    from federe.search.models import SearchDocument

    copied = SearchDocument.objects.get(message_id=corpus["en-phrase"].pk)
    message = corpus["en-phrase"]
    assert (copied.connection_id, copied.author_id, copied.posted_at) == (
        message.connection_id,
        message.author_id,
        message.posted_at,
    )


def test_a_message_first_indexed_by_its_edit_keeps_its_channel_author_and_date(workspace, corpus, connection):
    from federe.search.models import SearchDocument

    SearchDocument.objects.filter(message_id=corpus["en-runs"].pk).delete()  # stored before search existed
    ingest_items(connection, [item("en-runs", "en", "alice", "The coffee app crashes since the update.", day=3)])
    copied = SearchDocument.objects.get(message_id=corpus["en-runs"].pk)
    assert (copied.connection_id, copied.author_id, copied.posted_at) == (
        connection.pk,
        corpus["en-runs"].author_id,
        corpus["en-runs"].posted_at,
    )
    assert found(workspace, "crash", author="alice", channel=connection.pk) == {"en-runs"}
    assert found(workspace, "crash", since=date(2026, 3, 5), until=date(2026, 3, 5)) == {"en-runs"}
    assert found(workspace, "crash", since=date(2026, 3, 6)) == set()


def test_reindex_copies_the_channel_author_and_date(workspace, corpus, connection):
    from federe.search import indexing
    from federe.search.models import SearchDocument

    SearchDocument.objects.all().delete()
    list(indexing.reindex(workspace.pk))
    assert found(workspace, "coffee", author="ALI", channel=connection.pk, since=date(2026, 3, 7)) == {"en-phrase"}


def test_the_newest_documents_first_give_the_same_page_as_the_whole_search(workspace, connection, monkeypatch):
    from federe.search import backends

    ingest_items(
        connection,
        [item(f"m{n}", "en", "ann", "coffee " * (1 + n % 4) + f"note {n}", day=n % 10) for n in range(30)],
    )
    monkeypatch.setattr(backends, "CANDIDATES", 6)
    monkeypatch.setattr(backends, "RECENT", 10**9)  # never tried: the whole search decides
    whole = [found_in_order(workspace, "coffee", page) for page in (1, 2)]
    monkeypatch.setattr(backends, "RECENT", 8)  # 8 newest documents: too few matches, the whole search decides
    assert [found_in_order(workspace, "coffee", page) for page in (1, 2)] == whole
    monkeypatch.setattr(backends, "RECENT", 12)  # 12 newest hold the 6 newest matches
    assert [found_in_order(workspace, "coffee", page) for page in (1, 2)] == whole
    assert found_in_order(workspace, "note", 1)  # "note" is in every one too


def found_in_order(workspace, text, page):
    results = search(workspace, SearchQuery(text=text).parsed(), page=page, per_page=4).results
    return [result.message.external_id for result in results]
