"""Language of short, noisy social text: French, English or "other".

The default backend is lingua, restricted to the configured languages (``FEDERE_NLP_LANGUAGES``, default
``fr,en``) for speed. Text whose letters are mostly outside the Latin script, or that has no letters at all,
is "other" without asking lingua. :func:`detect_fallback` (function words) is kept for when lingua is missing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from typing import Any

from django.conf import settings

from federe.nlp.base import Contribution, DocBatch, NotScored, Result, Score

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+")
FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "et",
        "est",
        "en",
        "que",
        "qui",
        "pour",
        "pas",
        "ne",
        "je",
        "tu",
        "il",
        "elle",
        "nous",
        "vous",
        "ils",
        "elles",
        "sur",
        "avec",
        "dans",
        "ce",
        "cette",
        "ces",
        "mon",
        "ma",
        "mes",
        "ton",
        "votre",
        "vos",
        "leur",
        "au",
        "aux",
        "mais",
        "ou",
        "où",
        "donc",
        "très",
        "merci",
        "bonjour",
        "c'est",
        "j'ai",
        "n'est",
        "qu'il",
        "d'un",
        "d'une",
        "l'appli",
        "chez",
        "moi",
        "toi",
        "pareil",
        "aussi",
        "depuis",
        "avant",
        "quelqu'un",
        "être",
        "avoir",
        "fait",
        "faire",
        "suis",
        "était",
        "franchement",
        "vraiment",
    ]
)
ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "was",
        "were",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "that",
        "this",
        "it",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "my",
        "your",
        "our",
        "their",
        "but",
        "or",
        "not",
        "no",
        "yes",
        "thanks",
        "thank",
        "hello",
        "what",
        "who",
        "how",
        "why",
        "when",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "be",
        "been",
        "just",
        "really",
        "same",
        "here",
        "there",
        "from",
        "about",
        "any",
        "anyone",
        "else",
        "me",
        "since",
        "before",
        "well",
        "done",
    ]
)
_FRENCH_LETTERS = frozenset("àâçéèêëîïôûùüÿœ")
_ELISION = re.compile(r"^(?:c|d|j|l|m|n|s|t|qu)'[a-zàâäçéèêëîïôöùûüÿœæ]")


def detect_fallback(text: str) -> str:
    """'fr', 'en' or 'other' from function words: no dependency, less accurate."""
    words = _WORD.findall(text.lower())
    fr = sum(word in FRENCH or bool(_ELISION.match(word)) for word in words)
    en = sum(word in ENGLISH for word in words)
    if any(ch in _FRENCH_LETTERS for ch in text.lower()):
        fr += 1
    if fr == en:
        return "other"
    return "fr" if fr > en else "en"


_WORD_ANY = re.compile(r"[^\W\d_]+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


def _script(text: str) -> str:
    """'latin', 'other' (mostly letters of another script) or 'none' (no letters)."""
    sample = text[:400]
    if sample.isascii():
        return "latin" if _LATIN_LETTER.search(sample) else "none"
    letters = len(_ANY_LETTER.findall(sample))
    if letters == 0:
        return "none"
    latin = len(_LATIN_LETTER.findall(sample))
    return "latin" if latin * 2 >= letters else "other"


@cache
def _detector(codes: tuple[str, ...], fast: bool = False):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = [getattr(IsoCode639_1, code.upper()) for code in codes]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
    return (builder.with_low_accuracy_mode() if fast else builder).build()


# A few very frequent words per language that French and English do not use: two or more of them, and more
# than French or English function words, make a text "other" without asking lingua.
OTHER_FUNCTION_WORDS = {
    "es": frozenset(
        [
            "el",
            "los",
            "las",
            "una",
            "por",
            "para",
            "con",
            "está",
            "estoy",
            "pero",
            "muy",
            "como",
            "qué",
            "gracias",
            "hola",
            "también",
            "porque",
            "es",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "ich",
            "sie",
            "wir",
            "mit",
            "auf",
            "für",
            "sehr",
            "danke",
            "auch",
            "aber",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "gli",
            "della",
            "che",
            "non",
            "sono",
            "molto",
            "grazie",
            "anche",
            "questo",
            "questa",
            "perché",
            "ciao",
            "è",
        ]
    ),
    "pt": frozenset(
        ["os", "uma", "não", "com", "para", "muito", "obrigado", "obrigada", "também", "isso", "você", "está", "são"]
    ),
    "nl": frozenset(
        ["het", "een", "niet", "ik", "ook", "maar", "zijn", "dat", "wat", "voor", "bedankt", "heel", "dank"]
    ),
}


def _other_language(text: str, others: tuple[str, ...]) -> bool:
    words = _WORD_ANY.findall(text.lower())
    if len(words) < 2:
        return False
    ours = max(sum(map(FRENCH.__contains__, words)), sum(map(ENGLISH.__contains__, words)))
    for code in others:
        vocabulary = OTHER_FUNCTION_WORDS.get(code)
        if vocabulary is None:
            continue
        hits = sum(map(vocabulary.__contains__, words))
        if hits >= 2 and hits > ours:
            return True
    return False


class LinguaLanguage:
    task = "language"

    #: From this length on, lingua's fast mode (trigrams only) is nearly as accurate (docs/models.md).
    LONG = 60

    def __init__(self, languages: tuple[str, ...] | None = None, others: tuple[str, ...] | None = None):
        self.languages = tuple(languages or settings.FEDERE_NLP_LANGUAGES)
        self.others = tuple(o for o in (others or settings.FEDERE_NLP_OTHER_LANGUAGES) if o not in self.languages)
        self.model_id = "lingua:" + "+".join(self.languages)

    def detect(self, text: str, *, confidence: bool = False) -> tuple[str, float, str]:
        """The language, lingua's confidence when asked for (NaN otherwise: it costs a second pass), and how it
        was decided: ``script``, ``function_words`` or ``lingua``."""
        early = self._without_lingua(text)
        if early is not None:
            return early
        detector = _detector(self.languages, len(text) >= self.LONG)
        best = detector.detect_language_of(text)
        if best is None:
            return "other", 1.0, "lingua"
        value = detector.compute_language_confidence(text, best) if confidence else math.nan
        return self._code(best), float(value), "lingua"

    def _without_lingua(self, text: str) -> tuple[str, float, str] | None:
        """ "other" when the script or another language's function words already say so, else None."""
        if _script(text) != "latin":
            return "other", 1.0, "script"
        if self.others and _other_language(text, self.others):
            return "other", 1.0, "function_words"
        return None

    def _code(self, language: Any) -> str:
        code = language.iso_code_639_1.name.lower() if language is not None else "other"
        return code if code in ("fr", "en") else "other"

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        """Like :meth:`detect` for each document; without ``explain``, the texts that need lingua go to it in two
        batches (short and long), which lingua spreads over the machine's cores."""
        decided: dict[int, tuple[str, float, str]] = {}
        short: list[int] = []
        long: list[int] = []
        for i, doc in enumerate(batch.docs):
            if doc.skip:
                continue
            early = None if explain else self._without_lingua(doc.text)
            if explain:
                decided[i] = self.detect(doc.text, confidence=True)
            elif early is not None:
                decided[i] = early
            else:
                (long if len(doc.text) >= self.LONG else short).append(i)
        for indexes, fast in ((short, False), (long, True)):
            if not indexes:
                continue
            found = _detector(self.languages, fast).detect_languages_in_parallel_of(
                [batch.docs[i].text for i in indexes]
            )
            for i, language in zip(indexes, found, strict=True):
                decided[i] = (self._code(language), math.nan, "lingua")
        out: list[Result] = []
        for i, doc in enumerate(batch.docs):
            if doc.skip:
                out.append(NotScored(doc.skip))
                continue
            label, value, how = decided[i]
            probs = {"fr": 0.0, "en": 0.0, "other": 0.0}
            probs[label] = value
            why = [Contribution(f"[{how}]", value)] if explain else []
            out.append(Score(label, value, probs, self.model_id, why))
        return out


def detect(text: str) -> str:
    """'fr', 'en' or 'other' with the configured backend (lingua unless it cannot be imported)."""
    if not text.strip():
        return "other"
    try:
        return LinguaLanguage().detect(unicodedata.normalize("NFC", text))[0]
    except ImportError:  # pragma: no cover - lingua is a dependency; this keeps ingest alive without it
        return detect_fallback(text)
