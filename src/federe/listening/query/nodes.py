"""The AST: frozen dataclasses whose ``str()`` is the canonical form (``parse(str(q)) == q``). Each node checks
its values when built, so an invalid query cannot exist, parsed or built by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from federe.listening.query.errors import Invalid, QuerySyntaxError
from federe.listening.query.lexer import Lexer
from federe.listening.query.values import (
    FIELDS,
    MAX_NEAR_DISTANCE,
    is_bare,
    normalize_field_value,
    quote,
    word_patterns,
)


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
        if not is_plain_word(self.text):
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
        except Invalid as exc:
            raise ValueError(f"not a phrase: {self.text!r}") from exc

    @property
    def patterns(self) -> tuple[str, ...]:
        return word_patterns(self.text)

    def __str__(self) -> str:
        return quote(self.text)


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
        except Invalid as exc:
            raise ValueError(f"invalid value for {self.name}: {self.value!r}") from exc
        if normal != self.value:
            raise ValueError(f"{self.name} value not in canonical form: {self.value!r} (use {normal!r})")

    def __str__(self) -> str:
        value = self.value if is_bare(self.value) else quote(self.value)
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


def is_plain_word(text: str) -> bool:
    """True when ``text`` reads back, alone, as one search word (not an operator, filter or minus sign)."""
    if not isinstance(text, str) or not is_bare(text):
        return False
    try:
        tokens = Lexer(text).tokens()
        word_patterns(text)
    except (QuerySyntaxError, Invalid):
        return False
    return len(tokens) == 2 and tokens[0].kind == "word" and tokens[0].text == text


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
