from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from federe.connectors.types import Author, Item
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.moderation import services as moderation
from federe.moderation.models import Decision
from federe.nlp import pipeline
from federe.nlp.base import NotScored, Score
from federe.nlp.text import prepare

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def item(n: int, text: str, author: str = "a1", minutes: int = 0) -> Item:
    return Item(
        external_id=f"m{n}",
        thread_id="t1",
        author=Author(external_id=author, handle=author, display_name=author),
        body_html=f"<p>{text}</p>",
        created_at=T0 + timedelta(minutes=minutes or n),
    )


def run_score(task: str, stdin: bytes, *args: str) -> list[dict]:
    class In:
        buffer = io.BytesIO(stdin)

    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = In()  # type: ignore[assignment]
    try:
        call_command("nlp", "score", task, *args, stdout=out)
    finally:
        sys.stdin = old
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_score_command_prints_one_json_per_line_and_never_stops_on_bad_input(db):
    lines = b"Free iPhone!!! click http://win.example now\n\n\xff\xfe casino\n" + ("long " * 3000).encode() + b"\n"
    rows = run_score("spam", lines, "--explain")
    assert len(rows) == 4
    assert rows[0]["label"] == "spam" and 0.5 <= rows[0]["score"] <= 1 and rows[0]["language"] == "en"
    assert rows[0]["explanation"] and {"feature", "weight"} <= set(rows[0]["explanation"][0])
    assert rows[1] == {"label": None, "score": None, "not_scored": "empty", "language": "other"}
    assert rows[2]["notes"] == ["invalid_utf8"] and rows[2]["label"] in ("spam", "ham")
    assert rows[3]["notes"] == ["truncated"]
    plain = run_score("toxicity", b"you stupid idiot\n")
    assert "explanation" not in plain[0] and plain[0]["label"] == "toxic"


def test_ingest_stores_what_the_command_prints(connection):
    text = "Gagnez un iPhone gratuit !!! cliquez ici http://bit.ly/xyz"
    ingest_items(connection, [item(1, text, "new-author")])
    message = Message.objects.get(external_id="m1")
    doc = prepare(text, meta={"first_message": True})
    results = pipeline.enrich([doc], workspace_id=connection.workspace_id)
    assert message.language == "fr"
    assert message.spam_score == pytest.approx(results["spam"][0].score)
    assert message.toxicity_score == pytest.approx(results["toxicity"][0].score)
    assert message.sentiment == results["sentiment"][0].label
    assert set(message.nlp["models"]) == {"language", "spam", "toxicity", "sentiment"}


def test_an_edited_text_is_scored_again(connection):
    ingest_items(connection, [item(1, "Thanks, that helps a lot")])
    before = Message.objects.get(external_id="m1").spam_score
    ingest_items(connection, [item(1, "WIN FREE MONEY NOW!!! http://cash.example http://cash2.example")])
    after = Message.objects.get(external_id="m1").spam_score
    assert after > before + 0.3


def test_a_backend_that_breaks_on_one_document_only_leaves_that_one_unscored(db, monkeypatch):
    from federe.nlp import backends

    real = backends.shipped("spam")

    class Fragile:
        task, model_id = "spam", "fragile"

        def score(self, batch, *, explain=False):
            if any("boom" in d.text for d in batch.docs):
                raise RuntimeError("boom")
            return real.score(batch, explain=explain)

    monkeypatch.setattr(pipeline, "for_workspace", lambda ws, task: Fragile() if task == "spam" else real)
    docs = [prepare("hello there"), prepare("boom"), prepare("see you")]
    results = pipeline.enrich(docs, tasks=["spam"])["spam"]
    assert isinstance(results[0], Score) and isinstance(results[2], Score)
    assert isinstance(results[1], NotScored) and results[1].reason == "error"


def test_a_missing_backend_stores_messages_unscored_with_the_reason(connection, settings):
    from federe.nlp import backends

    backends.shipped.cache_clear()
    settings.FEDERE_NLP_BACKENDS = {**settings.FEDERE_NLP_BACKENDS, "toxicity": "transformers:/nowhere/model"}
    try:
        ingest_items(connection, [item(1, "A perfectly normal comment")])
    finally:
        backends.shipped.cache_clear()
    message = Message.objects.get(external_id="m1")
    assert message.toxicity_score is None
    assert message.nlp["not_scored"]["toxicity"] == "backend_unavailable"
    assert message.spam_score is not None


def test_rules_can_act_on_scores(connection, owner, django_capture_on_commit_callbacks):
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Toxic",
        match="any",
        conditions=[{"type": "score", "task": "toxicity", "min": 0.8}],
        actions=[{"type": "hold"}],
    )

    with django_capture_on_commit_callbacks(execute=True):
        stats = ingest_items(connection, [item(1, "shut up you stupid idiot"), item(2, "Thanks, very useful")])
        moderation.moderate_new_messages(connection, stats.new_messages)
    held = Decision.objects.filter(action="hold").values_list("message__external_id", flat=True)
    assert list(held) == ["m1"]
    decision = Decision.objects.get(action="hold")
    assert "toxicity" in " ".join(decision.reason_texts)
