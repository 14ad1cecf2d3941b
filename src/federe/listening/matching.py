"""Matching messages against listening queries.

- ``MatchDoc.from_message(...)`` prepares a message once: folded text, words and their positions, metadata.
- ``compile(query)`` turns a ``Query`` into a ``Matcher``: ``matches(doc)`` and ``explain(doc)`` (what to highlight).
- ``MultiMatcher({id: query})`` matches one message against many saved queries in one pass. Each query has a set
  of *required keys*, words (or word prefixes, for wildcards) of which every matching message contains at least
  one; filters give keys too (``site:acme.fr`` → the message's hosts and their parent domains hold acme.fr). An
  index maps each key to its queries, so a message only evaluates the queries whose keys it holds, plus the few
  that have no such key (a query that is only a negation, or an OR with a negated part).
  docs/query-language.md describes it.

Plain values in, plain values out: no ORM, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from federe.core.text import normalise
from federe.core.wordmatch import Sequence, Span, Words
from federe.listening.query import (
    And,
    Field,
    Near,
    Not,
    Or,
    Phrase,
    Query,
    Term,
    normalize_host,
)

_LINK_RE = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'`()\[\]{}]+", re.IGNORECASE)

_URL_HOST_RE = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^@/?#\s]*@)?([^:/?#\s\[\]]+)")
_PLAIN_HOST_RE = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*")


def _host(url: str) -> str:
    """The normalised host of a URL ("https://Blog.Acme.fr:8443/x" → "blog.acme.fr"); "" when there is none."""
    url = url.strip()
    if not url:
        return ""
    if "//" not in url:
        url = "//" + url
    found = _URL_HOST_RE.match(url)
    if found:  # the common case, without urlsplit
        host = found.group(1).lower().strip(".")
        if _PLAIN_HOST_RE.fullmatch(host):
            return host
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return normalize_host(host) or ""


@dataclass(eq=False)
class MatchDoc(Words):
    """A message prepared for matching: its words (``federe.core.wordmatch.Words``) and metadata. Build it with
    ``from_message``."""

    lang: str = ""
    channel_id: str = ""
    channel_name: str = ""  # normalised, spaces collapsed
    url_host: str = ""
    link_hosts: frozenset[str] = frozenset()
    author_handle: str = ""  # normalised, without a leading "@"
    has_link: bool = False

    @classmethod
    def from_message(
        cls,
        text: str,
        *,
        language: str | None = "",
        channel_id: int | str | None = None,
        channel_name: str | None = "",
        url: str | None = "",
        author_handle: str | None = "",
        links: Iterable[str] = (),
    ) -> MatchDoc:
        """``url`` is the message's own address; ``links`` are links found outside the text (HTML hrefs)."""
        text = text or ""
        found_links = _LINK_RE.findall(text) + [link for link in links if link]
        link_hosts = frozenset(h for h in (_host(link) for link in found_links) if h)
        return cls(
            **cls.cut(text),  # type: ignore[arg-type]
            lang=(language or "").strip().lower().replace("_", "-"),
            channel_id="" if channel_id is None else str(channel_id),
            channel_name=" ".join(normalise(channel_name or "").split()),
            url_host=_host(url or ""),
            link_hosts=link_hosts,
            author_handle=normalise(author_handle or "").strip().lstrip("@"),
            has_link=bool(found_links),
        )


# --------------------------------------------------------------------------------------------------------------
# Terms, phrases and NEAR (the word matching itself is federe.core.wordmatch)
# --------------------------------------------------------------------------------------------------------------


def _side(node: Query, sequences: dict[Query, Sequence]) -> list[Sequence]:
    """The sequences of one side of a NEAR: one word or phrase, or the alternatives of an OR."""
    nodes = node.operands if isinstance(node, Or) else (node,)
    out = []
    for item in nodes:
        assert isinstance(item, Term | Phrase)
        out.append(sequences.setdefault(item, Sequence(item.patterns)))
    return out


def _side_spans(side: list[Sequence], doc: MatchDoc) -> list[Span]:
    if len(side) == 1:
        return side[0].spans(doc)
    spans: set[Span] = set()
    for seq in side:
        spans.update(seq.spans(doc))
    return sorted(spans)


def _near_pairs(
    left: list[Span], right: list[Span], distance: int, first_only: bool = False
) -> list[tuple[Span, Span]]:
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


# --------------------------------------------------------------------------------------------------------------
# Compilation
# --------------------------------------------------------------------------------------------------------------

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
        left = _side(node.left, sequences)
        right = _side(node.right, sequences)
        distance = node.distance

        def near(doc: MatchDoc) -> bool:
            spans_left = _side_spans(left, doc)
            if not spans_left:
                return False
            return bool(_near_pairs(spans_left, _side_spans(right, doc), distance, first_only=True))

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
            left = _side_spans(_side(node.left, self._sequences), doc)
            right = _side_spans(_side(node.right, self._sequences), doc)
            for a, b in _near_pairs(left, right, node.distance):
                out.setdefault(a, str(node))
                out.setdefault(b, str(node))
        elif isinstance(node, And | Or):
            for op in node.operands:
                if isinstance(node, And) or _compile(op, self._sequences)(doc):
                    self._collect(op, doc, out)


def compile(query: Query) -> Matcher:
    return Matcher(query)


# --------------------------------------------------------------------------------------------------------------
# Many queries in one pass
# --------------------------------------------------------------------------------------------------------------

Key = tuple[str, str]  # ("w", word), ("p", prefix), or a filter's key such as ("site", "acme.fr"); see meta_keys

# How common a filter's key is, against a word's: lang:fr or has:link hold for a large share of messages.
_META_COST = {"site": 1.5, "author": 1.5, "channel_id": 4.0, "channel": 4.0, "has": 8.0, "lang": 10.0}


