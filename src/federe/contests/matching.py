"""Does a message enter a contest, and did it answer the quiz right? Pure functions over text.

Every comparison goes through ``core.text.normalise`` (the project's one folding: case, accents, ligatures), then
compares whole words (``core.text.words``): "Paris" answers "paris" and "PARIS !", not "Parisien".

- a hashtag matches ``#word`` as written (after folding), not the word alone: ``#Concours`` matches ``#concours``;
- a keyword or phrase matches its words, next to each other and in order;
- a quiz entry is right when, for each question, one of its accepted answers appears (as words) in the text; the
  first question answered wrong is given as the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from federe.core.text import normalise, words


def hashtag_matches(tag: str, text: str) -> bool:
    folded_tag = normalise(tag.strip().lstrip("#"))
    if not folded_tag:
        return False
    pattern = r"(?<![\w#])#" + re.escape(folded_tag) + r"(?!\w)"
    return re.search(pattern, normalise(text)) is not None


def phrase_in(phrase: str, tokens: Sequence[str]) -> bool:
    """Whether the words of ``phrase`` appear next to each other, in order, among ``tokens``."""
    wanted = words(phrase)
    if not wanted:
        return False
    width = len(wanted)
    first = wanted[0]
    return any(token == first and list(tokens[i : i + width]) == wanted for i, token in enumerate(tokens))


def keyword_matches(keyword: str, text: str) -> bool:
    return phrase_in(keyword, words(text))


def first_wrong_answer(questions: Sequence[Sequence[str]], text: str) -> int | None:
    """The 1-based number of the first question none of whose accepted answers is in ``text``; None if all right."""
    tokens = words(text)
    for number, answers in enumerate(questions, start=1):
        if not any(phrase_in(answer, tokens) for answer in answers):
            return number
    return None
