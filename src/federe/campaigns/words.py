"""A campaign's figures in words, in the reader's language: "+12 % mentions: within normal variation (p = 0.31)"."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federe.campaigns.impact import Figure
from federe.campaigns.stats import ALPHA

LABELS = {
    "mentions": gettext_lazy("mentions"),
    "negative": gettext_lazy("negative tone"),
    "positive": gettext_lazy("positive tone"),
    "share_of_voice": gettext_lazy("share of voice"),
    "engagement": gettext_lazy("engagement per post"),
    "new_members": gettext_lazy("new members"),
    "returning_members": gettext_lazy("returning members"),
    "clicks": gettext_lazy("clicks"),
}


def _number(value: float, places: int = 0) -> str:
    return str(number_format(round(value, places), places, force_grouping=True))


def value(figure: Figure, which: str) -> str:
    """The before or after figure as shown in the table: a count, a share in %, a rate per post."""
    raw = getattr(figure, which)
    if figure.kind == "share":
        return f"{_number(100 * raw)}\u00a0%"
    if figure.kind == "per_post":
        return _number(raw, 1)
    return _number(raw)


def change(figure: Figure) -> str:
    """ "+12 %", "−3 points", or "new" when the baseline is zero."""
    if figure.kind == "share":
        points = 100 * (figure.after - figure.before)
        sign = "+" if points >= 0 else "−"
        return ngettext("%(sign)s%(points)s point", "%(sign)s%(points)s points", round(abs(points))) % {
            "sign": sign,
            "points": _number(abs(points)),
        }
    relative = figure.comparison.change
    if relative is None:
        return _("none before") if figure.after else "0\u00a0%"
    sign = "+" if relative >= 0 else "−"
    return f"{sign}{_number(abs(100 * relative))}\u00a0%"


def _p(sign: str, number: float) -> str:
    """ "p = 0.31" held together: non-breaking spaces, so a line never ends with "(p =" (formatting, not words)."""
    return f"p\u00a0{sign}\u00a0{_number(number, 2)}"


def verdict(figure: Figure) -> str:
    """Whether the difference is more than normal variation, with its p-value (below 0.01: "p < 0.01")."""
    p_value = figure.comparison.p_value
    if p_value >= ALPHA:
        return _("within normal variation (%(p)s)") % {"p": _p("=", p_value)}
    if p_value >= 0.01:
        return _("more than normal variation (%(p)s)") % {"p": _p("=", p_value)}
    return _("more than normal variation (%(p)s)") % {"p": _p("<", 0.01)}


def sentence(figure: Figure) -> str:
    """ "+12 % mentions: within normal variation (p = 0.31)"; with no baseline, "clicks: none before, 34 during…"."""
    if figure.kind != "share" and figure.comparison.change is None and figure.after:
        return _("%(what)s: none before, %(after)s during: %(verdict)s") % {
            "what": LABELS[figure.key],
            "after": value(figure, "after"),
            "verdict": verdict(figure),
        }
    return _("%(change)s %(what)s: %(verdict)s") % {
        "change": change(figure),
        "what": LABELS[figure.key],
        "verdict": verdict(figure),
    }