def _key_cost(key: Key) -> float:
    """Lower is better: exact words before prefixes, long words (rarer) before short ones, words before filters."""
    kind, text = key
    if kind in _META_COST:
        return _META_COST[kind]
    return (1.0 if kind == "w" else 2.0) * (1.0 + 4.0 / len(text))


def _field_keys(node: Field) -> frozenset[Key]:
    """Keys of which a message matching the filter has at least one (see ``meta_keys``)."""
    value = node.value
    if node.name == "channel":
        name = ("channel", " ".join(normalise(value).split()))
        return frozenset({name, ("channel_id", value)}) if value.isascii() and value.isdigit() else frozenset({name})
    if node.name == "author":
        return frozenset({("author", normalise(value))})
    return frozenset({(node.name, value)})  # lang, site, has


def meta_keys(doc: MatchDoc, kinds: Collection[str] = tuple(_META_COST)) -> list[Key]:
    """The filter keys a message holds: its language and each shorter language tag, each host of its address
    and links with each parent domain, its channel's id and name, its author, has:link. Only ``kinds``."""
    keys: list[Key] = []
    if doc.lang and "lang" in kinds:
        parts = doc.lang.split("-")
        keys += [("lang", "-".join(parts[:i])) for i in range(1, len(parts) + 1)]
    if "site" in kinds and (doc.url_host or doc.link_hosts):
        domains: set[str] = set()
        for host in {doc.url_host, *doc.link_hosts} - {""}:
            labels = host.split(".")
            domains.update(".".join(labels[i:]) for i in range(len(labels)))
        keys += [("site", d) for d in domains]
    if doc.channel_id and "channel_id" in kinds:
        keys.append(("channel_id", doc.channel_id))
    if doc.channel_name and "channel" in kinds:
        keys.append(("channel", doc.channel_name))
    if doc.author_handle and "author" in kinds:
        keys.append(("author", doc.author_handle))
    if doc.has_link and "has" in kinds:
        keys.append(("has", "link"))
    return keys


def _keys_cost(keys: frozenset[Key]) -> float:
    return sum(_key_cost(k) for k in keys)


def _sequence_key(patterns: tuple[str, ...]) -> Key | None:
    candidates: list[Key] = []
    for pattern in patterns:
        if "*" not in pattern:
            candidates.append(("w", pattern))
        else:
            prefix = pattern.split("*", 1)[0]
            if prefix:
                candidates.append(("p", prefix))
    return min(candidates, key=_key_cost) if candidates else None


def required_keys(node: Query) -> frozenset[Key] | None:
    """Keys of which every message matching ``node`` contains at least one; None when there is no such set."""
    if isinstance(node, Term | Phrase):
        key = _sequence_key(node.patterns)
        return None if key is None else frozenset({key})
    if isinstance(node, Field):
        return _field_keys(node)
    if isinstance(node, Not):
        return None
    if isinstance(node, Near):
        options = [k for k in (required_keys(node.left), required_keys(node.right)) if k is not None]
        return min(options, key=_keys_cost) if options else None
    if isinstance(node, And):
        options = [k for k in (required_keys(op) for op in node.operands) if k is not None]
        return min(options, key=_keys_cost) if options else None
    assert isinstance(node, Or)
    union: set[Key] = set()
    for op in node.operands:
        keys = required_keys(op)
        if keys is None:
            return None
        union |= keys
    return frozenset(union)


K = TypeVar("K", bound=Hashable)


class MultiMatcher(Generic[K]):
    """Match a message against many saved queries at once: ``match(doc)`` is the set of ids whose query matches."""

    def __init__(self, queries: Mapping[K, Query]):
        self.matchers: dict[K, Matcher] = {qid: Matcher(q) for qid, q in queries.items()}
        self.by_word: dict[str, list[K]] = {}
        self.by_prefix: dict[str, list[K]] = {}
        self.by_meta: dict[Key, list[K]] = {}
        self.always: list[K] = []
        for qid, query in queries.items():
            keys = required_keys(query)
            if keys is None:
                self.always.append(qid)
                continue
            for key in keys:
                kind, text = key
                if kind == "w":
                    self.by_word.setdefault(text, []).append(qid)
                elif kind == "p":
                    self.by_prefix.setdefault(text, []).append(qid)
                else:
                    self.by_meta.setdefault(key, []).append(qid)
        self.prefix_lengths = tuple(sorted({len(p) for p in self.by_prefix}))
        self.word_keys = frozenset(self.by_word)
        self.prefix_keys = frozenset(self.by_prefix)
        self.meta_key_set = frozenset(self.by_meta)
        self.meta_kinds = frozenset(kind for kind, _ in self.by_meta)
        self._tests = {qid: m._test for qid, m in self.matchers.items()}

    def candidates(self, doc: MatchDoc) -> set[K]:
        """The queries worth evaluating on this message (set operations, so the loops run in C)."""
        found: set[K] = set(self.always)
        by_word = self.by_word
        for word in self.word_keys.intersection(doc.words):
            found.update(by_word[word])
        if self.by_prefix:
            by_prefix = self.by_prefix
            words = doc.words
            # t[:n] of a word shorter than n is the word itself; if that is a key, the word does start with it
            heads = {t[:n] for n in self.prefix_lengths for t in words}
            for head in self.prefix_keys.intersection(heads):
                found.update(by_prefix[head])
        if self.by_meta:
            by_meta = self.by_meta
            for key in self.meta_key_set.intersection(meta_keys(doc, self.meta_kinds)):
                found.update(by_meta[key])
        return found

    def match(self, doc: MatchDoc) -> set[K]:
        tests = self._tests
        return {qid for qid in self.candidates(doc) if tests[qid](doc)}
