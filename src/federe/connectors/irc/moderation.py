"""Moderation on an IRC channel, over a short session (``connector.py``): kick, ban, unban, quiet.

KICK (RFC 2812 §3.2.8) needs the session on the channel (ngIRCd lets an IRC operator kick there without chanop);
a nick no longer on the channel (441, 401) counts as done. BAN and UNBAN set and clear the mask ``<nick>!*@*``
(MODE ``+b``/``-b``, §3.2.3); the ban list (367 lines, 368 at its end) is read before and after, so asked twice the
second call finds it done, and a server that ignored the change is caught. MUTE sets ``+q`` on the same mask where
ISUPPORT ``CHANMODES`` lists a quiet mode, and is refused in words where it does not (ngIRCd). 482 (not chanop)
and 481 (not an operator) are refused in words.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.errors import Permanent
from federe.connectors.irc.session import Session
from federe.connectors.types import ActionKind, ActionResult

NO_RIGHTS = {"481", "482"}
NO_QUIET = _lazy(
    "This IRC server has no quiet mode (no “q” list mode in its CHANMODES): a member cannot be silenced without"
    " being banned. Kick or ban instead."
)
LIST_MODE = {ActionKind.BAN: "b", ActionKind.UNBAN: "b", ActionKind.MUTE: "q"}


def no_rights(channel: str) -> Permanent:
    return Permanent(
        _(
            "The IRC server says the bot may not moderate %(channel)s: give it chanop (+o) on the channel, or an IRC"
            " operator name and password."
        )
        % {"channel": channel}
    )


def masks(session: Session, channel: str, mode: str) -> set[str]:
    """The channel's list for ``mode`` (b: bans, q: quiets), in lower case."""
    session.send("MODE", channel, f"+{mode}")
    found: set[str] = set()
    ends = {"368"} if mode == "b" else {"368", "729"}
    while True:
        answer = session.wait_for({"367", "728", *ends, *NO_RIGHTS, "403", "442"})
        if answer.command in {"367", "728"}:
            found.add(answer.params[-3 if answer.command == "728" else 2].lower() if len(answer.params) > 2 else "")
        elif answer.command in ends:
            return found
        else:
            raise no_rights(channel)


def kick(session: Session, channel: str, nick: str, reason: str) -> ActionResult:
    session.join(channel)
    session.send("KICK", channel, nick, reason or _("Kicked by a moderator"))
    while True:
        answer = session.wait_for({"KICK", "441", "401", *NO_RIGHTS})
        if answer.command == "KICK" and len(answer.params) > 1 and answer.params[1].lower() == nick.lower():
            return ActionResult(
                done=True, detail=_("%(nick)s was kicked from %(channel)s.") % {"nick": nick, "channel": channel}
            )
        if answer.command in {"441", "401"}:
            return ActionResult(
                done=True, detail=_("%(nick)s is not on %(channel)s.") % {"nick": nick, "channel": channel}
            )
        if answer.command in NO_RIGHTS:
            raise no_rights(channel)


def set_mask(session: Session, kind: ActionKind, channel: str, nick: str) -> ActionResult:
    mode, mask = LIST_MODE[kind], f"{nick}!*@*"
    wanted = kind != ActionKind.UNBAN
    words = {"mask": mask, "channel": channel}
    if (mask.lower() in masks(session, channel, mode)) == wanted:
        already = (
            _("%(mask)s was already banned on %(channel)s.") if wanted else _("%(mask)s was not banned on %(channel)s.")
        )
        return ActionResult(done=True, detail=already % words)
    session.send("MODE", channel, f"{'+' if wanted else '-'}{mode}", mask)
    if (mask.lower() in masks(session, channel, mode)) != wanted:
        raise no_rights(channel)
    done = {
        ActionKind.BAN: _("%(mask)s is banned from %(channel)s."),
        ActionKind.UNBAN: _("%(mask)s is no longer banned from %(channel)s."),
        ActionKind.MUTE: _("%(mask)s is quieted on %(channel)s."),
    }[kind]
    return ActionResult(done=True, detail=done % words)


def act(session: Session, kind: ActionKind, channel: str, nick: str, reason: str) -> ActionResult:
    if kind == ActionKind.KICK:
        return kick(session, channel, nick, reason)
    if kind == ActionKind.MUTE and not session.quiet_mode:
        raise Permanent(str(NO_QUIET))
    if kind in LIST_MODE:
        return set_mask(session, kind, channel, nick)
    raise Permanent(_("IRC cannot do this action."))
