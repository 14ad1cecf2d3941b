from __future__ import annotations

import numpy as np
import pytest

from federe.nlp.base import DocBatch, NotScored, Score
from federe.nlp.features import META, N_FEATURES, featurize
from federe.nlp.linear import LinearModel
from federe.nlp.text import MAX_CHARS, prepare

ZALGO = "h\u0336\u0325\u0353e\u0337\u0326\u0354l\u0338\u0327\u0355lo"


@pytest.mark.parametrize(
    ("raw", "text", "notes", "skip"),
    [
        ("", "", [], "empty"),
        ("   \n\t ", "", [], "empty"),
        (None, "", [], "empty"),
        ("<p>Bonjour <b>à tous</b></p>", "Bonjour à tous", ["html_removed"], ""),
        ("Tom &amp; Jerry", "Tom & Jerry", [], ""),
        (b"caf\xc3\xa9 ok", "café ok", [], ""),
        (b"bad \xff\xfe bytes", "bad \ufffd\ufffd bytes", ["invalid_utf8"], ""),
        (ZALGO, "hello", ["zalgo"], ""),
        ("Élève à l'école", "Élève à l'école", [], ""),  # French accents are not zalgo
    ],
)
def test_prepare_cleans_and_records_what_it_did(raw, text, notes, skip):
    doc = prepare(raw)
    assert doc.text == text
    assert doc.notes == notes
    assert doc.skip == skip


def test_very_long_text_is_truncated_with_a_note():
    doc = prepare("mot " * 10_000)
    assert len(doc.text) == MAX_CHARS
    assert doc.notes == ["truncated"]


def test_features_have_one_row_per_doc_and_message_features_at_the_end():
    docs = [prepare("Visit http://spam.example now!!!"), prepare("merci"), prepare("🔥🔥🔥")]
    docs[1].meta["first_message"] = True
    x = featurize(docs)
    assert x.shape == (3, N_FEATURES)
    meta = x[:, N_FEATURES - len(META) :].toarray()
    names = list(META)
    assert meta[0, names.index("link")] == 1 and meta[1, names.index("link")] == 0
    assert meta[1, names.index("first_message")] == 1 and meta[0, names.index("first_message")] == 0
    assert meta[2, names.index("no_letters")] == 1
    text_part = x[:2, : N_FEATURES - len(META)]
    assert np.allclose(np.sqrt(text_part.multiply(text_part).sum(axis=1)).A1, 1.0)


def _toy_model() -> LinearModel:
    """A hand-made model: weight on the columns of the word 'casino' only."""
    x = featurize([prepare("casino")])
    coef = np.zeros((1, N_FEATURES), dtype=np.float32)
    coef[0, x.indices] = 3.0
    return LinearModel(classes=("ham", "spam"), coef=coef, intercept=np.array([-1.0]))


def test_linear_model_round_trips_through_bytes_without_pickle():
    model = _toy_model()
    again = LinearModel.from_bytes(model.to_bytes())
    batch = DocBatch([prepare("best casino in town"), prepare("see you tomorrow")])
    assert again.classes == model.classes
    assert np.allclose(again.proba(batch.features), model.proba(batch.features))


def test_linear_backend_scores_skips_and_explains_in_words():
    from federe.nlp.linear import LinearBackend

    backend = LinearBackend("spam", _toy_model(), "toy")
    results = backend.score(DocBatch([prepare("best CASINO in town"), prepare(""), prepare("hello")]), explain=True)
    assert isinstance(results[0], Score) and isinstance(results[2], Score)
    assert results[0].score > results[2].score
    assert results[0].explanation[0].feature == "casino" and results[0].explanation[0].weight > 0
    assert isinstance(results[1], NotScored) and results[1].reason == "empty"
    assert abs(sum(results[0].probs.values()) - 1) < 1e-9
