"""The small template language of saved replies, ours on purpose: never Django templates on users' text.

A variable is written between double braces: ``{{author.first_name}}``, ``{{author.name}}``,
``{{channel.name}}``, ``{{agent.name}}`` (spaces inside the braces are allowed). ``{{ask:order number}}`` asks the
agent for a value (the label, up to 40 characters) before the text is inserted. Nothing else is a variable: the
text is copied as it is written, so ``{% ... %}`` or ``{{ x|filter }}`` stay plain text and are refused at save
time (unknown variable), and values filled in are never read as variables again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

KNOWN = ("author.first_name", "author.name", "channel.name", "agent.name")
ASK_PREFIX = "ask:"
MAX_ASK_LABEL = 40
TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _name(raw: str) -> str:
    return raw.strip()


def _ask_label(name: str) -> str | None:
    if not name.startswith(ASK_PREFIX):
        return None
    label = " ".join(name[len(ASK_PREFIX) :].split())
    return label if 0 < len(label) <= MAX_ASK_LABEL and "{" not in label and "}" not in label else None


def problems(body: str) -> list[str]:
    """What is wrong with the variables of ``body``, in words (empty when all are known)."""
    found = []
    for match in TOKEN.finditer(body):
        name = _name(match.group(1))
        if name in KNOWN or _ask_label(name):
            continue
        if name.startswith(ASK_PREFIX):
            found.append(
                _("“%(variable)s” needs a question of 1 to %(max)d characters after “ask:”.")
                % {"variable": match.group(0), "max": MAX_ASK_LABEL}
            )
        else:
            found.append(
                _("“%(variable)s” is not a variable. Use %(known)s, or {{ask:a question}}.")
                % {"variable": match.group(0), "known": ", ".join("{{" + k + "}}" for k in KNOWN)}
            )
    return found


def questions(body: str) -> list[str]:
    """The labels of the ``{{ask:…}}`` variables, in order, each once."""
    labels: list[str] = []
    for match in TOKEN.finditer(body):
        label = _ask_label(_name(match.group(1)))
        if label and label not in labels:
            labels.append(label)
    return labels


def render(body: str, values: Mapping[str, str], answers: Mapping[str, str]) -> str:
    """``body`` with its variables replaced (one pass: a value is never read as a template)."""

    def replace(match: re.Match[str]) -> str:
        name = _name(match.group(1))
        label = _ask_label(name)
        if label is not None:
            return answers.get(label, "")
        return values.get(name, match.group(0))

    text = TOKEN.sub(replace, body)
    # An empty value leaves no double space, nor a space before a comma or a full stop ("Hello , thanks").
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"[ \t]+([,.])", r"\1", text)
