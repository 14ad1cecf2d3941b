"""The enrichment step: language first, then spam, toxicity and sentiment, for a batch, never failing as a whole.

Ingest (``inbox.ingest``, through :func:`message_scores`) and ``federe nlp score`` both go through :func:`enrich`,
so what the command prints is what ingest stores.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from federe.nlp.backends import best, for_workspace
from federe.nlp.base import TASKS, Doc, DocBatch, NotScored, Result, Score
from federe.nlp.text import prepare

log = logging.getLogger(__name__)


def _score_safely(
    task: str, workspace_id: int | None, batch: DocBatch, explain: bool, deep: bool = False
) -> list[Result]:
    try:
        backend = best(workspace_id, task) if deep else for_workspace(workspace_id, task)
    except Exception:
        # A misconfigured or missing model must not stop ingest: the messages are stored, unscored, and say why.
        log.exception("the %s backend cannot be loaded", task)
        return [NotScored("backend_unavailable") for _ in batch.docs]
    try:
        return backend.score(batch, explain=explain)
    except Exception:
        # One document broke the backend: score one by one so that only that document goes unscored.
        log.exception("%s backend failed on a batch of %d; scoring one by one", task, len(batch))
        out: list[Result] = []
        for doc in batch.docs:
            try:
                out += backend.score(DocBatch([doc]), explain=explain)
            except Exception:
                log.exception("%s backend failed on one document", task)
                out.append(NotScored("error"))
        return out


def detect_languages(batch: DocBatch, keep_language: Sequence[bool] | None = None) -> list[Result]:
    """The language of each document; ``doc.language`` is set from it unless ``keep_language`` says the network
    already told us."""
    languages = _score_safely("language", None, batch, False)
    for i, (doc, result) in enumerate(zip(batch.docs, languages, strict=True)):
        if isinstance(result, Score) and not (keep_language and keep_language[i]):
            doc.language = result.label
    return languages


@dataclass
class Ready:
    """Work done before :func:`enrich` for its documents, in their order: each one's language result, and the rows
    of the feature matrix (``None``: computed when a model needs it)."""

    languages: Sequence[Result]
    features: Any = None


def enrich(
    docs: Sequence[Doc],
    *,
    workspace_id: int | None = None,
    tasks: Iterable[str] = TASKS,
    explain: bool = False,
    keep_language: Sequence[bool] | None = None,
    deep: bool = False,
    ready: Ready | None = None,
) -> dict[str, list[Result]]:
    """Scores per task, one result per document, in order. ``doc.language`` is set from the language task,
    except where ``keep_language`` says the network already told us. ``deep`` asks for the best score available
    (the deep tier when installed); ingest leaves it off and keeps the fast tier. ``ready`` is what ingest already
    computed for these documents (their languages and feature rows, ``inbox.prepare``): not computed again."""
    wanted = [t for t in TASKS if t in set(tasks)]
    batch = DocBatch(docs, features=ready.features if ready else None)
    results: dict[str, list[Result]] = {}
    languages = list(ready.languages) if ready else detect_languages(batch, keep_language)
    if "language" in wanted:
        results["language"] = languages
    for task in wanted:
        if task != "language":
            results[task] = _score_safely(task, workspace_id, batch, explain, deep)
    return results


def message_fields(doc: Doc, results: dict[str, list[Result]], i: int) -> dict[str, Any]:
    """The Message columns for document ``i`` of an :func:`enrich` call."""
    fields: dict[str, Any] = {"spam_score": None, "toxicity_score": None, "sentiment": "", "sentiment_score": None}
    info: dict[str, Any] = {"models": {}}
    not_scored: dict[str, str] = {}
    for task, per_doc in results.items():
        result = per_doc[i]
        if isinstance(result, NotScored):
            not_scored[task] = result.reason
            continue
        info["models"][task] = result.model
        if task == "spam":
            fields["spam_score"] = result.score
        elif task == "toxicity":
            fields["toxicity_score"] = result.score
        elif task == "sentiment":
            fields["sentiment"] = result.label
            fields["sentiment_score"] = result.score
    if not_scored:
        info["not_scored"] = not_scored
    if doc.notes:
        info["notes"] = list(doc.notes)
    fields["nlp"] = info
    return fields


@dataclass(frozen=True)
class ToScore:
    """One message for :func:`message_scores`: its text, the language its network gave (or ''), and whether it
    is its author's first message (a rule and the spam model both weigh it)."""

    text: str
    language: str = ""
    first_message: bool = False


def message_scores(
    workspace_id: int, messages: Sequence[ToScore], *, docs: list[Doc] | None = None, ready: Ready | None = None
) -> list[dict[str, Any]]:
    """The classifier columns of each message (language, spam, toxicity, sentiment, details), in one batch.
    ``docs`` and ``ready``: the messages already prepared and their languages found (``inbox.prepare``)."""
    if not messages:
        return []
    if docs is None:
        docs = [prepare(m.text, language=m.language, meta={"first_message": m.first_message}) for m in messages]
    results = enrich(docs, workspace_id=workspace_id, keep_language=[bool(m.language) for m in messages], ready=ready)
    out = []
    for i, (message, doc) in enumerate(zip(messages, docs, strict=True)):
        fields = message_fields(doc, results, i)
        fields["language"] = message.language or doc.language
        out.append(fields)
    return out


def score_lines(
    task: str, lines: Iterable[str | bytes], *, workspace_id: int | None = None, explain: bool = False, size: int = 500
) -> Iterable[dict[str, Any]]:
    """``federe nlp score``: one JSON-ready dict per input line, in order, in batches of ``size``, with the best
    score available (the deep tier when it is installed). Each line is scored on its own: a batch shares the work,
    never statistics (the deep heads centre with the shipped default, or the workspace's own means)."""
    if task not in TASKS:
        raise ValueError(task)
    chunk: list[Doc] = []

    def flush() -> Iterable[dict[str, Any]]:
        results = enrich(chunk, workspace_id=workspace_id, tasks=[task], explain=explain, deep=True)
        for i, doc in enumerate(chunk):
            result = results[task][i]
            out = result.as_dict()
            if not explain:
                out.pop("explanation", None)
            elif isinstance(result, Score):
                out.setdefault("explanation", [])
            out["language"] = doc.language
            if doc.notes:
                out["notes"] = doc.notes
            yield out

    for line in lines:
        line = line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n")
        chunk.append(prepare(line))
        if len(chunk) >= size:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()
