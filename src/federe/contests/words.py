"""Each exclusion's reason in words, in the reader's language (reasons are stored as a code and its params)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

STAFF, BLOCKED, LATE, EARLY, UNPUBLISHED, WRONG, TOO_NEW, DUPLICATE = (
    "staff",
    "blocked",
    "late",
    "early",
    "unpublished",
    "wrong_answer",
    "too_new",
    "duplicate",
)


def reason_text(code: str, params: dict[str, Any]) -> str:
    """The sentence shown for an automatic exclusion."""
    if code == STAFF:
        return _("Posted by one of the workspace's own accounts.")
    if code == BLOCKED:
        return _("The author is banned.")
    if code == LATE:
        return _("Posted after the deadline.")
    if code == EARLY:
        return _("Posted before the start.")
    if code == UNPUBLISHED:
        return _("The message is not published on its channel (held, spam or removed).")
    if code == WRONG:
        return _("Wrong answer to question %(number)d.") % {"number": int(params.get("question", 0))}
    if code == TOO_NEW:
        days, wanted = int(params.get("days", 0)), int(params.get("min", 0))
        return ngettext(
            "First seen %(days)d day before the start; the rules ask for %(min)d.",
            "First seen %(days)d days before the start; the rules ask for %(min)d.",
            days,
        ) % {"days": days, "min": wanted}
    if code == DUPLICATE:
        return _("This person already entered (%(name)s, another message or channel).") % {
            "name": str(params.get("name", ""))
        }
    return _("Excluded.")


def entry_status(entry: Any) -> str:
    """What the review list says about an entry: eligible, or why not (the organiser's note first)."""
    if entry.decided == "excluded":
        return _("Excluded by the organiser: %(note)s") % {"note": entry.decided_note}
    if entry.decided == "included":
        return _("Reinstated by the organiser: %(note)s") % {"note": entry.decided_note}
    if entry.reason:
        return reason_text(entry.reason, entry.params)
    return _("Eligible")
