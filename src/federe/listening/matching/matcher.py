"""One query compiled into nested closures (cheap parts of an AND or OR first): ``compile(query).matches(doc)``
and ``explain(doc)``, the parts of the text to highlight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from federe.core.text import normalise
from federe.core.wordmatch import Sequence, Span
from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.near import near_pairs, side_sequences, side_spans
from federe.listening.query.nodes import And, Field, Near, Not, Or, Phrase, Query, Term

Test = Callable[[MatchDoc], bool]


def _compile_field(node: Field) -> Test:
    value = node.value
    if node.name == "lang":
        if "-" in value:
            return lambda doc: doc.lang == value or doc.lang.startswith(value + "-")
        return lambda doc: doc.lang.split("-", 1)[0] == value
    if node.name == "channel":
        name = " ".join(normalise(value).split())
        if value.isascii() and value.isdigit():
            return lambda doc: doc.channel_id == value or doc.channel_name == name
        return lambda doc: doc.channel_name == name
    if node.name == "site":
        suffix = "." + value

        def site(doc: MatchDoc) -> bool:
            host = doc.url_host
            if host and (host == value or host.endswith(suffix)):
                return True
            return any(h == value or h.endswith(suffix) for h in doc.link_hosts)

        return site
    if node.name == "author":
        handle = normalise(value)
        return lambda doc: doc.author_handle == handle
    if node.name == "has":
        return lambda doc: doc.has_link
    raise ValueError(f"unknown field {node.name}")


def _cost(node: Query) -> int:
    """A rough cost, to evaluate cheap parts of an AND or OR first."""
    if isinstance(node, Term):
        return 1 if len(node.patterns) == 1 and "*" not in node.text else 3
    if isinstance(node, Field):
        return 1
    if isinstance(node, Phrase):
        return 4
    if isinstance(node, Near):
        return 8
    if isinstance(node, Not):
        return _cost(node.operand)
    assert isinstance(node, And | Or)
    return sum(_cost(op) for op in node.operands)


def _compile(node: Query, sequences: dict[Query, Sequence]) -> Test:
    if isinstance(node, Term | Phrase):
        seq = sequences.setdefault(node, Sequence(node.patterns))
        if seq.size == 1 and isinstance(seq.patterns[0], str):
            word = seq.patterns[0]
            return lambda doc: word in doc.words
        return seq.present
    if isinstance(node, Field):
        return _compile_field(node)
    if isinstance(node, Near):
        left = side_sequences(node.left, sequences)
        right = side_sequences(node.right, sequences)
        distance = node.distance

        def near(doc: MatchDoc) -> bool:
            spans_left = side_spans(left, doc)
            if not spans_left:
                return False
            return bool(near_pairs(spans_left, side_spans(right, doc), distance, first_only=True))

        return near
    if isinstance(node, Not):
        inner = _compile(node.operand, sequences)
        return lambda doc: not inner(doc)
    assert isinstance(node, And | Or)
    parts = [_compile(op, sequences) for op in sorted(node.operands, key=_cost)]
    if isinstance(node, And):
        if len(parts) == 2:
            first, second = parts
            return lambda doc: first(doc) and second(doc)

        def all_of(doc: MatchDoc) -> bool:
            for part in parts:  # noqa: SIM110 - a plain loop: no generator per call, this is the hot path
                if not part(doc):
                    return False
            return True

        return all_of
    if len(parts) == 2:
        first, second = parts
        return lambda doc: first(doc) or second(doc)

    def any_of(doc: MatchDoc) -> bool:
        for part in parts:  # noqa: SIM110 - a plain loop: no generator per call, this is the hot path
            if part(doc):
                return True
        return False

    return any_of


@dataclass(frozen=True)
class Hit:
    """A part of the message that a query matched: offsets into the original text, for highlighting."""

    start: int
    end: int
    text: str
    source: str  # the term, phrase or NEAR of the query, as printed


class Matcher:
    def __init__(self, query: Query):
        self.query = query
        self._sequences: dict[Query, Sequence] = {}
        self._test = _compile(query, self._sequences)

    def matches(self, doc: MatchDoc) -> bool:
        return self._test(doc)

    def explain(self, doc: MatchDoc) -> list[Hit]:
        """The words and phrases that make the query match, in text order; empty when it does not match.

        Only the positive parts count: a word under NOT is never highlighted. Filters (lang:, site:…) have no
        place in the text and give no hit.
        """
        if not self._test(doc):
            return []
        spans: dict[Span, str] = {}
        self._collect(self.query, doc, spans)
        chars = doc.char_spans()
        hits = []
        for (first, last), source in sorted(spans.items()):
            start, end = chars[first][0], chars[last - 1][1]
            hits.append(Hit(start, end, doc.text[start:end], source))
        return hits

    def _collect(self, node: Query, doc: MatchDoc, out: dict[Span, str]) -> None:
        if isinstance(node, Term | Phrase):
            seq = self._sequences.get(node) or Sequence(node.patterns)
            for span in seq.spans(doc):
                out.setdefault(span, str(node))
        elif isinstance(node, Near):
            left = side_spans(side_sequences(node.left, self._sequences), doc)
            right = side_spans(side_sequences(node.right, self._sequences), doc)
            for a, b in near_pairs(left, right, node.distance):
                out.setdefault(a, str(node))
                out.setdefault(b, str(node))
        elif isinstance(node, And | Or):
            for op in node.operands:
                if isinstance(node, And) or _compile(op, self._sequences)(doc):
                    self._collect(op, doc, out)


def compile(query: Query) -> Matcher:
    return Matcher(query)
