"""The one typed schema of a rule definition.

``rules.validate_definition`` runs every definition through it, whoever wrote it: the rule form (whose fields
become a definition) and the API. A definition that passes can be evaluated: no TypeError at ingest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as SchemaError

MAX_WORD = 200  # characters in one watched word or phrase
MIN_WORD_ALNUM = 2  # letters or digits in one watched word or phrase ("*" alone would match everything)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)


class _Condition(_Strict):
    negate: bool = Field(False, alias="not")


class Words(_Condition):
    type: Literal["words"]
    words: list[str] = Field(min_length=1, max_length=1000)


class Links(_Condition):
    type: Literal["links"]
    min: int = Field(1, ge=1, le=10_000)


class Flag(_Condition):
    type: Literal["contact", "emoji_only", "new_author"]


class Length(_Condition):
    type: Literal["length"]
    min: int | None = Field(None, ge=1, le=1_000_000)
    max: int | None = Field(None, ge=1, le=1_000_000)


class Languages(_Condition):
    type: Literal["language"]
    within: list[Literal["fr", "en", "other"]] = Field(alias="in", min_length=1)


class Channels(_Condition):
    type: Literal["channel"]
    within: list[int] = Field(alias="in", min_length=1, max_length=1000)


class Score(_Condition):
    type: Literal["score"]
    task: Literal["spam", "toxicity", "negative"]
    min: float = Field(gt=0, le=1)


Condition = Annotated[Words | Links | Flag | Length | Languages | Channels | Score, Field(discriminator="type")]


class VerdictAction(_Strict):
    # Every ActionKind (models.Verdict); whether a channel does it is decided per message (moderation/actions.py).
    type: Literal[
        "approve",
        "hold",
        "spam",
        "remove",
        "restore",
        "delete",
        "reject",
        "ban",
        "unban",
        "kick",
        "mute",
        "suspend",
        "close",
        "pin",
    ]


class LabelAction(_Strict):
    type: Literal["label"]
    label: str = Field(min_length=1, max_length=60)


class AssignAction(_Strict):
    type: Literal["assign"]
    username: str = Field(max_length=150)


class NotifyAction(_Strict):
    type: Literal["notify"]


Action = Annotated[VerdictAction | LabelAction | AssignAction | NotifyAction, Field(discriminator="type")]

_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
_ACTION: TypeAdapter[Any] = TypeAdapter(Action)

CONDITION_HELP: dict[str, Callable[[], str]] = {
    "words": lambda: _("A watched-words condition needs a list of words or phrases."),
    "links": lambda: _("A links condition needs a whole number of links, at least 1."),
    "length": lambda: _("A length condition needs a minimum or a maximum number of characters, a whole number."),
    "language": lambda: _("A language condition needs a list of languages among fr, en and other."),
    "channel": lambda: _("Choose channels of this workspace."),
    "score": lambda: _("A score condition needs spam, toxicity or negative, and a threshold between 0 and 1."),
}


def condition_problem(cond: Any) -> str | None:
    """What is wrong with one condition, in words; None when the schema accepts it."""
    kind = cond.get("type") if isinstance(cond, dict) else None
    try:
        parsed = _CONDITION.validate_python(cond)
    except SchemaError as exc:
        if any(err["loc"][-1:] == ("not",) for err in exc.errors()):
            return _("“not” in a condition is true or false.")
        if isinstance(kind, str) and kind in CONDITION_HELP:
            return CONDITION_HELP[kind]()
        if isinstance(kind, str) and kind in ("contact", "emoji_only", "new_author"):
            return _("This condition takes no settings besides “not”.")
        return _("Unknown condition: %(type)s") % {"type": kind if isinstance(kind, str) else "?"}
    if isinstance(parsed, Length) and parsed.min is None and parsed.max is None:
        return CONDITION_HELP["length"]()
    if isinstance(parsed, Words):
        return words_problem(parsed.words)
    return None


def words_problem(words: list[str]) -> str | None:
    if not any(word.strip() for word in words):
        return _("List at least one watched word or phrase.")
    for word in words:
        if len(word.strip()) > MAX_WORD:
            return _("A watched word or phrase is at most 200 characters.")
        if sum(ch.isalnum() for ch in word) < MIN_WORD_ALNUM:
            return _("A watched word or phrase needs at least two letters or digits: “%(word)s” is too broad.") % {
                "word": word.strip()
            }
    return None


def action_problem(action: Any) -> str | None:
    try:
        _ACTION.validate_python(action)
    except SchemaError:
        kind = action.get("type") if isinstance(action, dict) else None
        if kind == "label":
            return _("Give the label a name.")
        if kind == "assign":
            return _("Assign to a member of this workspace.")
        return one_verdict()
    return None


def one_verdict() -> str:
    return _(
        "Choose one verdict at most: approve, hold, spam, remove, restore, delete, reject, ban, unban, kick, mute,"
        " suspend, close or pin."
    )
