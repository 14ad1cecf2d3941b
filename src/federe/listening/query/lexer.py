"""The tokenizer: text into tokens (words, phrases, filters, parentheses, operators), with the offset of each
for error messages. Filters' values are checked and made canonical here."""

from __future__ import annotations

from dataclasses import dataclass

from federe.listening.query.errors import Invalid, error_at, gettext_noop
from federe.listening.query.values import (
    AND_WORDS,
    FIELD_ALIASES,
    FIELD_EXAMPLES,
    FIELDS,
    MAX_NEAR_DISTANCE,
    NOT_WORDS,
    OR_WORDS,
    normalize_field_value,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word phrase field lparen rparen and or not neg near eof
    pos: int
    end: int
    text: str = ""  # the word, the phrase's content or the field's canonical value
    name: str = ""  # the field's name
    number: int = 0  # the NEAR distance


STARTS = frozenset({"word", "phrase", "field", "lparen", "not", "neg"})
_STOPS = '()"'


class Lexer:
    def __init__(self, source: str):
        self.source = source

    def tokens(self) -> list[Token]:
        src = self.source
        size = len(src)
        out: list[Token] = []
        i = 0
        while i < size:
            ch = src[i]
            if ch.isspace():
                i += 1
            elif ch == "(":
                out.append(Token("lparen", i, i + 1))
                i += 1
            elif ch == ")":
                out.append(Token("rparen", i, i + 1))
                i += 1
            elif ch == '"':
                text, end = self._quoted(i)
                out.append(Token("phrase", i, end, text))
                i = end
            elif ch == "-" and i + 1 < size and not src[i + 1].isspace() and src[i + 1] != ")":
                out.append(Token("neg", i, i + 1))
                i += 1
            else:
                end = i
                while end < size and not src[end].isspace() and src[end] not in _STOPS:
                    end += 1
                token, end = self._word(i, end)
                out.append(token)
                i = end
        out.append(Token("eof", size, size))
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
        raise error_at(
            gettext_noop("The quotation mark opened at character %(open)s is never closed."),
            len(src),
            "closing_quote",
            open=start + 1,
        )

    def _word(self, start: int, end: int) -> tuple[Token, int]:
        word = self.source[start:end]
        if word in AND_WORDS:
            return Token("and", start, end, word), end
        if word in OR_WORDS:
            return Token("or", start, end, word), end
        if word in NOT_WORDS:
            return Token("not", start, end, word), end
        if word == "NEAR" or word.startswith("NEAR/"):
            digits = word[5:]
            if not digits or not (digits.isascii() and digits.isdigit()):
                raise error_at(
                    gettext_noop("NEAR needs a distance in words, for example NEAR/5."),
                    start + min(len(word), 5),
                    "near_distance",
                )
            if len(digits) > 4 or int(digits) > MAX_NEAR_DISTANCE:
                raise error_at(
                    gettext_noop("The NEAR distance must be a number of words from 0 to %(max)s."),
                    start + 5,
                    "near_distance",
                    max=MAX_NEAR_DISTANCE,
                )
            return Token("near", start, end, word, number=int(digits)), end
        colon = word.find(":")
        prefix = word[:colon]
        if colon > 0 and prefix.isascii() and prefix.isalpha():
            return self._field(start, end, prefix.lower(), colon)
        return Token("word", start, end, word), end

    def _field(self, start: int, end: int, name: str, colon: int) -> tuple[Token, int]:
        src = self.source
        name = FIELD_ALIASES.get(name, name)
        if name not in FIELDS:
            raise error_at(
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
            raise error_at(
                gettext_noop('The filter "%(field)s:" needs a value, for example %(example)s.'),
                value_at,
                "field_value",
                field=name,
                example=FIELD_EXAMPLES[name],
            )
        try:
            value = normalize_field_value(name, raw)
        except Invalid as exc:
            raise error_at(exc.msgid, value_at, exc.expected, **exc.params) from None
        return Token("field", start, end, value, name=name), end
