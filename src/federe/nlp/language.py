"""First language backend: function-word counts for French and English.

Fast (a set lookup per word) and good enough to route the inbox; the classifiers
work replaces it with lingua behind the same ``detect`` function.
"""

from __future__ import annotations

import re

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


def detect(text: str) -> str:
    """'fr', 'en' or 'other' for short, noisy social text."""
    words = _WORD.findall(text.lower())
    fr = sum(word in FRENCH or bool(_ELISION.match(word)) for word in words)
    en = sum(word in ENGLISH for word in words)
    if any(ch in _FRENCH_LETTERS for ch in text.lower()):
        fr += 1
    if fr == en:
        return "other"
    return "fr" if fr > en else "en"
