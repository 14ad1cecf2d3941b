"""Finding words, wildcards and phrases in a text: the one matcher behind listening queries and moderation rules.

- ``Words.of(text)`` cuts a text once into normalised words (``federe.core.text``) and remembers what matching
  needs (positions, sorted words, the words a wildcard matched).
- ``Glob`` matches one word against a pattern holding "*" without backtracking: the parts between the stars are
  searched left to right, each from where the previous one ended, so a word is read at most once whatever the
  pattern ("a*a*a*a*a*z" against a 10 MB word is one pass, where a regular expression took hours).
- ``Sequence`` finds a term or phrase: its word patterns next to each other and in order.

Plain values in, plain values out: no ORM, no Django.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from federe.core.text import WORD_RE, normalise, normalise_with_offsets

Span = tuple[int, int]  # word positions, end excluded


@dataclass(eq=False)
class Words:
    """A text cut into normalised words. Build it with ``Words.of``."""

    text: str
    folded: str  # normalise(text)
    tokens: tuple[str, ...]  # the normalised words, in order: a word's position is its index
    words: frozenset[str]  # the distinct normalised words
    _memo: dict[object, object] = field(default_factory=dict, repr=False)

    @staticmethod
    def cut(text: str) -> dict[str, object]:
        """The fields of a ``Words`` for ``text`` (subclasses add theirs)."""
        folded = normalise(text)
        tokens = tuple(WORD_RE.findall(folded))
        return {"text": text, "folded": folded, "tokens": tokens, "words": frozenset(tokens)}

    @classmethod
    def of(cls, text: str) -> Words:
        return cls(**cls.cut(text or ""))  # type: ignore[arg-type]

    @property
    def positions(self) -> dict[str, list[int]]:
        """Each normalised word -> its positions in ``tokens``; built the first time a phrase needs it."""
        found = self._memo.get("positions")
        if found is None:
            positions: dict[str, list[int]] = {}
            for index, token in enumerate(self.tokens):
                at = positions.get(token)
                if at is None:
                    positions[token] = [index]
                else:
                    at.append(index)
            found = self._memo["positions"] = positions
        return found  # type: ignore[return-value]

    def sorted_tokens(self) -> list[str]:
        found = self._memo.get("sorted")
        if found is None:
            found = self._memo["sorted"] = sorted(self.words)
        return found  # type: ignore[return-value]

    def char_spans(self) -> list[Span]:
        """For each word of ``tokens``, its (start, end) offsets in the original ``text``."""
        found = self._memo.get("chars")
        if found is None:
            folded, offsets = normalise_with_offsets(self.text)
            found = [(offsets[m.start()], offsets[m.end() - 1] + 1) for m in WORD_RE.finditer(folded)]
            self._memo["chars"] = found
        return found  # type: ignore[return-value]

    def folded_text(self, span: Span) -> str:
        """The normalised text of a span of words, spaces collapsed ("c'est   gratuit" → "c'est gratuit")."""
        found = self._memo.get("folded")
        if found is None:
            found = self._memo["folded"] = [m.span() for m in WORD_RE.finditer(self.folded)]
        spans: list[Span] = found  # type: ignore[assignment]
        return " ".join(self.folded[spans[span[0]][0] : spans[span[1] - 1][1]].split())


class Glob:
    """A word pattern holding "*" (any letters or digits, possibly none), matched without backtracking.

    The pattern is cut at the stars into a head, middle parts and a tail. A word matches when it starts with the
    head, ends with the tail and holds the middle parts, in order and without overlap, in between. Taking each
    middle part at its first place after the previous one is always right (a later place leaves less room), so
    ``match`` calls ``str.find`` once per middle part, each search starting where the previous one ended.
    """

    __slots__ = ("middle", "minimum", "pattern", "prefix", "suffix")

    def __init__(self, pattern: str):
        parts = pattern.split("*")
        if len(parts) < 2:
            raise ValueError(f"not a wildcard: {pattern!r}")
        self.pattern = pattern
        self.prefix = parts[0]
        self.suffix = parts[-1]
        self.middle = tuple(p for p in parts[1:-1] if p)
        self.minimum = sum(len(p) for p in parts)

    def match(self, word: str) -> bool:
        if len(word) < self.minimum or not word.startswith(self.prefix) or not word.endswith(self.suffix):
            return False
        at, end = len(self.prefix), len(word) - len(self.suffix)
        for part in self.middle:
            found = word.find(part, at, end)
            if found < 0:
                return False
            at = found + len(part)
        return True


class Wildcard:
    """A word pattern holding "*"; finds the words of a text it matches (remembered on the ``Words``)."""

    __slots__ = ("glob", "pattern", "prefix")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.glob = Glob(pattern)
        self.prefix = self.glob.prefix

    def words(self, doc: Words) -> frozenset[str]:
        key = ("w", self.pattern)
        found = doc._memo.get(key)
        if found is None:
            found = doc._memo[key] = self._find(doc)
        return found  # type: ignore[return-value]

    def _find(self, doc: Words) -> frozenset[str]:
        sorted_tokens = doc.sorted_tokens()
        prefix = self.prefix
        plain = self.pattern == prefix + "*"
        match = self.glob.match
        out = []
        for index in range(bisect_left(sorted_tokens, prefix), len(sorted_tokens)):
            token = sorted_tokens[index]
            if not token.startswith(prefix):
                break
            if plain or match(token):
                out.append(token)
        return frozenset(out)


class Sequence:
    """The word patterns of a term or phrase, next to each other and in order."""

    def __init__(self, patterns: tuple[str, ...]):
        self.patterns: tuple[str | Wildcard, ...] = tuple(Wildcard(p) if "*" in p else p for p in patterns)
        self.exact = tuple(p for p in self.patterns if isinstance(p, str))
        self.size = len(self.patterns)

    def present(self, doc: Words) -> bool:
        patterns = self.patterns
        if self.size == 1:
            only = patterns[0]
            return only in doc.words if isinstance(only, str) else bool(only.words(doc))
        return bool(self.spans(doc, first_only=True))

    def starts(self, doc: Words, pattern: str | Wildcard) -> list[int]:
        if isinstance(pattern, str):
            return doc.positions.get(pattern, [])
        found: list[int] = []
        for token in pattern.words(doc):
            found.extend(doc.positions[token])
        found.sort()
        return found

    def spans(self, doc: Words, first_only: bool = False) -> list[Span]:
        words = doc.words
        for word in self.exact:
            if word not in words:
                return []
        starts = self.starts(doc, self.patterns[0])
        if self.size == 1:
            return [(s, s + 1) for s in starts]
        tokens = doc.tokens
        count = len(tokens)
        rest = self.patterns[1:]
        out: list[Span] = []
        for start in starts:
            if start + self.size > count:
                break
            for offset, pattern in enumerate(rest, 1):
                token = tokens[start + offset]
                if isinstance(pattern, str):
                    if token != pattern:
                        break
                elif token not in pattern.words(doc):
                    break
            else:
                out.append((start, start + self.size))
                if first_only:
                    return out
        return out
