"""What a word, a phrase and a filter's value may be, and their canonical forms; shared by the tokenizer and
the AST constructors, so that a node built by hand obeys the same rules as one parsed from text."""

from __future__ import annotations

import re

from federe.core.text import term_patterns
from federe.listening.query.errors import Invalid, gettext_noop

MAX_QUERY_LENGTH = 2000  # characters, of the text typed and of its canonical form
MAX_DEPTH = 32  # levels of the AST, and of parentheses + NOT open at one point of the text
MAX_NEAR_DISTANCE = 100  # words
MIN_WILDCARD_CHARS = 2  # letters or digits in a word that holds a "*"

AND_WORDS = frozenset({"AND", "ET"})
OR_WORDS = frozenset({"OR", "OU"})
NOT_WORDS = frozenset({"NOT", "SAUF"})
FIELDS = ("lang", "channel", "site", "author", "has")
FIELD_ALIASES = {"langue": "lang", "canal": "channel", "auteur": "author"}
FIELD_EXAMPLES = {
    "lang": "lang:fr",
    "channel": 'channel:"Forum Acme"',
    "site": "site:example.com",
    "author": "author:@jeanne",
    "has": "has:link",
}


def word_patterns(text: str) -> tuple[str, ...]:
    """The folded words of a term or phrase; a word may hold "*" (any letters or digits, possibly none)."""
    patterns = term_patterns(text)
    for pattern in patterns:
        if "*" in pattern and len(pattern) - pattern.count("*") < MIN_WILDCARD_CHARS:
            raise Invalid(
                gettext_noop(
                    'A wildcard needs at least %(min)s letters or digits in its word: "%(text)s" is too short.'
                ),
                "wildcard",
                min=MIN_WILDCARD_CHARS,
                text=clip(text),
            )
    if not patterns:
        raise Invalid(gettext_noop('"%(text)s" has no letters or digits to search for.'), "term", text=clip(text))
    return patterns


_LANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_HOST_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HAS_VALUES = {"link": "link", "links": "link", "lien": "link", "liens": "link"}


def normalize_host(value: str) -> str | None:
    """A host name in the form both sides compare: lower case, no scheme, path, port or final dot; IDNA ASCII."""
    host = _SCHEME_RE.sub("", value.strip().lower())
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    host = re.sub(r":\d*$", "", host).strip(".")
    host = host.removeprefix("*.")
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if _HOST_RE.fullmatch(host) else None


def normalize_field_value(name: str, raw: str) -> str:
    """The canonical value of a filter; raises Invalid when the value cannot be one."""
    if name == "lang":
        value = raw.strip().lower().replace("_", "-")
        if not _LANG_RE.fullmatch(value):
            raise Invalid(
                gettext_noop('"%(value)s" is not a language code: write for example lang:fr or lang:en.'),
                "field_value",
                value=clip(raw),
            )
        return value
    if name == "site":
        host = normalize_host(raw)
        if host is None:
            raise Invalid(
                gettext_noop('"%(value)s" is not a site address: write for example site:example.com.'),
                "field_value",
                value=clip(raw),
            )
        return host
    if name == "has":
        known = _HAS_VALUES.get(raw.strip().lower())
        if known is None:
            raise Invalid(
                gettext_noop('"%(value)s" cannot follow has:, which only accepts has:link.'),
                "field_value",
                value=clip(raw),
            )
        return known
    if name in ("channel", "author"):
        value = " ".join(raw.split())
        if name == "author":
            value = value.lstrip("@").strip()
        if not value:
            raise Invalid(
                gettext_noop('The filter "%(field)s:" needs a value, for example %(example)s.'),
                "field_value",
                field=name,
                example=FIELD_EXAMPLES[name],
            )
        return value
    raise Invalid(gettext_noop("Unknown filter."), "field_name")


def clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def quote(text: str) -> str:
    """Put text between double quotes so that the tokenizer reads it back exactly."""
    out = ['"']
    for index, ch in enumerate(text):
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            following = text[index + 1] if index + 1 < len(text) else '"'
            out.append("\\\\" if following in '\\"' else "\\")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def is_bare(text: str) -> bool:
    return bool(text) and not any(ch.isspace() or ch in '()"' for ch in text)
