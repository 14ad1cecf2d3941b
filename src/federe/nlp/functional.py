"""``federe nlp evaluate --functional``: our own functional suite (``tests/nlp/functional/``), scored case by case.

Each case is one short message written for community management, in French or English, with the label a moderator
would expect for one task (sentiment, toxicity or spam) and the *functionality* it tests (polite complaint, sarcasm,
quoted insult, spam in capitals...). The figures are accuracies per functionality and per language: a map of where
the classifiers fail, never a pass/fail threshold.

Cases are scored through :func:`federe.nlp.pipeline.score_lines`, the path of ``federe nlp score``, so the figures
are those of the best model that command uses. A case the model does not score (another language, an error) counts
as a miss.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from federe.nlp.base import LABELS
from federe.nlp.evaluate import grid

#: The suite, kept with the tests (it is not shipped in the wheel).
CASES = Path(__file__).resolve().parents[3] / "tests" / "nlp" / "functional" / "cases.csv"
FIELDS = ("id", "language", "task", "functionality", "text", "gold")
TASKS = ("sentiment", "toxicity", "spam")
LANGUAGES = ("fr", "en")

#: Scores one task on a list of texts: one dict per text, in order, shaped like ``federe nlp score``'s lines
#: (``label``, None when not scored, and ``model``).
Scorer = Callable[[str, Sequence[str]], list[dict]]


class SuiteError(ValueError):
    """The cases file cannot be read as a functional suite; the message says where and why."""


@dataclass(frozen=True)
class Case:
    id: str
    language: str
    task: str
    functionality: str
    text: str
    gold: str


def load(path: Path = CASES) -> list[Case]:
    """Every case of the CSV file, checked: known columns, language, task and a label of that task."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != FIELDS:
                raise SuiteError(f"{path}: the columns must be {', '.join(FIELDS)}")
            cases = [Case(**{k: (row[k] or "").strip() for k in FIELDS}) for row in reader]
    except FileNotFoundError as exc:
        raise SuiteError(f"{path}: no such file (the suite is in the project's checkout: pass its path)") from exc
    except (UnicodeDecodeError, csv.Error, TypeError) as exc:
        raise SuiteError(f"{path}: not a readable CSV file ({exc})") from exc
    for line, case in enumerate(cases, start=2):
        if case.language not in LANGUAGES or case.task not in TASKS or case.gold not in LABELS[case.task]:
            raise SuiteError(f"{path}, line {line}: unknown language, task or label for {case.id!r}")
    return cases


def score_command(task: str, texts: Sequence[str]) -> list[dict]:
    """``federe nlp score TASK`` on these texts: the best score available, shipped models, no workspace."""
    from federe.nlp.pipeline import score_lines

    return list(score_lines(task, texts))


def score_fast(task: str, texts: Sequence[str]) -> list[dict]:
    """The fast tier, as ingest scores: :func:`federe.nlp.pipeline.enrich` with its defaults, no workspace."""
    from federe.nlp.pipeline import enrich
    from federe.nlp.text import prepare

    return [result.as_dict() for result in enrich([prepare(t) for t in texts], tasks=[task])[task]]


#: The scorers of ``federe nlp evaluate --functional``: the fast tier, and ``federe nlp score``'s choice, which is the
#: deep tier when it is installed; that column is left out when it used the same models as the first (no deep tier).
SCORERS: dict[str, Scorer] = {"fast tier": score_fast, "deep tier": score_command}


def predictions(cases: Sequence[Case], scorer: Scorer) -> tuple[list[str | None], dict[str, set[str]]]:
    """The scorer's label for every case, in order, and the models that answered, per task."""
    labels: list[str | None] = [None] * len(cases)
    models: dict[str, set[str]] = defaultdict(set)
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by_task[case.task].append(i)
    for task, indexes in by_task.items():
        outs = scorer(task, [cases[i].text for i in indexes])
        if len(outs) != len(indexes):
            raise ValueError(f"the {task} scorer returned {len(outs)} results for {len(indexes)} texts")
        for i, out in zip(indexes, outs, strict=True):
            labels[i] = out.get("label")
            if out.get("model"):
                models[task].add(out["model"])
    return labels, models


@dataclass
class Tally:
    hits: int = 0
    total: int = 0
    not_scored: int = 0

    def add(self, gold: str, predicted: str | None) -> None:
        self.total += 1
        self.hits += predicted == gold
        self.not_scored += predicted is None

    @property
    def accuracy(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass
class Line:
    """One row of the report: a functionality of a task, a task's total, or the whole suite's."""

    task: str
    functionality: str
    gold: str
    #: scorer name → language ("fr", "en" or "all") → tally
    tallies: dict[str, dict[str, Tally]] = field(default_factory=dict)

    def tally(self, scorer: str, language: str) -> Tally:
        return self.tallies.setdefault(scorer, {}).setdefault(language, Tally())


ALL = "all"


def summarise(cases: Sequence[Case], predicted: dict[str, Sequence[str | None]]) -> list[Line]:
    """Per functionality (in the file's order), then per task, then the whole suite; every language and both."""
    lines: dict[tuple[str, str], Line] = {}
    golds: dict[tuple[str, str], list[str]] = defaultdict(list)
    for case in cases:
        key = (case.task, case.functionality)
        if case.gold not in golds[key]:
            golds[key].append(case.gold)
    keys = list(golds) + [(t, ALL) for t in TASKS if any(c.task == t for c in cases)] + [(ALL, ALL)]
    for key in keys:
        lines[key] = Line(key[0], key[1], " / ".join(golds.get(key, [])))
    for scorer, labels in predicted.items():
        for case, label in zip(cases, labels, strict=True):
            for key in ((case.task, case.functionality), (case.task, ALL), (ALL, ALL)):
                for language in (case.language, ALL):
                    lines[key].tally(scorer, language).add(case.gold, label)
    return list(lines.values())


def _cell(line: Line, scorer: str) -> str:
    parts = []
    for language in (*LANGUAGES, ALL):
        accuracy = line.tally(scorer, language).accuracy
        parts.append("—" if accuracy is None else f"{accuracy:.2f}")
    return " / ".join(parts)


def as_table(lines: Sequence[Line], scorers: Sequence[str], markdown: bool = False) -> str:
    """Cases and accuracy as "fr / en / both" for each scorer; a dash where a language has no case."""
    header = ("task", "functionality", "gold", "cases fr / en", *(f"{s}: fr / en / both" for s in scorers))
    cells = []
    for line in lines:
        first = line.tallies[scorers[0]] if scorers else {}
        counts = " / ".join(str(first[lang].total) if lang in first else "0" for lang in LANGUAGES)
        cells.append((line.task, line.functionality, line.gold, counts, *(_cell(line, s) for s in scorers)))
    return grid(header, cells, markdown)


def run(scorers: dict[str, Scorer], path: Path = CASES) -> tuple[list[Line], dict[str, dict[str, set[str]]]]:
    """Load the suite, score it with each scorer; the report's lines and, per scorer, the models that answered.
    A scorer that answered with exactly the models of an earlier one is left out (its figures would repeat)."""
    cases = load(path)
    predicted: dict[str, Sequence[str | None]] = {}
    models: dict[str, dict[str, set[str]]] = {}
    for name, scorer in scorers.items():
        labels, used = predictions(cases, scorer)
        if used not in models.values():
            predicted[name], models[name] = labels, used
    return summarise(cases, predicted), models
