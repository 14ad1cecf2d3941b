"""Our functional suite (tests/nlp/functional/cases.csv): the file's integrity, and the evaluator's arithmetic.

The suite's accuracy is a figure (docs/models.md), never a pass/fail threshold: nothing here asserts a model's score.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from federe.nlp import functional, pipeline
from federe.nlp.base import LABELS, DocBatch, Score

ISSUE_SENTENCES = {  # (task, text) → gold, verbatim from issue 14
    ("spam", "GAGNEZ un iPhone 17 GRATUIT !!! Cliquez ici"): "spam",
    ("toxicity", "GAGNEZ un iPhone 17 GRATUIT !!! Cliquez ici"): "ok",
    ("sentiment", "LOL Café Lumière c'est une arnaque"): "negative",
    ("sentiment", "I disagree, the whole beans was better before."): "negative",
    ("toxicity", "I disagree, the whole beans was better before."): "ok",
    ("sentiment", "Je ne suis pas d'accord, le service client était mieux avant."): "negative",
    ("toxicity", "Je ne suis pas d'accord, le service client était mieux avant."): "ok",
    ("toxicity", "vous êtes vraiment des incapables"): "toxic",
}


@pytest.fixture(scope="module")
def cases():
    return functional.load()


def test_the_file_has_a_few_hundred_cases_with_unique_ids_and_valid_labels(cases):
    assert len(cases) >= 300
    ids = Counter(c.id for c in cases)
    assert [i for i, n in ids.items() if n > 1] == []
    for case in cases:
        assert case.language in ("fr", "en") and case.task in ("sentiment", "toxicity", "spam"), case.id
        assert case.gold in LABELS[case.task], case.id
        assert re.fullmatch(r"[a-z_]+", case.functionality), case.id
        assert case.text and case.text == case.text.strip() and "\n" not in case.text and "\r" not in case.text


def test_every_functionality_has_at_least_8_cases_in_each_language_it_claims(cases):
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for case in cases:
        counts[(case.task, case.functionality)][case.language] += 1
    thin = {key: dict(per) for key, per in counts.items() if min(per.values()) < 8}
    assert thin == {}
    for task in functional.TASKS:  # every task is tested in both languages
        assert {lang for (t, _), per in counts.items() if t == task for lang in per} == {"fr", "en"}


def test_no_text_appears_twice_in_one_task(cases):
    seen = Counter((c.task, " ".join(c.text.casefold().split())) for c in cases)
    assert [key for key, n in seen.items() if n > 1] == []


def test_the_issues_sentences_are_in_it_with_sensible_gold(cases):
    gold = {(c.task, c.text): c.gold for c in cases}
    assert {key: gold.get(key) for key in ISSUE_SENTENCES} == ISSUE_SENTENCES


# -- the evaluator, on a tiny suite and a scorer whose answers are known ---------------------------------------------

TINY = [
    ("t1", "fr", "toxicity", "insult", "tu es nul", "toxic"),
    ("t2", "fr", "toxicity", "insult", "vous êtes nuls", "toxic"),
    ("t3", "en", "toxicity", "insult", "you idiot", "toxic"),
    ("t4", "en", "toxicity", "quote", 'he called me "idiot"', "ok"),
    ("s1", "fr", "spam", "caps", "GAGNEZ", "spam"),
    ("s2", "en", "spam", "caps", "WIN", "spam"),
    ("s3", "en", "spam", "caps", "hola amigos", "spam"),
]


def _write(tmp_path, rows, header=functional.FIELDS):
    path = tmp_path / "cases.csv"
    out = StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


KNOWN = {  # the scorer's answer for each text: None is "not scored"
    "tu es nul": "toxic",
    "vous êtes nuls": "ok",
    "you idiot": "toxic",
    'he called me "idiot"': "toxic",
    "GAGNEZ": "ham",
    "WIN": "spam",
    "hola amigos": None,
}


def known_scorer(task, texts):
    return [{"label": KNOWN[t], "model": f"fake:{task}"} for t in texts]


def _by_key(lines):
    return {(line.task, line.functionality): line for line in lines}


def test_accuracy_per_functionality_per_language_and_totals(tmp_path):
    lines, models = functional.run({"fake": known_scorer}, _write(tmp_path, TINY))
    got = {
        key: {lang: (t.hits, t.total, t.not_scored) for lang, t in line.tallies["fake"].items()}
        for key, line in _by_key(lines).items()
    }
    assert got == {
        ("toxicity", "insult"): {"fr": (1, 2, 0), "en": (1, 1, 0), "all": (2, 3, 0)},
        ("toxicity", "quote"): {"en": (0, 1, 0), "all": (0, 1, 0)},
        ("spam", "caps"): {"fr": (0, 1, 0), "en": (1, 2, 1), "all": (1, 3, 1)},
        ("toxicity", "all"): {"fr": (1, 2, 0), "en": (1, 2, 0), "all": (2, 4, 0)},
        ("spam", "all"): {"fr": (0, 1, 0), "en": (1, 2, 1), "all": (1, 3, 1)},
        ("all", "all"): {"fr": (1, 3, 0), "en": (2, 4, 1), "all": (3, 7, 1)},
    }
    assert [(line.task, line.functionality) for line in lines][-1] == ("all", "all")
    assert models == {"fake": {"toxicity": {"fake:toxicity"}, "spam": {"fake:spam"}}}


def test_table_shows_accuracy_per_language_and_a_dash_where_a_language_has_no_case(tmp_path):
    lines, _ = functional.run({"fake": known_scorer}, _write(tmp_path, TINY))
    table = functional.as_table(lines, ["fake"], markdown=True).splitlines()
    assert table[0] == "| task | functionality | gold | cases fr / en | fake: fr / en / both |"
    assert "| toxicity | insult | toxic | 2 / 1 | 0.50 / 1.00 / 0.67 |" in table
    assert "| toxicity | quote | ok | 0 / 1 | — / 0.00 / 0.00 |" in table
    assert "| all | all |  | 3 / 4 | 0.33 / 0.50 / 0.43 |" in table


def test_two_scorers_are_tallied_apart(tmp_path):
    def always_toxic(task, texts):
        return [{"label": "toxic" if task == "toxicity" else "spam", "model": "eager"} for _ in texts]

    lines, models = functional.run({"fake": known_scorer, "eager": always_toxic}, _write(tmp_path, TINY))
    total = _by_key(lines)[("all", "all")]
    assert total.tally("fake", "all").hits == 3
    assert total.tally("eager", "all").hits == 6  # every gold but the quote's "ok"
    assert list(models) == ["fake", "eager"]


def test_a_scorer_that_used_the_same_models_as_an_earlier_one_is_left_out(tmp_path):
    lines, models = functional.run({"fast": known_scorer, "best": known_scorer}, _write(tmp_path, TINY))
    assert list(models) == ["fast"]
    assert set(lines[-1].tallies) == {"fast"}


def test_a_scorer_that_drops_a_text_is_refused(tmp_path):
    with pytest.raises(ValueError, match="toxicity scorer returned 2 results for 4 texts"):
        functional.run({"short": lambda task, texts: known_scorer(task, texts)[:2]}, _write(tmp_path, TINY))


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([("x", "fr", "toxicity", "f", "t", "maybe")], functional.FIELDS, "line 2: unknown language, task or label"),
        ([("x", "de", "toxicity", "f", "t", "ok")], functional.FIELDS, "line 2: unknown"),
        ([("x", "fr", "language", "f", "t", "fr")], functional.FIELDS, "line 2: unknown"),
        ([("x", "fr", "toxicity", "t", "ok")], ("id", "language", "task", "text", "gold"), "the columns must be"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why(tmp_path, rows, header, message):
    with pytest.raises(functional.SuiteError, match=message):
        functional.load(_write(tmp_path, rows, header))


def test_a_missing_or_binary_file_is_refused(tmp_path):
    with pytest.raises(functional.SuiteError, match="no such file"):
        functional.load(tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(functional.SuiteError):
        functional.load(tmp_path / "bin.csv")


# -- the default scorer is `federe nlp score`'s path ------------------------------------------------------------------


class FakeBackend:
    """Language: always French. Other tasks: the positive label when the text holds "idiot" or "WIN"."""

    def __init__(self, task):
        self.task = task
        self.model_id = f"fake:{task}"

    def score(self, batch: DocBatch, *, explain: bool = False):
        out = []
        for doc in batch.docs:
            if self.task == "language":
                out.append(Score("fr", float("nan"), {"fr": 1.0}, self.model_id))
                continue
            neg, pos = LABELS[self.task][0], LABELS[self.task][-1]
            label = pos if ("idiot" in doc.text or "WIN" in doc.text) else neg
            out.append(Score(label, 1.0 if label == pos else 0.0, {label: 1.0}, self.model_id))
        return out


@pytest.fixture
def fake_backends(monkeypatch):
    fake = lambda workspace_id, task: FakeBackend(task)  # noqa: E731
    monkeypatch.setattr(pipeline, "for_workspace", fake)
    monkeypatch.setattr(pipeline, "best", fake, raising=False)  # the deep tier's choice, where it exists


@pytest.mark.parametrize("scorer", list(functional.SCORERS.values()))
def test_both_scorers_go_through_the_pipeline(fake_backends, scorer):
    outs = scorer("toxicity", ["you idiot", "merci"])
    assert [(o["label"], o["model"]) for o in outs] == [("toxic", "fake:toxicity"), ("ok", "fake:toxicity")]


def test_the_command_prints_the_table_and_the_models(fake_backends, tmp_path):
    out = StringIO()
    call_command(
        "nlp", "evaluate", "--functional", str(_write(tmp_path, TINY)), "--markdown", stdout=out, stderr=StringIO()
    )
    text = out.getvalue()
    # fake backend: t1, t2 → ok (misses), t3 → toxic (hit), t4 → toxic (miss); s1, s3 → ham (misses), s2 → spam (hit)
    assert "| task | functionality | gold | cases fr / en | fast tier: fr / en / both |" in text
    assert "| toxicity | insult | toxic | 2 / 1 | 0.00 / 1.00 / 0.33 |" in text
    assert "| spam | caps | spam | 1 / 2 | 0.00 / 0.50 / 0.33 |" in text
    assert "fast tier: 7 cases, 0 not scored" in text
    assert "- toxicity: fake:toxicity" in text
    assert "No deep tier here" in text  # one column: no deep tier in this test


def test_the_command_refuses_a_missing_file_clearly(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "nlp", "evaluate", "--functional", str(tmp_path / "nope.csv"), stdout=StringIO(), stderr=StringIO()
        )
