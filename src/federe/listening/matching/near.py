"""Terms, phrases and NEAR: the spans each side of a NEAR covers and the pairs close enough (the word matching
itself is ``federe.core.wordmatch``)."""

from __future__ import annotations

from federe.core.wordmatch import Sequence, Span
from federe.listening.matching.doc import MatchDoc
from federe.listening.query.nodes import Or, Phrase, Query, Term


def side_sequences(node: Query, sequences: dict[Query, Sequence]) -> list[Sequence]:
    """The sequences of one side of a NEAR: one word or phrase, or the alternatives of an OR."""
    nodes = node.operands if isinstance(node, Or) else (node,)
    out = []
    for item in nodes:
        assert isinstance(item, Term | Phrase)
        out.append(sequences.setdefault(item, Sequence(item.patterns)))
    return out


def side_spans(side: list[Sequence], doc: MatchDoc) -> list[Span]:
    if len(side) == 1:
        return side[0].spans(doc)
    spans: set[Span] = set()
    for seq in side:
        spans.update(seq.spans(doc))
    return sorted(spans)


def near_pairs(left: list[Span], right: list[Span], distance: int, first_only: bool = False) -> list[tuple[Span, Span]]:
    """Pairs of non-overlapping spans with at most ``distance`` words between them, either order."""
    out = []
    for a in left:
        for b in right:
            if a[1] <= b[0]:
                gap = b[0] - a[1]
            elif b[1] <= a[0]:
                gap = a[0] - b[1]
            else:
                continue
            if gap <= distance:
                out.append((a, b))
                if first_only:
                    return out
    return out
