"""Syntax errors: where in the text, what was expected, and a sentence in the active language.

This module imports nothing from Django but ``gettext``, which it calls only to word an error."""

from __future__ import annotations

from typing import Any


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


def error_at(msgid: str, position: int, expected: str, **params: Any) -> QuerySyntaxError:
    text = _tr(msgid)
    if params:
        text = text % params
    return QuerySyntaxError(text, position=position, expected=expected, params=params)


class Invalid(Exception):
    """Raised by the validators below; the parser turns it into a QuerySyntaxError at the right position."""

    def __init__(self, msgid: str, expected: str, **params: Any):
        super().__init__(msgid)
        self.msgid = msgid
        self.expected = expected
        self.params = params
