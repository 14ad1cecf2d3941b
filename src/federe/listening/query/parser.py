"""The recursive-descent parser (the grammar is in the package's docstring) and ``parse``, the entry point."""

from __future__ import annotations

from federe.listening.query.errors import Invalid, QuerySyntaxError, error_at, gettext_noop
from federe.listening.query.lexer import STARTS, Lexer, Token
from federe.listening.query.nodes import And, Field, Near, Not, Or, Phrase, Query, Term, is_near_side, is_plain_word
from federe.listening.query.values import MAX_DEPTH, MAX_QUERY_LENGTH, clip, word_patterns


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = Lexer(source).tokens()
        self.index = 0
        self.nesting = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        if self.peek().kind == "eof":
            raise error_at(
                gettext_noop('The query is empty: write a word, a "phrase" or a filter such as lang:fr.'),
                len(self.source),
                "term",
            )
        node = self.or_expr()
        token = self.peek()
        if token.kind != "eof":  # only a ")" can stop the expression early
            raise error_at(
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
            elif token.kind not in STARTS:
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
            raise error_at(
                gettext_noop("NEAR/%(distance)s cannot follow another NEAR: join the two with AND instead."),
                after.pos,
                "near_operand",
                distance=after.number,
            )
        return self.built(Near(left, right, operator.number), start)

    def near_operand(self, position: int, operator: Token) -> QuerySyntaxError:
        return error_at(
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
                return Term(token.text) if is_plain_word(token.text) else self.bad_word(token)
            if token.kind == "phrase":
                word_patterns(token.text)
                return Phrase(token.text)
            if token.kind == "field":
                return Field(token.name, token.text)
        except Invalid as exc:
            raise error_at(exc.msgid, token.pos, exc.expected, **exc.params) from None
        if token.kind == "lparen":
            self.enter(token)
            node = self.or_expr()
            closing = self.peek()
            if closing.kind != "rparen":
                raise error_at(
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

    def bad_word(self, token: Token) -> Query:
        if token.text == "-" or token.text.startswith("-"):
            raise error_at(
                gettext_noop(
                    'A minus sign must be followed directly, without a space, by a word, a "phrase", a filter or "(".'
                ),
                token.pos,
                "term",
            )
        word_patterns(token.text)  # raises Invalid with the reason
        raise error_at(
            gettext_noop('"%(found)s" cannot be searched as a word.'), token.pos, "term", found=clip(token.text)
        )

    def expected_term(self, token: Token) -> QuerySyntaxError:
        if token.kind == "eof":
            return error_at(
                gettext_noop('The query ends too early: a word, a "phrase", a filter or "(" was expected.'),
                token.pos,
                "term",
            )
        return error_at(
            gettext_noop('"%(found)s" cannot come here: a word, a "phrase", a filter or "(" was expected.'),
            token.pos,
            "term",
            found=clip(self.source[token.pos : token.end]),
        )

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.too_deep(token.pos)

    def built(self, node: Query, start: Token) -> Query:
        if node.depth > MAX_DEPTH:
            raise self.too_deep(start.pos)
        return node

    def too_deep(self, position: int) -> QuerySyntaxError:
        return error_at(
            gettext_noop("The query is nested too deeply: at most %(limit)s levels of parentheses, NOT and operators."),
            position,
            "too_deep",
            limit=MAX_DEPTH,
        )


def parse(text: str) -> Query:
    """Parse a saved query. Raises QuerySyntaxError."""
    if len(text) > MAX_QUERY_LENGTH:
        raise error_at(
            gettext_noop("The query is too long: %(length)s characters, at most %(limit)s are allowed."),
            MAX_QUERY_LENGTH,
            "query_too_long",
            length=len(text),
            limit=MAX_QUERY_LENGTH,
        )
    node = _Parser(text).parse()
    if len(str(node)) > MAX_QUERY_LENGTH:
        raise error_at(
            gettext_noop("The query is too long once written out in full: at most %(limit)s characters are allowed."),
            min(len(text), MAX_QUERY_LENGTH),
            "query_too_long",
            limit=MAX_QUERY_LENGTH,
        )
    return node
