"""Matching messages against listening queries.

- ``doc.MatchDoc.from_message(...)`` prepares a message once: folded text, words and their positions, metadata.
- ``matcher.compile(query)`` turns a ``Query`` into a ``Matcher``: ``matches(doc)`` and ``explain(doc)``
  (what to highlight).
- ``multi.MultiMatcher({id: query})`` matches one message against many saved queries in one pass. Each query has a set
  of *required keys*, words (or word prefixes, for wildcards) of which every matching message contains at least
  one; filters give keys too (``site:acme.fr`` → the message's hosts and their parent domains hold acme.fr). An
  index maps each key to its queries, so a message only evaluates the queries whose keys it holds, plus the few
  that have no such key (a query that is only a negation, or an OR with a negated part).
  docs/query-language.md describes it.

``near`` holds what NEAR needs (the spans of each side, the pairs close enough).

Plain values in, plain values out: no ORM, no Django.
"""
