"""An optional backend for operators who bring their own sequence-classification model.

The model is a Hugging Face ``transformers`` checkpoint: a local directory (``save_pretrained`` output) or a model
id from the Hub (downloaded once into the Hugging Face cache, or read from that cache only when offline). Everything
that can be wrong with it (the extra not installed, the path missing, labels that mean nothing for the task) is
reported when the backend is built, as :class:`ModelConfigError`, never later while scoring a batch.

Install the extra with ``pip install 'federe[transformers]'``. torch and transformers are imported only here, and
only when a backend is built.

Labels: the model's ``config.id2label`` is mapped onto the task's labels (``LABELS[task]``) case-insensitively,
with common aliases (``neg``/``neu``/``pos``, ``toxic``/``non-toxic``, ``spam``/``ham``, ``LABEL_0``/``LABEL_1``...).
``label_map`` (model label → task label) overrides or completes the guess; several model labels may map to one task
label (their probabilities are added), e.g. a five-star model onto negative/neutral/positive. A model that covers
only some of the task's labels (a two-class sentiment model) is accepted: the missing labels get probability 0.

Explanations are leave-one-word-out occlusion: each of the first :data:`MAX_OCCLUDED` distinct words is removed in
turn (every occurrence), the text is scored again, and the change in log-odds is that word's contribution (positive:
the word pushed towards the explained label). It is honest (it measures the model, not a proxy) but costs one more
forward pass per word, hence the limit: in longer texts, words after the first :data:`MAX_OCCLUDED` are not examined.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from federe.nlp.base import LABELS, POSITIVE, TASKS, Contribution, DocBatch, NotScored, Result, Score

log = logging.getLogger(__name__)

INSTALL_HINT = "install the transformers extra: pip install 'federe[transformers]'"
#: At most this many distinct words are occluded per explained text (one forward pass each).
MAX_OCCLUDED = 30
#: Contributions returned per explained text.
TOP_CONTRIBUTIONS = 8

_TRUE = {"1", "true", "yes", "on"}
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


class ModelConfigError(ImproperlyConfigured):
    """The transformer model cannot be used as configured (missing, unreadable, or labels that do not fit)."""


# Aliases, compared after lower-casing and turning ``-``/space into ``_``. Task labels map to themselves too.
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "sentiment": {
        "negative": ("neg", "negatif", "négatif", "bad"),
        "neutral": ("neu", "neutre", "neut", "mixed"),
        "positive": ("pos", "positif", "good"),
    },
    "toxicity": {
        "toxic": ("toxicity", "toxique", "hate", "hateful", "offensive", "abusive", "insult", "off", "hof", "yes"),
        "ok": (
            "non_toxic",
            "nontoxic",
            "not_toxic",
            "non_toxique",
            "clean",
            "normal",
            "neutral",
            "not_hate",
            "nothate",
            "non_hate",
            "not_offensive",
            "non_offensive",
            "not",
            "not_off",
            "no",
            "none",
        ),
    },
    "spam": {
        "spam": ("is_spam", "junk", "yes"),
        "ham": ("not_spam", "non_spam", "nospam", "legit", "legitimate", "normal", "no", "ok"),
    },
    "language": {
        "fr": ("french", "fra", "fre", "français", "francais", "fr_fr"),
        "en": ("english", "eng", "en_us", "en_gb", "anglais"),
        "other": ("others", "autre", "unknown", "und"),
    },
}


def _norm(label: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(label).strip().lower())


def _guess(task: str, name: str, index: int, n_model_labels: int) -> str | None:
    """The task label a model label stands for, or None when it cannot be told."""
    key = _norm(name)
    labels = LABELS[task]
    for label in labels:
        if key == label or key in _ALIASES.get(task, {}).get(label, ()):
            return label
    # Positional names ("LABEL_1", "1"): only meaningful when the model has exactly the task's classes, in the
    # conventional order (binary tasks: negative class first, as in LABELS; sentiment: negative, neutral, positive).
    m = re.fullmatch(r"(?:label_?)?(\d+)", key)
    if m and n_model_labels == len(labels):
        position = int(m.group(1))
        if 0 <= position < len(labels):
            return labels[position]
    return None


def map_labels(task: str, id2label: Mapping[int, str], label_map: Mapping[str, str] | None = None) -> list[str]:
    """For each model output index, the task label it counts towards. Raises :class:`ModelConfigError`."""
    labels = LABELS[task]
    n = len(id2label)
    if n < 2:
        raise ModelConfigError(f"the model has output labels: {n}; a {task} model needs at least 2")
    names = {int(i): str(name) for i, name in id2label.items()}
    if sorted(names) != list(range(n)):
        raise ModelConfigError(f"the model's id2label has unexpected ids: {sorted(names)}")

    overrides: dict[int, str] = {}
    for key, value in (label_map or {}).items():
        target = _norm(value)
        if target not in labels:
            raise ModelConfigError(f"label_map: {value!r} is not a {task} label; use one of {', '.join(labels)}")
        hits = [i for i, name in names.items() if _norm(name) == _norm(key) or str(i) == str(key).strip()]
        if not hits:
            raise ModelConfigError(
                f"label_map: the model has no label {key!r}; its labels are {', '.join(names[i] for i in range(n))}"
            )
        for i in hits:
            overrides[i] = target

    mapping: list[str] = []
    unknown: list[str] = []
    for i in range(n):
        label = overrides.get(i) or _guess(task, names[i], i, n)
        if label is None:
            unknown.append(names[i])
        mapping.append(label or "")
    if unknown:
        raise ModelConfigError(
            f"cannot tell which {task} label these model labels stand for: {', '.join(map(repr, unknown))} "
            f"(model labels: {', '.join(names[i] for i in range(n))}; {task} labels: {', '.join(labels)}). "
            f"Pass label_map, e.g. {{{names[0]!r}: {labels[0]!r}, ...}}"
        )
    if len(set(mapping)) < 2:
        raise ModelConfigError(
            f"every model label maps to {mapping[0]!r}: the model cannot tell {task} labels apart; check label_map"
        )
    if task in POSITIVE and POSITIVE[task] not in mapping:
        raise ModelConfigError(f"no model label maps to {POSITIVE[task]!r}, the label a {task} score measures")
    return mapping


def _import() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ModelConfigError(f"the transformers backend needs torch and transformers: {INSTALL_HINT}") from exc
    return torch, transformers


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in model or model in (".", "..")


def _check_arguments(task: str, model: str, batch_size: int, max_length: int) -> None:
    if task not in TASKS:
        raise ModelConfigError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    if not model or not str(model).strip():
        raise ModelConfigError(f"no model given for the {task} transformer backend (a local path or a model id)")
    if batch_size < 1 or max_length < 2:
        raise ModelConfigError("batch_size must be ≥ 1 and max_length ≥ 2")


def _max_length(asked: int, tokenizer: Any, config: Any) -> int:
    """The asked length, capped by what the tokenizer and the model's position embeddings can take."""
    limits = [asked]
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:
        limits.append(tok_max)
    pos_max = getattr(config, "max_position_embeddings", None)
    if isinstance(pos_max, int) and pos_max > 0:
        limits.append(pos_max)
    return min(limits)


