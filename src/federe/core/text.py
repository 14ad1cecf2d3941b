"""One text normalisation for every matcher: listening queries, moderation rules, spam waves, people merging and
the sentiment lexicon compare text through ``normalise``, so that they agree on "Cœur", "Straße", "Łódź" or
"C’est".

``normalise`` works one character at a time (so ``normalise_with_offsets`` can map every output character back
to the input, for highlighting) and, for each character:

- maps every apostrophe and single-quote variant (’ ‘ ‚ ‛ ′ ʼ ` ´ ＇ …) to ``'`` and every double-quote variant
  (“ ” „ ″ ＂ …) to ``"``, every dash and minus sign (‐ ‑ ‒ – — ― − ＿ excluded) to ``-``;
- drops invisible characters (soft hyphen, zero-width space and joiners, byte-order mark), which are otherwise
  a cheap way to hide a watched word ("gra\u200btuit");
- applies the compatibility decomposition (NFKD: full-width letters, ligatures such as ﬁ, superscripts), case
  folding (``casefold``: ß → ss) and drops combining marks (accents);
- folds the letters that Unicode does not decompose: œ → oe, æ → ae, ø → o, ł → l, đ → d, ð → d, þ → th,
  ı → i, ħ → h, ŧ → t;
- recomposes what is left (NFC), so Korean syllables stay syllables.

Each character's result is folded again until it no longer changes, so ``normalise`` is idempotent
(``normalise(normalise(t)) == normalise(t)``; tests/core/test_text.py checks it with hypothesis).

Words are runs of letters and digits of the normalised text (``WORD_RE``): apostrophes, hyphens, underscores and
all other punctuation cut words, so "l'entreprise" is "l" and "entreprise". A search term may hold ``*`` (any
letters or digits, possibly none); ``term_patterns`` cuts it into word patterns.

Plain Python, no Django.
"""

from __future__ import annotations

import re
import unicodedata

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u02b9\u02bb\u02bc\u02bd\u0060\u00b4\uff07\u2039\u203a"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02\u301d\u301e\u301f"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Letters that neither NFKD nor casefold take apart (after casefold, so lower case only).
_LETTERS = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"}
_SPECIAL: dict[str, str] = {
    **dict.fromkeys(_SINGLE_QUOTES, "'"),
    **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys(_INVISIBLE, ""),
    **_LETTERS,
}
_CACHE_LIMIT = 50_000  # distinct non-ASCII characters remembered
_MAX_ROUNDS = 8


def _fold_once(ch: str) -> str:
    special = _SPECIAL.get(ch)
    if special is not None:
        return special
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    return "".join(_SPECIAL.get(c, c) for c in text if not unicodedata.combining(c))


def _fold_char(ch: str) -> str:
    """One character, folded until it is stable (some characters take two rounds: "ǅ" → "dž" → "dz")."""
    out = unicodedata.normalize("NFC", _fold_once(ch))
    for _ in range(_MAX_ROUNDS):
        again = unicodedata.normalize("NFC", "".join(_fold_once(c) for c in out))
        if again == out:
            break
        out = again
    return out


class _FoldTable(dict):
    """A ``str.translate`` table that folds each character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < _CACHE_LIMIT:
            self[code] = folded
        return folded


_TABLE = _FoldTable()


def normalise(text: str) -> str:
    """The form in which every matcher compares text (see the module's docstring)."""
    if text.isascii():
        text = text.lower()
        return text.replace("`", "'") if "`" in text else text
    return text.translate(_TABLE)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, for each of its characters, the offset of the character of ``text`` it comes
    from."""
    pieces: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = _TABLE[ord(ch)] if not ch.isascii() or ch == "`" else ch.lower()
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


WORD_RE = re.compile(r"[^\W_]+")
_PATTERN_RE = re.compile(r"(?:[^\W_]|\*)+")
_STARS = re.compile(r"\*+")


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return WORD_RE.findall(normalise(text))


def term_patterns(text: str) -> tuple[str, ...]:
    """The normalised word patterns of a search term or phrase: words, where "*" stands for any letters or
    digits (runs of "*" count as one). Empty when the term has no letter, digit or "*"."""
    return tuple(_STARS.sub("*", p) for p in _PATTERN_RE.findall(normalise(text)))
