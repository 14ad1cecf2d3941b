"""Readers for the public labelled data in ``../shared/datasets`` (see its README for licences).

Nothing here is shipped data: these functions read the files where they are, to train the shipped models
(``federe nlp train``) and to evaluate them (``federe nlp evaluate``). Splits are seeded and documented.
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SEED = 20261123


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    group: str = ""  # video, language, functionality...


def root() -> Path:
    """``FEDERE_DATASETS_DIR``, or ``../shared/datasets`` beside the project checkout."""
    configured = os.environ.get("FEDERE_DATASETS_DIR")
    path = Path(configured) if configured else Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
    if not path.is_dir():
        raise ImproperlyConfigured(
            f"The datasets folder {path} does not exist; set FEDERE_DATASETS_DIR to the shared datasets folder."
        )
    return path


YOUTUBE_VIDEOS = ("Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem")


def youtube(video: str) -> list[Example]:
    with open(root() / "spam" / "youtube" / f"{video}.csv", encoding="utf-8", newline="") as f:
        return [
            Example(row["CONTENT"], "spam" if row["CLASS"].strip() == "1" else "ham", video)
            for row in csv.DictReader(f)
        ]


def sms() -> list[Example]:
    out = []
    with open(root() / "spam" / "sms" / "SMSSpamCollection", encoding="utf-8", errors="replace") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            if label in ("ham", "spam"):
                out.append(Example(text, label, "sms"))
    return out


def mlma(language: str) -> list[Example]:
    """MLMA tweets; the authors' binary rule: a single ``normal`` label is non-toxic, anything else toxic."""
    with open(root() / "toxicity" / "mlma" / f"{language}_dataset.csv", encoding="utf-8", newline="") as f:
        return [
            Example(row["tweet"], "ok" if row["sentiment"].strip() == "normal" else "toxic", f"mlma-{language}")
            for row in csv.DictReader(f)
        ]


def davidson() -> list[Example]:
    """Davidson et al.: hate (0) and offensive (1) are toxic, neither (2) is not."""
    with open(root() / "toxicity" / "davidson" / "labeled_data.csv", encoding="utf-8", newline="") as f:
        return [
            Example(row["tweet"], "ok" if row["class"].strip() == "2" else "toxic", "davidson")
            for row in csv.DictReader(f)
        ]


def hatecheck_fr() -> list[Example]:
    path = root() / "toxicity" / "hatecheck_fr" / "hatecheck_cases_final_french.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return [
            Example(row["test_case"], "toxic" if row["label_gold"] == "hateful" else "ok", row["functionality"])
            for row in csv.DictReader(f)
        ]


def split(examples: list[Example], test_share: float = 0.2, seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """A seeded, stratified split: the same examples land in the test part on every machine."""
    by_label: dict[str, list[Example]] = {}
    for ex in examples:
        by_label.setdefault(ex.label, []).append(ex)
    train: list[Example] = []
    test: list[Example] = []
    rng = random.Random(seed)
    for label in sorted(by_label):
        items = by_label[label][:]
        rng.shuffle(items)
        cut = round(len(items) * test_share)
        test += items[:cut]
        train += items[cut:]
    return train, test


def sms_published_split() -> tuple[list[Example], list[Example]]:
    """Almeida et al. (2011): the first 30% of the collection trains, the remaining 70% tests."""
    data = sms()
    cut = round(len(data) * 0.3)
    return data[:cut], data[cut:]


GOEMOTIONS_GROUPS = {"1": "negative", "2": "neutral", "3": "positive"}


def goemotions(part: str) -> list[Example]:
    """GoEmotions "group" labels (English Reddit, Apache-2.0), 3-class: rows with several labels or with
    "ambiguous" are left out. ``part`` is ``train``, ``dev`` or ``test``."""
    out = []
    with open(root() / "sentiment" / "goemotions" / f"{part}.tsv", encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 2 and cells[1] in GOEMOTIONS_GROUPS:
                out.append(Example(cells[0], GOEMOTIONS_GROUPS[cells[1]], "goemotions"))
    return out


def rtp_lx(language: str) -> list[Example]:
    """RTP-LX prompts (MIT + Apache-2.0), ``fr`` or ``en``: toxic when the mean Toxicity rating is at least 3."""
    import json

    out = []
    path = root() / "toxicity" / "rtp_lx" / f"RTP_LX_{language.upper()}.json"
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                toxic = float(row["Annotations"]["Toxicity"]) >= 3
                out.append(Example(row["Prompt"], "toxic" if toxic else "ok", f"rtp-lx-{language}"))
    return out
