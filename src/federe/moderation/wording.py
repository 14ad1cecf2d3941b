"""A rule's definition in words, in the reader's language: what the rules list and a rule's versions show.

Stored definitions are data (``{"type": "links", "min": 2}``, ``{"type": "hold"}``); nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federe.moderation.conditions import LANGUAGE_NAMES, SCORE_NAMES

# What a condition looks at, for "not: …" reasons and unknown shapes.
CONDITION_NAMES = {
    "words": gettext_lazy("watched words"),
    "links": gettext_lazy("links"),
    "contact": gettext_lazy("an e-mail address or a phone number"),
    "email": gettext_lazy("an e-mail address in the text"),
    "phone": gettext_lazy("a phone number in the text"),
    "emoji_only": gettext_lazy("only emoji or symbols"),
    "length": gettext_lazy("length"),
    "language": gettext_lazy("language"),
    "new_author": gettext_lazy("first message from this author in the workspace"),
    "channel": gettext_lazy("channel"),
    "score": gettext_lazy("score"),
}


def _names(values: list[Any], names: Mapping[Any, Any]) -> str:
    return ", ".join(str(names.get(v, v)) for v in values)


def condition_text(cond: dict[str, Any], channels: Mapping[int, str] | None = None) -> str:
    kind = cond.get("type", "")
    if kind == "words":
        text = _("watched words: %(words)s") % {"words": ", ".join(cond.get("words", []))}
    elif kind == "links":
        n = int(cond.get("min", 1))
        text = ngettext("at least %(n)d link", "at least %(n)d links", n) % {"n": n}
    elif kind == "length" and "min" in cond:
        n = int(cond["min"])
        text = ngettext("shorter than %(n)d character", "shorter than %(n)d characters", n) % {"n": n}
    elif kind == "length":
        n = int(cond.get("max", 0))
        text = ngettext("longer than %(n)d character", "longer than %(n)d characters", n) % {"n": n}
    elif kind == "language":
        text = _("language: %(names)s") % {"names": _names(cond.get("in", []), LANGUAGE_NAMES)}
    elif kind == "channel":
        text = _("on %(names)s") % {"names": _names(cond.get("in", []), channels or {})}
    elif kind == "score":
        task = SCORE_NAMES.get(str(cond.get("task")), cond.get("task"))
        text = _("%(task)s score at least %(value)d%%") % {"task": task, "value": round(float(cond["min"]) * 100)}
    else:
        text = str(CONDITION_NAMES.get(kind, _("another condition")))
    return _("not: %(condition)s") % {"condition": text} if cond.get("not") else text


def action_text(action: dict[str, Any]) -> str:
    from federe.moderation.forms import ACTION_CHOICES
    from federe.moderation.models import SideAction, Verdict

    kind = action.get("type", "")
    if kind == "label":
        return _("Add the label “%(label)s”") % {"label": action.get("label", "")}
    if kind == "assign" and action.get("username"):
        return _("Assign the conversation to %(who)s") % {"who": action["username"]}
    labels: dict[str, Any] = {**dict(Verdict.choices), **dict(SideAction.choices), **dict(ACTION_CHOICES)}
    return str(labels.get(kind, _("another action")))


def version_number(number: int) -> str:
    return _("version %(n)s") % {"n": number}
