"""The transformer backend, against tiny BERT models built and trained here (no download)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from federe.nlp.base import Doc, DocBatch, NotScored, Score  # noqa: E402
from federe.nlp.transformer import ModelConfigError, TransformerBackend, map_labels  # noqa: E402

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "i",
    "you",
    "we",
    "they",
    "it",
    "this",
    "that",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "be",
    "really",
    "so",
    "very",
    "not",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "love",
    "hate",
    "like",
    "see",
    "okay",
    "fine",
    "idiot",
    "friend",
    "stupid",
    "thanks",
    "kind",
    "new",
    "blend",
    "shop",
    "service",
    "coffee",
    "tea",
    "opens",
    "nine",
    "tuesday",
    "here",
    "open",
    "your",
    "our",
    "my",
    "today",
    "order",
    "delivery",
    "team",
    "people",
    "post",
    "video",
    "great",
    "awful",
    "nice",
    "bad",
    "good",
    "what",
]
PIECES = ["##s", "##ing", "##ed", "##ly", "##er", "##est", "##y", "##ful", "##ness", "##less"]


def _fill(contexts: list[str], *words: str) -> list[str]:
    return [" ".join(c.format(w).split()) for w in words for c in contexts if c.format(w).strip()]


# One word decides the class and the contexts carry no signal, so the model has to learn the word (and
# occlusion has something true to find). A missing word means neutral / ok.
_SENTIMENT_CONTEXTS = [
    "i {} this",
    "we {} the new blend",
    "{} it",
    "i really {} your service",
    "they {} our coffee",
    "you {} the shop",
    "{} the team today",
    "people {} this video",
]
SENTIMENT = {
    0: _fill(_SENTIMENT_CONTEXTS, "hate"),
    1: _fill(_SENTIMENT_CONTEXTS, "see", ""),
    2: _fill(_SENTIMENT_CONTEXTS, "love"),
}
_TOXICITY_CONTEXTS = [
    "you are an {}",
    "{}",
    "this team is {}",
    "our people are {}",
    "what a {} post",
    "the {} shop",
    "you {} people",
    "today the team was {}",
]
TOXICITY = {
    0: _fill(_TOXICITY_CONTEXTS, "kind", ""),
    1: _fill(_TOXICITY_CONTEXTS, "idiot", "stupid"),
}


def _vocab(path: Path) -> Path:
    fillers = [f"w{i:03d}" for i in range(300)]  # a few hundred entries, like a (very) small real vocabulary
    path.write_text("\n".join(SPECIAL + WORDS + PIECES + fillers) + "\n", encoding="utf-8")
    return path


def _train(directory: Path, examples: dict[int, list[str]], id2label: dict[int, str], seed: int) -> Path:
    torch.manual_seed(seed)
    tokenizer = transformers.BertTokenizer(str(_vocab(directory / "vocab-source.txt")))
    config = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    model = transformers.BertForSequenceClassification(config)
    texts = [t for label in sorted(examples) for t in examples[label]]
    labels = torch.tensor([label for label in sorted(examples) for _ in examples[label]])
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(200):  # usually 50-70 steps: stop once the examples are learned
        optimiser.zero_grad()
        loss = model(**enc, labels=labels).loss
        if loss.item() < 0.03:
            break
        loss.backward()
        optimiser.step()
    out = directory / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models gain nothing from threads, and on a busy shared CPU they lose a lot."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def models(one_thread, tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("tiny-models")
    (base / "sentiment").mkdir()
    (base / "toxicity").mkdir()
    return {
        "sentiment": _train(base / "sentiment", SENTIMENT, {0: "negative", 1: "neutral", 2: "positive"}, seed=1),
        "toxicity": _train(base / "toxicity", TOXICITY, {0: "non-toxic", 1: "toxic"}, seed=2),
    }


def _relabel(src: Path, dst: Path, id2label: dict[int, str], **extra) -> Path:
    shutil.copytree(src, dst)
    config = json.loads((dst / "config.json").read_text())
    config["id2label"] = {str(k): v for k, v in id2label.items()}
    config["label2id"] = {v: k for k, v in id2label.items()}
    config.update(extra)
    (dst / "config.json").write_text(json.dumps(config))
    return dst


def _batch(*texts: str) -> DocBatch:
    return DocBatch([Doc(text=t) for t in texts])


def test_learned_examples_get_the_right_labels_and_probabilities(models):
    backend = TransformerBackend("sentiment", str(models["sentiment"]))
    assert backend.model_id == f"transformers:sentiment:{models['sentiment']}"
    texts = {label: examples for label, examples in SENTIMENT.items()}
    names = {0: "negative", 1: "neutral", 2: "positive"}
    results = backend.score(_batch(*(t for label in sorted(texts) for t in texts[label])))
    expected = [names[label] for label in sorted(texts) for _ in texts[label]]
    assert [r.label for r in results] == expected
    for result in results:
        assert isinstance(result, Score)
        assert result.model == backend.model_id
        assert set(result.probs) == {"negative", "neutral", "positive"}
        assert math.isclose(sum(result.probs.values()), 1.0, abs_tol=1e-5)
        assert result.score == result.probs[result.label] > 0.8


def test_binary_task_scores_the_positive_label(models):
    backend = TransformerBackend("toxicity", str(models["toxicity"]))
    toxic, ok = backend.score(_batch("you are an idiot", "you are a friend"))
    assert (toxic.label, ok.label) == ("toxic", "ok")
    assert toxic.score > 0.8 and ok.score < 0.2  # the score is P(toxic) for both
    assert math.isclose(ok.score + ok.probs["ok"], 1.0, abs_tol=1e-5)


def test_batch_order_is_kept_across_batch_boundaries(models):
    backend = TransformerBackend("sentiment", str(models["sentiment"]), batch_size=3)
    texts = [
        "i love this",
        "hate it",
        "we love the new blend",
        "i really hate your service",
        "love it",
        "they hate our coffee",
        "i really love your service",
        "i hate this",
        "they love our coffee",
        "we hate the new blend",
    ]
    labels = [r.label for r in backend.score(_batch(*texts))]
    assert labels == ["positive" if "love" in t else "negative" for t in texts]


def test_skipped_and_empty_docs_are_not_scored(models):
    backend = TransformerBackend("sentiment", str(models["sentiment"]))
    batch = DocBatch(
        [Doc(text="i love this"), Doc(text="", skip="empty"), Doc(text="🔥", skip="emoji_only"), Doc(text="   ")]
    )
    results = backend.score(batch, explain=True)
    assert results[0].label == "positive"
    assert results[1:] == [NotScored("empty"), NotScored("emoji_only"), NotScored("empty")]
    assert backend.score(DocBatch([])) == []


def test_long_text_is_truncated_without_error(models):
    # max_position_embeddings is 64: the default max_length (256) must be capped, or the model would fail.
    backend = TransformerBackend("sentiment", str(models["sentiment"]))
    assert backend.max_length == 64
    short = TransformerBackend("sentiment", str(models["sentiment"]), max_length=8)
    long_text = "i love this " + "coffee " * 5000
    for b in (backend, short):
        (result,) = b.score(_batch(long_text))
        assert isinstance(result, Score)
    (result,) = short.score(_batch(long_text))
    assert result.label == "positive"  # the decisive word is inside the kept window


def test_explanation_names_the_decisive_word(models):
    sentiment = TransformerBackend("sentiment", str(models["sentiment"]))
    positive, negative = sentiment.score(_batch("i really love your service", "we hate the new blend"), explain=True)
    assert positive.explanation[0].feature == "love" and positive.explanation[0].weight > 0
    assert negative.explanation[0].feature == "hate" and negative.explanation[0].weight > 0
    assert len(positive.explanation) <= 8
    toxicity = TransformerBackend("toxicity", str(models["toxicity"]))
    (toxic,) = toxicity.score(_batch("You are an idiot!"), explain=True)
    assert toxic.explanation[0].feature == "idiot" and toxic.explanation[0].weight > 0
    # Not asked, not paid for.
    (plain,) = toxicity.score(_batch("you are an idiot"))
    assert plain.explanation == []


def test_explanation_cost_is_bounded(models, monkeypatch):
    backend = TransformerBackend("sentiment", str(models["sentiment"]))
    calls = []
    original = backend._probs
    monkeypatch.setattr(backend, "_probs", lambda texts: calls.append(len(texts)) or original(texts))
    text = " ".join(f"w{i:03d}" for i in range(100)) + " love"
    (result,) = backend.score(_batch(text), explain=True)
    assert isinstance(result, Score)
    assert calls == [1, 30]  # the text, then one variant per examined word, at most 30


def test_label_aliases_positions_and_label_map(models, tmp_path):
    positional = _relabel(models["sentiment"], tmp_path / "pos", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    (result,) = TransformerBackend("sentiment", str(positional)).score(_batch("i love this"))
    assert result.label == "positive"

    short = _relabel(models["sentiment"], tmp_path / "short", {0: "NEG", 1: "Neu", 2: "pos"})
    (result,) = TransformerBackend("sentiment", str(short)).score(_batch("hate it"))
    assert result.label == "negative"

    odd = _relabel(models["toxicity"], tmp_path / "odd", {0: "fine", 1: "nasty"})
    with pytest.raises(ModelConfigError, match=r"'fine', 'nasty'.*label_map"):
        TransformerBackend("toxicity", str(odd))
    backend = TransformerBackend("toxicity", str(odd), label_map={"FINE": "ok", "nasty": "toxic"})
    (result,) = backend.score(_batch("you stupid idiot"))
    assert result.label == "toxic"

    with pytest.raises(ModelConfigError, match="'rude' is not a toxicity label"):
        TransformerBackend("toxicity", str(odd), label_map={"fine": "ok", "nasty": "rude"})
    with pytest.raises(ModelConfigError, match="the model has no label 'nastyy'"):
        TransformerBackend("toxicity", str(odd), label_map={"fine": "ok", "nastyy": "toxic"})
    # A sentiment model is not a spam model.
    with pytest.raises(ModelConfigError, match="cannot tell which spam label"):
        TransformerBackend("spam", str(models["sentiment"]))


def test_map_labels_rules():
    assert map_labels("spam", {0: "ham", 1: "spam"}) == ["ham", "spam"]
    assert map_labels("spam", {0: "0", 1: "1"}) == ["ham", "spam"]
    assert map_labels("toxicity", {0: "Non-Toxic", 1: "TOXIC"}) == ["ok", "toxic"]
    assert map_labels("sentiment", {0: "NEGATIVE", 1: "POSITIVE"}) == ["negative", "positive"]  # two-class model
    stars = {i: f"{i + 1} stars" for i in range(5)}
    star_map = {"1 stars": "negative", "2 stars": "negative", "3 stars": "neutral"}
    star_map |= {"4 stars": "positive", "5 stars": "positive"}
    assert map_labels("sentiment", stars, star_map) == ["negative", "negative", "neutral", "positive", "positive"]
    with pytest.raises(ModelConfigError, match="LABEL_3"):  # positions mean nothing when the counts differ
        map_labels("sentiment", {i: f"LABEL_{i}" for i in range(4)})
    with pytest.raises(ModelConfigError, match="every model label maps to 'toxic'"):
        map_labels("toxicity", {0: "toxic", 1: "hate"})


def test_multi_label_models_are_refused(models, tmp_path):
    multi = _relabel(
        models["toxicity"], tmp_path / "multi", {0: "ok", 1: "toxic"}, problem_type="multi_label_classification"
    )
    with pytest.raises(ModelConfigError, match="multi-label"):
        TransformerBackend("toxicity", str(multi))


def test_missing_models_are_clear_errors(tmp_path, models):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelConfigError, match=f"model path {missing} does not exist"):
        TransformerBackend("sentiment", str(missing))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelConfigError, match=r"has no config\.json"):
        TransformerBackend("sentiment", str(empty))
    with pytest.raises(ModelConfigError, match=r"'federe-tests/does-not-exist'.*offline"):
        TransformerBackend("sentiment", "federe-tests/does-not-exist", offline=True)
    with pytest.raises(ModelConfigError, match="unknown task"):
        TransformerBackend("mood", str(models["sentiment"]))
    with pytest.raises(ModelConfigError, match="device"):
        TransformerBackend("sentiment", str(models["sentiment"]), device="no-such-device")


def test_one_bad_text_does_not_sink_the_batch(models, monkeypatch):
    backend = TransformerBackend("sentiment", str(models["sentiment"]))
    original = backend._probs

    def fragile(texts):
        if any("boom" in t for t in texts):
            raise RuntimeError("boom")
        return original(texts)

    monkeypatch.setattr(backend, "_probs", fragile)
    results = backend.score(_batch("i love this", "boom", "hate it"))
    assert [getattr(r, "label", r) for r in results] == ["positive", NotScored("error"), "negative"]