class TransformerBackend:
    """Scores one task with a sequence-classification model. See the module docstring."""

    def __init__(
        self,
        task: str,
        model: str,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        max_length: int = 256,
        label_map: dict[str, str] | None = None,
        offline: bool = False,
    ):
        _check_arguments(task, model, batch_size, max_length)
        self.task = task
        self.model_name = str(model).strip()
        self.model_id = f"transformers:{task}:{self.model_name}"
        self.batch_size = int(batch_size)
        self.offline = offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE

        self._torch, transformers = _import()
        where = self._load(transformers)
        config = self.model.config
        if getattr(config, "problem_type", None) == "multi_label_classification":
            raise ModelConfigError(
                f"{where} is a multi-label model (independent sigmoid outputs); the {task} backend needs "
                "a single-label classifier whose outputs are mutually exclusive"
            )
        self.mapping = map_labels(task, config.id2label, label_map)
        self._to_device(device)
        self._ensure_padding(where)
        self.max_length = _max_length(int(max_length), self.tokenizer, config)

    def _load(self, transformers: Any) -> str:
        """Load the tokenizer and the model; return where they came from, as messages name it."""
        source, local = self._locate()
        kwargs: dict[str, Any] = {"local_files_only": local or self.offline}
        where = f"local directory {source}" if local else f"model id {source!r}"
        if not local and self.offline:
            where += " (offline: looked in the Hugging Face cache only)"
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
        except Exception as exc:
            raise ModelConfigError(f"cannot load the tokenizer of {where}: {exc}") from exc
        try:
            self.model = transformers.AutoModelForSequenceClassification.from_pretrained(source, **kwargs)
        except Exception as exc:
            raise ModelConfigError(f"cannot load a sequence-classification model from {where}: {exc}") from exc
        return where

    def _to_device(self, device: str) -> None:
        try:
            self.device = self._torch.device(device)
            self.model.to(self.device)
        except Exception as exc:
            raise ModelConfigError(f"cannot use device {device!r} for the {self.task} model: {exc}") from exc
        self.model.eval()

    def _ensure_padding(self, where: str) -> None:
        """Decoder-style classifiers (GPT-2...) ship without a padding token: batches pad with the end token."""
        if self.tokenizer.pad_token is None:
            if self.tokenizer.eos_token is None:
                raise ModelConfigError(f"the tokenizer of {where} has neither a padding nor an end token")
            self.tokenizer.pad_token = self.tokenizer.eos_token
            self.model.config.pad_token_id = self.tokenizer.pad_token_id

    def _locate(self) -> tuple[str, bool]:
        """(what to pass to from_pretrained, whether it is a local directory)."""
        path = Path(self.model_name).expanduser()
        if path.exists():
            if not path.is_dir():
                raise ModelConfigError(
                    f"the {self.task} model path {path} is a file; give the directory written by save_pretrained"
                )
            if not (path / "config.json").is_file():
                raise ModelConfigError(f"the {self.task} model directory {path} has no config.json")
            return str(path.resolve()), True
        if _looks_like_path(self.model_name):
            raise ModelConfigError(f"the {self.task} model path {path} does not exist")
        return self.model_name, False

    # Inference ---------------------------------------------------------------------------------------------------
    def _probs(self, texts: Sequence[str]) -> list[list[float]]:
        """Probabilities over the model's own outputs, one row per text, in order. Raises on failure."""
        torch = self._torch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths together: less padding
        rows: list[list[float]] = [[] for _ in texts]
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                enc = self.tokenizer(
                    [texts[i] for i in chunk],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                enc = {k: v.to(self.device) for k, v in enc.items()}
                logits = self.model(**enc).logits.float()
                probs = torch.softmax(logits, dim=-1).cpu().tolist()
                for i, row in zip(chunk, probs, strict=True):
                    rows[i] = row
        return rows

    def _safe_probs(self, texts: Sequence[str]) -> list[list[float] | None]:
        """Like :meth:`_probs`, but a text that breaks the model gets None instead of failing its batch."""
        if not texts:
            return []
        try:
            return list(self._probs(texts))
        except Exception:
            log.warning("transformer batch failed for %s; scoring its texts one by one", self.model_id, exc_info=True)
        out: list[list[float] | None] = []
        for text in texts:
            try:
                out.append(self._probs([text])[0])
            except Exception:
                log.warning("transformer scoring failed for one text with %s", self.model_id, exc_info=True)
                out.append(None)
        return out

    def _task_probs(self, row: Sequence[float]) -> dict[str, float]:
        p = dict.fromkeys(LABELS[self.task], 0.0)
        for label, value in zip(self.mapping, row, strict=True):
            p[label] += float(value)
        return p

    def _pick(self, p: dict[str, float]) -> tuple[str, float]:
        if self.task in POSITIVE:
            positive = POSITIVE[self.task]
            return (positive if p[positive] >= 0.5 else LABELS[self.task][0]), p[positive]
        label = max(LABELS[self.task], key=p.__getitem__)
        return label, p[label]

    def _target(self, p: dict[str, float]) -> str:
        """The label an explanation is about: the positive label (binary tasks) or the predicted one."""
        return POSITIVE[self.task] if self.task in POSITIVE else self._pick(p)[0]

    @staticmethod
    def _log_odds(p: float) -> float:
        p = min(max(p, 1e-7), 1 - 1e-7)
        return math.log(p / (1 - p))

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        results: list[Result | None] = [None] * len(batch)
        todo: list[int] = []
        for i, doc in enumerate(batch.docs):
            if doc.skip:
                results[i] = NotScored(doc.skip)
            elif not doc.text or not doc.text.strip():
                results[i] = NotScored("empty")
            else:
                todo.append(i)
        rows = self._safe_probs([batch.docs[i].text for i in todo])
        scored: dict[int, dict[str, float]] = {}
        for i, row in zip(todo, rows, strict=True):
            if row is None:
                results[i] = NotScored("error")
                continue
            p = self._task_probs(row)
            label, value = self._pick(p)
            results[i] = Score(label, value, p, self.model_id)
            scored[i] = p
        if explain and scored:
            try:
                self._explain(batch, scored, results)
            except Exception:  # an explanation is a bonus; the scores stand without it
                log.warning("transformer explanation failed for %s", self.model_id, exc_info=True)
        return [r if r is not None else NotScored("error") for r in results]

    def _explain(self, batch: DocBatch, scored: dict[int, dict[str, float]], results: list[Result | None]) -> None:
        """Leave-one-word-out occlusion, all variants of all texts scored together in batches."""
        variants: list[str] = []
        plans: dict[int, list[tuple[str, int]]] = {}  # doc index → [(word, variant index)]
        for i in scored:
            tokens = batch.docs[i].text.split()
            seen: dict[str, None] = {}
            for token in tokens:
                word = _EDGE_PUNCT.sub("", token).lower() or token
                seen.setdefault(word, None)
                if len(seen) >= MAX_OCCLUDED:
                    break
            plan = []
            for word in seen:
                kept = [t for t in tokens if (_EDGE_PUNCT.sub("", t).lower() or t) != word]
                plan.append((word, len(variants)))
                variants.append(" ".join(kept))
            plans[i] = plan
        rows = self._safe_probs(variants)
        for i, plan in plans.items():
            p = scored[i]
            target = self._target(p)
            base = self._log_odds(p[target])
            contributions = []
            for word, v in plan:
                row = rows[v]
                if row is None:
                    continue
                without = self._task_probs(row)[target]  # an emptied text is scored too: the model's baseline
                contributions.append(Contribution(word, base - self._log_odds(without)))
            contributions.sort(key=lambda c: -abs(c.weight))
            result = results[i]
            if isinstance(result, Score):
                result.explanation = [c for c in contributions[:TOP_CONTRIBUTIONS] if abs(c.weight) > 1e-6]
