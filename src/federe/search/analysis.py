"""How text becomes search terms, the same way for a message and for a query: folded (``core.text.normalise``:
accents, case, ligatures, quote variants), cut into words (``core.text.WORD_RE``), then stemmed by Snowball.

A message is stemmed in its own language (French or English); a message in another language keeps its folded
words. A query word does not say its language, so it is looked for in all three forms (French stem, English
stem, folded word): "chevaux" finds a French "cheval", "running" an English "run". The stems are computed here, in
Python, for both databases: PostgreSQL and SQLite then index plain space-separated tokens ("simple" configuration,
FTS5 ``unicode61``), and both find the same messages.

Plain Python, no Django.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

from federe.core.text import words

STEMMED = ("fr", "en")
_STEMMERS = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}
MAX_WORD = 60  # longer "words" (base64, hashes) are kept as they are, never stemmed


@lru_cache(maxsize=200_000)
def stem(language: str, word: str) -> str:
    """The word's stem in that language ("fr", "en"); the word itself for any other language."""
    stemmer = _STEMMERS.get(language)
    if stemmer is None or len(word) > MAX_WORD:
        return word
    return stemmer.stemWord(word)


def document(text: str, language: str) -> str:
    """The search document of a message: its words, folded and stemmed in its language, space-separated."""
    return " ".join(stem(language, w) for w in words(text))


def forms(term: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The forms under which a query's word or phrase (folded words) may be indexed: its French stems, its
    English stems, its words as they are (a phrase is stemmed in one language at a time)."""
    return list(dict.fromkeys(tuple(stem(language, w) for w in term) for language in (*STEMMED, "")))
