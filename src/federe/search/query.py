"""What a search asks: the text (words and "quoted phrases", every one required) and the filters.

``terms`` reads the text: a double quote of any kind (" “ ” « » …, folded by ``core.text.normalise``) opens and
closes a phrase; outside quotes, a word that punctuation cuts in several ("l'entreprise", "e-mail") is a phrase
too. Every term is a tuple of folded words, matched one after the other. Bad text is refused with a
``QueryError`` whose message says what to change, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.core.text import WORD_RE, normalise

MAX_TEXT = 300  # characters of the search text
MAX_TERMS = 12  # words and phrases
SENTIMENTS = ("positive", "neutral", "negative")
UNASSIGNED = 0  # ``assignee`` value for threads assigned to nobody

Term = tuple[str, ...]


class QueryError(ValidationError):
    """A search that cannot run as typed; its message says why."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    author: str = ""  # part of an author's name or handle, without regard to accents or capitals
    channel: int | None = None  # a connection id
    since: date | None = None  # first day, on the workspace's clock
    until: date | None = None  # last day, included
    status: str = ""  # a ConversationStatus value
    assignee: int | None = None  # a user id, or UNASSIGNED
    sentiment: str = ""  # one of SENTIMENTS
    label: int | None = None  # a Label id
    terms: tuple[Term, ...] = field(default=(), compare=False)

    def parsed(self) -> SearchQuery:
        """This query with its text read into terms; raises ``QueryError``."""
        return replace(self, terms=terms(self.text))

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


def terms(text: str) -> tuple[Term, ...]:
    """The words and phrases of a search text (see the module's docstring); raises ``QueryError``."""
    if len(text) > MAX_TEXT:
        raise QueryError(
            ngettext(
                "The search is too long: at most %(limit)s character.",
                "The search is too long: at most %(limit)s characters.",
                MAX_TEXT,
            )
            % {"limit": MAX_TEXT}
        )
    folded = normalise(text)
    if folded.count('"') % 2:
        raise QueryError(_("A quotation mark is not closed: close the phrase or remove the quotation mark."))
    found: list[Term] = []
    for index, part in enumerate(folded.split('"')):
        if index % 2:  # between quotes: one phrase
            found.append(tuple(WORD_RE.findall(part)))
        else:
            found.extend(tuple(WORD_RE.findall(chunk)) for chunk in part.split())
    found = list(dict.fromkeys(term for term in found if term))
    if not found:
        raise QueryError(_("Type at least one word to search for (letters or digits)."))
    if len(found) > MAX_TERMS:
        raise QueryError(
            ngettext(
                "The search has too many words: at most %(limit)s word or phrase.",
                "The search has too many words: at most %(limit)s words or phrases.",
                MAX_TERMS,
            )
            % {"limit": MAX_TERMS}
        )
    return tuple(found)
