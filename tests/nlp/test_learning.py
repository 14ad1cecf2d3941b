from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.moderation import services as moderation
from federe.nlp import learning, switch
from federe.nlp.backends import for_workspace, shipped
from federe.nlp.models import Label, WorkspaceModel
from tests.nlp.test_pipeline_and_ingest import item

# This community's spam is polite and link-free: the shipped model, trained on YouTube and SMS, misses it.
SPAM = "Bonjour, je propose des cours de {x} à domicile, contactez Julie au bureau {n}"
HAM = "Je pense que la {x} du chapitre {n} mérite une autre lecture, merci pour le débat"
TOPICS = ["guitare", "cuisine", "poterie", "peinture", "danse", "couture", "yoga", "chant", "escalade", "tricot"]


def _community(connection, n=40):
    items = []
    for i in range(n):
        text = (SPAM if i % 2 else HAM).format(x=TOPICS[i % len(TOPICS)], n=i)
        items.append(item(i + 1, text, f"a{i}"))
    ingest_items(connection, items)
    return list(Message.objects.order_by("external_id"))


def _decide_all(messages, owner):
    for m in messages:
        moderation.decide(messages=[m], action="spam" if "Julie" in m.body_text else "approve", by=owner)


def test_moderator_decisions_become_labels(connection, owner):
    messages = _community(connection, 4)
    _decide_all(messages, owner)
    labels = {(m.message.external_id, m.task, m.value) for m in Label.objects.select_related("message")}
    spam_ids = {m.external_id for m in messages if "Julie" in m.body_text}
    for m in messages:
        if m.external_id in spam_ids:
            assert (m.external_id, "spam", "spam") in labels
        else:
            assert {(m.external_id, "spam", "ham"), (m.external_id, "toxicity", "ok")} <= labels
    # The latest judgement wins: one label per message and task.
    moderation.decide(messages=[messages[0]], action="spam", by=owner)
    assert Label.objects.filter(message=messages[0], task="spam").get().value == "spam"


def test_a_fast_tier_workspace_model_learns_the_communitys_spam_checked_by_cross_validation(
    connection, owner, settings
):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000  # train by hand here
    settings.FEDERE_NLP_LEARN_DEEP = False  # the fast tier's path (no deep tier installed)
    messages = _community(connection)
    _decide_all(messages, owner)
    row = learning.train(connection.workspace, "spam", by=owner)
    assert row.version == 1 and row.labels_used == 40 and row.active
    m = row.metrics
    assert m["kind"] == "fast" and m["current_model"] == "shipped"
    assert m["check"]["folds"] == 5 and m["check"]["labels"] == 40 and len(m["check"]["candidate_folds"]) == 5
    assert m["check"]["candidate"] >= m["check"]["current"] + switch.MARGIN
    backend = for_workspace(connection.workspace_id, "spam")
    assert backend.model_id == "workspace:spam@v1"
    # New messages of the same kind are now caught, with an explanation that names the community's words.
    ingest_items(connection, [item(100, SPAM.format(x="piano", n=77), "newbot")])
    fresh = Message.objects.get(external_id="m100")
    assert fresh.spam_score > 0.5 and fresh.nlp["models"]["spam"] == "workspace:spam@v1"
    from federe.nlp.base import DocBatch
    from federe.nlp.text import prepare

    explained = backend.score(DocBatch([prepare(fresh.body_text)]), explain=True)[0]
    assert any(c.feature in ("julie", "contactez", "domicile", "cours") for c in explained.explanation)
    assert AuditEvent.objects.filter(verb="nlp.model_trained").exists()


def test_rollback_and_back_to_the_shipped_model(connection, owner, member_factory, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    settings.FEDERE_NLP_LEARN_DEEP = False
    _decide_all(_community(connection), owner)
    learning.train(connection.workspace, "spam", by=owner)
    second = learning.train(connection.workspace, "spam", by=owner)
    # The same recipe on the same labels does not beat version 1 as it stands (which learned them all): kept off.
    assert not second.active and second.metrics["current_model"] == "v1"
    learning.activate(connection.workspace, "spam", 2, by=owner)
    assert WorkspaceModel.objects.get(active=True).version == 2
    learning.activate(connection.workspace, "spam", 1, by=owner)
    assert WorkspaceModel.objects.get(active=True).version == 1
    assert for_workspace(connection.workspace_id, "spam").model_id == "workspace:spam@v1"
    learning.activate(connection.workspace, "spam", None, by=owner)
    assert not WorkspaceModel.objects.filter(active=True).exists()
    assert for_workspace(connection.workspace_id, "spam") is shipped("spam")
    with pytest.raises(ValidationError):
        learning.activate(connection.workspace, "spam", 9, by=owner)
    with pytest.raises(PermissionDenied):
        learning.activate(connection.workspace, "spam", 1, by=member_factory(Role.CLIENT))


def test_training_needs_enough_labels_of_two_kinds(connection, owner):
    messages = _community(connection, 6)
    _decide_all(messages, owner)
    with pytest.raises(ValidationError, match="Not enough labels"):
        learning.train(connection.workspace, "spam", by=owner)


def test_new_labels_retrain_in_the_background(connection, owner, settings, django_capture_on_commit_callbacks):
    settings.FEDERE_NLP_RETRAIN_AFTER = 20
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    messages = _community(connection)
    with django_capture_on_commit_callbacks(execute=True):
        _decide_all(messages[:19], owner)
    assert not WorkspaceModel.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _decide_all(messages[19:], owner)
    versions = list(WorkspaceModel.objects.filter(task="spam").values_list("version", flat=True))
    assert versions and versions[0] == 1


def test_sentiment_corrections_are_shown_audited_and_learned(connection, owner, member_factory):
    ingest_items(connection, [item(1, "Bon, on verra bien ce que ça donne")])
    message = Message.objects.get()
    learning.correct_sentiment(message, "negative", owner)
    message.refresh_from_db()
    assert message.sentiment == "negative" and message.sentiment_score == 1.0
    assert Label.objects.get(message=message, task="sentiment").value == "negative"
    assert AuditEvent.objects.filter(verb="nlp.sentiment_corrected").exists()
    with pytest.raises(ValidationError):
        learning.correct_sentiment(message, "furious", owner)
    with pytest.raises(PermissionDenied):
        learning.correct_sentiment(message, "positive", member_factory(Role.CLIENT))


def test_models_command_lists_versions(connection, owner, settings, capsys):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    settings.FEDERE_NLP_LEARN_DEEP = False
    _decide_all(_community(connection), owner)
    call_command("nlp", "learn", "--workspace", "acme", "--task", "spam")
    call_command("nlp", "models", "--workspace", "acme")
    out = capsys.readouterr().out
    assert "spam      v1   ON  40 labels, fast, 5-fold check on 40 labels: current (shipped) F1" in out
