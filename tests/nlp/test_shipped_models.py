"""The shipped models, loaded the way ingest loads them, on sentences nobody trained them on."""

from __future__ import annotations

import json

from federe.nlp.backends import shipped
from federe.nlp.base import DocBatch, Score
from federe.nlp.text import prepare
from federe.nlp.training import MODELS_DIR


def _scores(task, texts):
    return shipped(task).score(DocBatch([prepare(t) for t in texts]))


def test_spam_model_separates_obvious_spam_from_conversation():
    spam, ham = _scores(
        "spam",
        [
            "Check out my channel!!! subscribe http://bit.ly/free-money WIN NOW",
            "Thanks for the update, the new version works well for me.",
        ],
    )
    assert spam.label == "spam" and ham.label == "ham"


def test_toxicity_model_in_both_languages():
    results = _scores("toxicity", ["t'es vraiment un gros con, ferme-la", "Merci pour votre aide", "shut up you idiot"])
    assert [r.label for r in results] == ["toxic", "ok", "toxic"]


def test_every_shipped_model_has_a_card_with_data_licence_and_date():
    for task in ("spam", "toxicity"):
        card = json.loads((MODELS_DIR / f"{task}.json").read_text(encoding="utf-8"))
        assert card["training_data"] and card["licence_of_training_data"] and card["version"]
        assert (MODELS_DIR / f"{task}.npz").stat().st_size > 0


def test_language_says_other_for_other_languages():
    results = _scores("language", ["Me encanta este producto, es muy bueno", "Bonjour, merci beaucoup", "Привет"])
    assert [r.label for r in results if isinstance(r, Score)] == ["other", "fr", "other"]
