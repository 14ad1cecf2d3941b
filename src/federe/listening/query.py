"""The listening query language: a tokenizer, a recursive-descent parser, the AST and its canonical printing.

The grammar, with examples, is in docs/query-language.md. In short::

    query    = or_expr ;
    or_expr  = and_expr , { OR , and_expr } ;
    and_expr = unary , { [ AND ] , unary } ;          (* adjacent parts are joined by AND *)
    unary    = ( NOT | "-" ) , unary | near ;
    near     = primary , [ NEAR/n , primary ] ;       (* each side: a word, a phrase, or ( w OR "p" OR … ) *)
    primary  = word | phrase | field | "(" , or_expr , ")" ;

Operators are written in capitals: AND/ET, OR/OU, NOT/SAUF, NEAR/n. Lower-case "and", "et"… are words.

``parse(text)`` returns a ``Query`` (frozen dataclasses) or raises ``QuerySyntaxError``, whose ``position`` is a
0-based offset into ``text``, ``expected`` a short code and ``message`` a sentence in the active language.
``str(query)`` prints the canonical form, and ``parse(str(q)) == q`` holds for every query ``parse`` returns.

Queries and messages are folded and cut into words by ``federe.core.text`` (``normalise``, ``WORD_RE``), the
same functions moderation rules use.

This module imports nothing from Django but ``gettext``, which it calls only to word an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from federe.core.text import term_patterns

MAX_QUERY_LENGTH = 2000  # characters, of the text typed and of its canonical form
MAX_DEPTH = 32  # levels of the AST, and of parentheses + NOT open at one point of the text
MAX_NEAR_DISTANCE = 100  # words
MIN_WILDCARD_CHARS = 2  # letters or digits in a word that holds a "*"

AND_WORDS = frozenset({"AND", "ET"})
OR_WORDS = frozenset({"OR", "OU"})
NOT_WORDS = frozenset({"NOT", "SAUF"})
FIELDS = ("lang", "channel", "site", "author", "has")
FIELD_ALIASES = {"langue": "lang", "canal": "channel", "auteur": "author"}
_FIELD_EXAMPLES = {
    "lang": "lang:fr",
    "channel": 'channel:"Forum Acme"',
    "site": "site:example.com",
    "author": "author:@jeanne",
    "has": "has:link",
}

# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------


def gettext_noop(message: str) -> str:
    """Marks a msgid for ``makemessages`` (it knows this name); translated later by ``_tr``. Django's own
    gettext_noop reads the settings, which this module must not need."""
    return message


def _tr(msgid: str) -> str:
    """gettext at call time; the English text when Django is not configured (scripts, benchmarks)."""
    try:
        from django.utils.translation import gettext

        return gettext(msgid)
    except Exception:  # ImproperlyConfigured outside Django; never hide a syntax error behind it
        return msgid


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed.

    ``position``: 0-based offset into the query where something else was expected;
    ``expected``: a short code (see docs/query-language.md); ``message``: a sentence in the active language;
    ``params``: the values put into the message.
    """

    def __init__(self, message: str, *, position: int, expected: str, params: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = expected
        self.params = params or {}


def _error(msgid: str, position: int, expected: str, **params: Any) -> QuerySyntaxError:
    text = _tr(msgid)
    if params:
        text = text % params
    return QuerySyntaxError(text, position=position, expected=expected, params=params)


class _Invalid(Exception):
    """Raised by the validators below; the parser turns it into a QuerySyntaxError at the right position."""

    def __init__(self, msgid: str, expected: str, **params: Any):
        super().__init__(msgid)
        self.msgid = msgid
        self.expected = expected
        self.params = params


# --------------------------------------------------------------------------------------------------------------
# Validation shared by the parser and the AST constructors
# --------------------------------------------------------------------------------------------------------------


def word_patterns(text: str) -> tuple[str, ...]:
    """The folded words of a term or phrase; a word may hold "*" (any letters or digits, possibly none)."""
    patterns = term_patterns(text)
    for pattern in patterns:
        if "*" in pattern and len(pattern) - pattern.count("*") < MIN_WILDCARD_CHARS:
            raise _Invalid(
                gettext_noop(
                    'A wildcard needs at least %(min)s letters or digits in its word: "%(text)s" is too short.'
                ),
                "wildcard",
                min=MIN_WILDCARD_CHARS,
                text=_clip(text),
            )
    if not patterns:
        raise _Invalid(gettext_noop('"%(text)s" has no letters or digits to search for.'), "term", text=_clip(text))
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
    """The canonical value of a filter; raises _Invalid when the value cannot be one."""
    if name == "lang":
        value = raw.strip().lower().replace("_", "-")
        if not _LANG_RE.fullmatch(value):
            raise _Invalid(
                gettext_noop('"%(value)s" is not a language code: write for example lang:fr or lang:en.'),
                "field_value",
                value=_clip(raw),
            )
        return value
    if name == "site":
        host = normalize_host(raw)
        if host is None:
            raise _Invalid(
                gettext_noop('"%(value)s" is not a site address: write for example site:example.com.'),
                "field_value",
                value=_clip(raw),
            )
        return host
    if name == "has":
        known = _HAS_VALUES.get(raw.strip().lower())
        if known is None:
            raise _Invalid(
                gettext_noop('"%(value)s" cannot follow has:, which only accepts has:link.'),
                "field_value",
                value=_clip(raw),
            )
        return known
    if name in ("channel", "author"):
        value = " ".join(raw.split())
        if name == "author":
            value = value.lstrip("@").strip()
        if not value:
            raise _Invalid(
                gettext_noop('The filter "%(field)s:" needs a value, for example %(example)s.'),
                "field_value",
                field=name,
                example=_FIELD_EXAMPLES[name],
            )
        return value
    raise _Invalid(gettext_noop("Unknown filter."), "field_name")


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _quote(text: str) -> str:
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


def _is_bare(text: str) -> bool:
    return bool(text) and not any(ch.isspace() or ch in '()"' for ch in text)


# --------------------------------------------------------------------------------------------------------------
# The AST
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """Base of the AST nodes. ``depth`` counts levels (a word alone is 1); it takes no part in equality."""

    depth: int = field(init=False, repr=False, compare=False, default=1)

    def _set_depth(self, *children: Query) -> None:
        object.__setattr__(self, "depth", 1 + max((c.depth for c in children), default=0))


@dataclass(frozen=True)
class Term(Query):
    """A word as typed (``Communauté``, ``communaut*``, ``l'entreprise``). Several words in one term, as in
    ``l'entreprise``, must follow each other, like a phrase."""

    text: str = ""

    def __post_init__(self) -> None:
        if not _is_plain_word(self.text):
            raise ValueError(f"not a bare search word: {self.text!r}")

    @property
    def patterns(self) -> tuple[str, ...]:
        return word_patterns(self.text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Phrase(Query):
    """An exact phrase: its words in this order, next to each other. "*" is a wildcard here too."""

    text: str = ""

    def __post_init__(self) -> None:
        try:
            word_patterns(self.text)
        except _Invalid as exc:
            raise ValueError(f"not a phrase: {self.text!r}") from exc

    @property
    def patterns(self) -> tuple[str, ...]:
        return word_patterns(self.text)

    def __str__(self) -> str:
        return _quote(self.text)


@dataclass(frozen=True)
class Field(Query):
    """A filter on the message's metadata: ``lang:fr``, ``channel:12``, ``site:example.com``, ``author:jeanne``,
    ``has:link``. The value is stored in its canonical form (see ``normalize_field_value``)."""

    name: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        if self.name not in FIELDS:
            raise ValueError(f"unknown field {self.name!r}")
        try:
            normal = normalize_field_value(self.name, self.value)
        except _Invalid as exc:
            raise ValueError(f"invalid value for {self.name}: {self.value!r}") from exc
        if normal != self.value:
            raise ValueError(f"{self.name} value not in canonical form: {self.value!r} (use {normal!r})")

    def __str__(self) -> str:
        value = self.value if _is_bare(self.value) else _quote(self.value)
        return f"{self.name}:{value}"


def is_near_side(node: Query) -> bool:
    """What NEAR can link: a word, a phrase, or an OR of words and phrases."""
    if isinstance(node, Term | Phrase):
        return True
    return isinstance(node, Or) and all(isinstance(op, Term | Phrase) for op in node.operands)


@dataclass(frozen=True)
class Near(Query):
    """Two words or phrases with at most ``distance`` other words between them, in either order. Each side may
    also be an OR of words and phrases: ``(acme OR "acme cloud") NEAR/5 (lent OR slow)``."""

    left: Query = None  # type: ignore[assignment]
    right: Query = None  # type: ignore[assignment]
    distance: int = 0

    def __post_init__(self) -> None:
        if not is_near_side(self.left) or not is_near_side(self.right):
            raise ValueError("NEAR links two terms, phrases or ORs of them")
        if not isinstance(self.distance, int) or not 0 <= self.distance <= MAX_NEAR_DISTANCE:
            raise ValueError(f"NEAR distance out of range: {self.distance!r}")
        self._set_depth(self.left, self.right)

    def __str__(self) -> str:
        sides = [f"({side})" if isinstance(side, Or) else str(side) for side in (self.left, self.right)]
        return f"{sides[0]} NEAR/{self.distance} {sides[1]}"


@dataclass(frozen=True)
class Not(Query):
    operand: Query = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.operand, Query):
            raise ValueError("NOT needs a query")
        self._set_depth(self.operand)

    def __str__(self) -> str:
        operand = self.operand
        if isinstance(operand, And | Or | Near):
            return f"-({operand})"
        return f"-{operand}"


@dataclass(frozen=True)
class And(Query):
    operands: tuple[Query, ...] = ()

    def __post_init__(self) -> None:
        _check_operands(self, "AND")

    def __str__(self) -> str:
        return " ".join(f"({op})" if isinstance(op, And | Or) else str(op) for op in self.operands)


@dataclass(frozen=True)
class Or(Query):
    operands: tuple[Query, ...] = ()

    def __post_init__(self) -> None:
        _check_operands(self, "OR")

    def __str__(self) -> str:
        return " OR ".join(f"({op})" if isinstance(op, And | Or) else str(op) for op in self.operands)


def _check_operands(node: And | Or, name: str) -> None:
    operands = tuple(node.operands)
    object.__setattr__(node, "operands", operands)
    if len(operands) < 2 or not all(isinstance(op, Query) for op in operands):
        raise ValueError(f"{name} needs at least two queries")
    node._set_depth(*operands)


def _is_plain_word(text: str) -> bool:
    """True when ``text`` reads back, alone, as one search word (not an operator, filter or minus sign)."""
    if not isinstance(text, str) or not _is_bare(text):
        return False
    try:
        tokens = _Lexer(text).tokens()
        word_patterns(text)
    except (QuerySyntaxError, _Invalid):
        return False
    return len(tokens) == 2 and tokens[0].kind == "word" and tokens[0].text == text


# --------------------------------------------------------------------------------------------------------------
# The tokenizer
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # word phrase field lparen rparen and or not neg near eof
    pos: int
    end: int
    text: str = ""  # the word, the phrase's content or the field's canonical value
    name: str = ""  # the field's name
    number: int = 0  # the NEAR distance


_STARTS = frozenset({"word", "phrase", "field", "lparen", "not", "neg"})
_STOPS = '()"'


class _Lexer:
    def __init__(self, source: str):
        self.source = source

    def tokens(self) -> list[_Token]:
        src = self.source
        size = len(src)
        out: list[_Token] = []
        i = 0
        while i < size:
            ch = src[i]
            if ch.isspace():
                i += 1
            elif ch == "(":
                out.append(_Token("lparen", i, i + 1))
                i += 1
            elif ch == ")":
                out.append(_Token("rparen", i, i + 1))
                i += 1
            elif ch == '"':
                text, end = self._quoted(i)
                out.append(_Token("phrase", i, end, text))
                i = end
            elif ch == "-" and i + 1 < size and not src[i + 1].isspace() and src[i + 1] != ")":
                out.append(_Token("neg", i, i + 1))
                i += 1
            else:
                end = i
                while end < size and not src[end].isspace() and src[end] not in _STOPS:
                    end += 1
                token, end = self._word(i, end)
                out.append(token)
                i = end
        out.append(_Token("eof", size, size))
        return out

    def _quoted(self, start: int) -> tuple[str, int]:
        """The content of the quoted string opening at ``start``, and the offset after its closing quote."""
        src = self.source
        out: list[str] = []
        i = start + 1
        while i < len(src):
            ch = src[i]
            if ch == "\\" and i + 1 < len(src) and src[i + 1] in '\\"':
                out.append(src[i + 1])
                i += 2
            elif ch == '"':
                return "".join(out), i + 1
            else:
                out.append(ch)
                i += 1
        raise _error(
            gettext_noop("The quotation mark opened at character %(open)s is never closed."),
            len(src),
            "closing_quote",
            open=start + 1,
        )

    def _word(self, start: int, end: int) -> tuple[_Token, int]:
        word = self.source[start:end]
        if word in AND_WORDS:
            return _Token("and", start, end, word), end
        if word in OR_WORDS:
            return _Token("or", start, end, word), end
        if word in NOT_WORDS:
            return _Token("not", start, end, word), end
        if word == "NEAR" or word.startswith("NEAR/"):
            digits = word[5:]
            if not digits or not (digits.isascii() and digits.isdigit()):
                raise _error(
                    gettext_noop("NEAR needs a distance in words, for example NEAR/5."),
                    start + min(len(word), 5),
                    "near_distance",
                )
            if len(digits) > 4 or int(digits) > MAX_NEAR_DISTANCE:
                raise _error(
                    gettext_noop("The NEAR distance must be a number of words from 0 to %(max)s."),
                    start + 5,
                    "near_distance",
                    max=MAX_NEAR_DISTANCE,
                )
            return _Token("near", start, end, word, number=int(digits)), end
        colon = word.find(":")
        prefix = word[:colon]
        if colon > 0 and prefix.isascii() and prefix.isalpha():
            return self._field(start, end, prefix.lower(), colon)
        return _Token("word", start, end, word), end

    def _field(self, start: int, end: int, name: str, colon: int) -> tuple[_Token, int]:
        src = self.source
        name = FIELD_ALIASES.get(name, name)
        if name not in FIELDS:
            raise _error(
                gettext_noop(
                    '"%(field)s:" is not a known filter. The filters are lang:, channel:, site:, author: and has:. '
                    "To search for this text, put it in quotes."
                ),
                start,
                "field_name",
                field=src[start : start + colon],
            )
        value_at = start + colon + 1
        raw = src[value_at:end]
        if not raw and end < len(src) and src[end] == '"':
            raw, end = self._quoted(end)
        elif not raw:
            raise _error(
                gettext_noop('The filter "%(field)s:" needs a value, for example %(example)s.'),
                value_at,
                "field_value",
                field=name,
                example=_FIELD_EXAMPLES[name],
            )
        try:
            value = normalize_field_value(name, raw)
        except _Invalid as exc:
            raise _error(exc.msgid, value_at, exc.expected, **exc.params) from None
        return _Token("field", start, end, value, name=name), end


# --------------------------------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _Lexer(source).tokens()
        self.index = 0
        self.nesting = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        if self.peek().kind == "eof":
            raise _error(
                gettext_noop('The query is empty: write a word, a "phrase" or a filter such as lang:fr.'),
                len(self.source),
                "term",
            )
        node = self.or_expr()
        token = self.peek()
        if token.kind != "eof":  # only a ")" can stop the expression early
            raise _error(
                gettext_noop('This closing parenthesis ")" has no matching opening parenthesis.'),
                token.pos,
                "end_of_query",
            )
        return node

    def or_expr(self) -> Query:
        start = self.peek()
        operands = [self.and_expr()]
        while self.peek().kind == "or":
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else self.built(Or(tuple(operands)), start)

    def and_expr(self) -> Query:
        start = self.peek()
        operands = [self.unary()]
        while True:
            token = self.peek()
            if token.kind == "and":
                self.advance()
            elif token.kind not in _STARTS:
                break
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else self.built(And(tuple(operands)), start)

    def unary(self) -> Query:
        token = self.peek()
        if token.kind not in ("not", "neg"):
            return self.near()
        self.advance()
        self.enter(token)
        operand = self.unary()
        self.nesting -= 1
        return self.built(Not(operand), token)

    def near(self) -> Query:
        start = self.peek()
        left = self.primary()
        operator = self.peek()
        if operator.kind != "near":
            return left
        if not is_near_side(left):
            raise self.near_operand(start.pos, operator)
        self.advance()
        following = self.peek()
        if following.kind not in ("word", "phrase", "lparen"):
            raise self.near_operand(following.pos, operator)
        right = self.primary()
        if not is_near_side(right):
            raise self.near_operand(following.pos, operator)
        after = self.peek()
        if after.kind == "near":
            raise _error(
                gettext_noop("NEAR/%(distance)s cannot follow another NEAR: join the two with AND instead."),
                after.pos,
                "near_operand",
                distance=after.number,
            )
        return self.built(Near(left, right, operator.number), start)

    def near_operand(self, position: int, operator: _Token) -> QuerySyntaxError:
        return _error(
            gettext_noop(
                "NEAR/%(distance)s links two words or phrases, or two lists of them joined by OR in parentheses; "
                "a filter, NOT or AND cannot be on either side."
            ),
            position,
            "near_operand",
            distance=operator.number,
        )

    def primary(self) -> Query:
        token = self.advance()
        try:
            if token.kind == "word":
                return Term(token.text) if _is_plain_word(token.text) else self.bad_word(token)
            if token.kind == "phrase":
                word_patterns(token.text)
                return Phrase(token.text)
            if token.kind == "field":
                return Field(token.name, token.text)
        except _Invalid as exc:
            raise _error(exc.msgid, token.pos, exc.expected, **exc.params) from None
        if token.kind == "lparen":
            self.enter(token)
            node = self.or_expr()
            closing = self.peek()
            if closing.kind != "rparen":
                raise _error(
                    gettext_noop('A closing parenthesis ")" is missing for the one opened at character %(open)s.'),
                    closing.pos,
                    "closing_parenthesis",
                    open=token.pos + 1,
                )
            self.advance()
            self.nesting -= 1
            return node
        self.index -= 1
        raise self.expected_term(token)

    def bad_word(self, token: _Token) -> Query:
        if token.text == "-" or token.text.startswith("-"):
            raise _error(
                gettext_noop(
                    'A minus sign must be followed directly, without a space, by a word, a "phrase", a filter or "(".'
                ),
                token.pos,
                "term",
            )
        word_patterns(token.text)  # raises _Invalid with the reason
        raise _error(
            gettext_noop('"%(found)s" cannot be searched as a word.'), token.pos, "term", found=_clip(token.text)
        )

    def expected_term(self, token: _Token) -> QuerySyntaxError:
        if token.kind == "eof":
            return _error(
                gettext_noop('The query ends too early: a word, a "phrase", a filter or "(" was expected.'),
                token.pos,
                "term",
            )
        return _error(
            gettext_noop('"%(found)s" cannot come here: a word, a "phrase", a filter or "(" was expected.'),
            token.pos,
            "term",
            found=_clip(self.source[token.pos : token.end]),
        )

    def enter(self, token: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.too_deep(token.pos)

    def built(self, node: Query, start: _Token) -> Query:
        if node.depth > MAX_DEPTH:
            raise self.too_deep(start.pos)
        return node

    def too_deep(self, position: int) -> QuerySyntaxError:
        return _error(
            gettext_noop("The query is nested too deeply: at most %(limit)s levels of parentheses, NOT and operators."),
            position,
            "too_deep",
            limit=MAX_DEPTH,
        )


def parse(text: str) -> Query:
    """Parse a saved query. Raises QuerySyntaxError."""
    if len(text) > MAX_QUERY_LENGTH:
        raise _error(
            gettext_noop("The query is too long: %(length)s characters, at most %(limit)s are allowed."),
            MAX_QUERY_LENGTH,
            "query_too_long",
            length=len(text),
            limit=MAX_QUERY_LENGTH,
        )
    node = _Parser(text).parse()
    if len(str(node)) > MAX_QUERY_LENGTH:
        raise _error(
            gettext_noop("The query is too long once written out in full: at most %(limit)s characters are allowed."),
            min(len(text), MAX_QUERY_LENGTH),
            "query_too_long",
            limit=MAX_QUERY_LENGTH,
        )
    return node


def iter_nodes(node: Query):
    """Every node of the AST, depth first, the node before its children."""
    yield node
    if isinstance(node, And | Or):
        for operand in node.operands:
            yield from iter_nodes(operand)
    elif isinstance(node, Not):
        yield from iter_nodes(node.operand)
    elif isinstance(node, Near):
        yield from iter_nodes(node.left)
        yield from iter_nodes(node.right)
