"""The sentiment backend: a text's hits summed into a compound score, then three probabilities."""

from __future__ import annotations

import math
import re
import unicodedata

from federe.nlp.base import Contribution, DocBatch, NotScored, Result, Score
from federe.nlp.sentiment.lexicon import get_state
from federe.nlp.sentiment.params import DEFAULT_PARAMS, Params
from federe.nlp.sentiment.scan import Scan, scan

VERSION = "2026-11-23"
MODEL_ID = f"lexicon:sentiment@{VERSION}"
LABELS = ("negative", "neutral", "positive")

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _clean(text: str) -> str:
    if not text.isascii():
        text = text.translate(_APOSTROPHES)
        if _COMBINING.search(text):
            text = unicodedata.normalize("NFC", text)
            if _COMBINING.search(text):  # zalgo or decomposed letters: keep the base letters
                text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    return text


def _total(found: Scan, p: Params) -> float:
    total = 0.0
    for item in found.vals:
        total += item[1]
    if total and found.excl:
        bump = p.exclamation * min(found.excl, 4)
        bump = bump if total > 0 else -bump
        found.vals.append(["!" * min(found.excl, 3), bump, False, True])
        total += bump
    elif found.question and total:
        total *= p.question
    return total


def _pick(text: str, language: str, p: Params) -> Scan:
    """The scan in the text's language; for an unknown language, the one that found more (or stronger) hits."""
    state = get_state()
    text = _clean(text)
    toks = state.token.findall(text)
    all_caps = text.isupper()
    if language in state.langs:
        return scan(toks, all_caps, state.langs[language], p)
    fr = scan(toks, all_caps, state.langs["fr"], p)
    en = scan(toks, all_caps, state.langs["en"], p)
    if fr.hits != en.hits:
        return fr if fr.hits > en.hits else en
    return fr if abs(sum(v[1] for v in fr.vals)) > abs(sum(v[1] for v in en.vals)) else en


def compound(total: float, p: Params = DEFAULT_PARAMS) -> float:
    return total / math.sqrt(total * total + p.alpha)


def probabilities(c: float, p: Params = DEFAULT_PARAMS) -> tuple[float, float, float]:
    """(negative, neutral, positive) from a compound score: a softmax with a neutral band."""
    a = 1.0 / p.temperature
    z_pos = a * (c - p.pos_threshold)
    z_neg = a * (-c - p.neg_threshold)
    top = max(z_pos, z_neg, 0.0)
    e_pos = math.exp(z_pos - top)
    e_neg = math.exp(z_neg - top)
    e_neu = math.exp(-top)
    s = e_pos + e_neg + e_neu
    return e_neg / s, e_neu / s, e_pos / s


def lexicon_features(text: str, language: str, params: Params = DEFAULT_PARAMS) -> dict[str, float]:
    """The lexicon's view of a text, as numbers a learned model can use."""
    try:
        found = _pick(text or "", language, params)
    except Exception:  # never fail a batch on one text
        found = Scan()
    pos = float(sum(v[1] for v in found.vals if v[1] > 0))
    neg = float(sum(v[1] for v in found.vals if v[1] < 0))
    total = _total(found, params)
    return {
        "pos_sum": pos,
        "neg_sum": neg,
        "total": float(total),
        "compound": compound(total, params),
        "n_hits": float(found.hits),
        "n_pos": float(sum(1 for v in found.vals if v[1] > 0)),
        "n_neg": float(sum(1 for v in found.vals if v[1] < 0)),
        "negated": float(found.negated),
        "n_emoji": float(found.emoji),
        "emoji_sum": float(sum(v[1] for v in found.vals if v[2])),
        "exclamations": float(found.excl),
        "question": float(found.question),
        "caps_hits": float(found.caps),
        "contrast": float(found.contrast),
        "n_tokens": float(found.tokens),
    }


class LexiconSentiment:
    task = "sentiment"
    model_id = MODEL_ID

    def __init__(self, params: Params = DEFAULT_PARAMS):
        self.params = params

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        p = self.params
        out: list[Result] = []
        for doc in batch.docs:
            try:
                out.append(self._one(doc.text, doc.language, doc.skip, explain, p))
            except Exception:  # one bad document never stops the batch
                out.append(NotScored("error"))
        return out

    def _one(self, text: str, language: str, skip: str, explain: bool, p: Params) -> Result:
        if skip:
            return NotScored(skip)
        if not text:
            return NotScored("empty")
        found = _pick(text, language, p)
        if not found.content:
            return NotScored("empty")
        total = _total(found, p)
        neg, neu, pos = probabilities(total / math.sqrt(total * total + p.alpha), p)
        if pos >= neu and pos >= neg:
            label, value = "positive", pos
        elif neg > neu:
            label, value = "negative", neg
        else:
            label, value = "neutral", neu
        explanation = _explanation(found) if explain else []
        return Score(label, value, {"negative": neg, "neutral": neu, "positive": pos}, MODEL_ID, explanation)


def _explanation(found: Scan) -> list[Contribution]:
    """The eight features that weighed most, each word's hits merged."""
    merged: dict[str, float] = {}
    for feature, w, _, _ in found.vals:
        merged[feature] = merged.get(feature, 0.0) + w
    ranked = sorted(merged.items(), key=lambda kv: -abs(kv[1]))[:8]
    return [Contribution(f, w) for f, w in ranked if w]
