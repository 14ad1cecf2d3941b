"""Many queries in one pass: each query's *required keys* index it, so a message only evaluates the queries whose
keys it holds, plus the few that have none (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from typing import Generic, TypeVar

from federe.core.text import normalise
from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.matcher import Matcher
from federe.listening.query.nodes import And, Field, Near, Not, Or, Phrase, Query, Term

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
