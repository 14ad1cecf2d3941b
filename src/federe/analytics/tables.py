"""Each figure family as a titled table (this period, the previous one, the change) with its chart: what the
dashboard page draws, the CSV downloads and ``federe analytics show`` print. The figures come from ``figures.py``;
this module only puts them in words, in the reader's language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from federe.analytics import figures
from federe.analytics.period import Period
from federe.core.charts import BarChart, bar_chart, category_chart

REASONS = {
    "": gettext_lazy("no reason given"),
    "note": gettext_lazy("a moderator's note"),
    "words": gettext_lazy("watched words"),
    "links": gettext_lazy("too many links"),
    "email": gettext_lazy("an e-mail address"),
    "phone": gettext_lazy("a phone number"),
    "emoji_only": gettext_lazy("only emoji or symbols"),
    "too_short": gettext_lazy("too short"),
    "too_long": gettext_lazy("too long"),
    "language": gettext_lazy("language"),
    "new_author": gettext_lazy("a new author"),
    "channel": gettext_lazy("a watched channel"),
    "score": gettext_lazy("a classifier's score"),
    "not": gettext_lazy("a condition not met"),
}


def _change() -> str:
    """The comparison column's heading (a noun: "Évolution" in French, not the verb)."""
    return pgettext("compared with the previous period", "Change")


RATES = gettext_lazy(
    "Engagement rate: reactions (reposts, likes, replies) ÷ people reached × 100, on the messages whose network "
    "reports both. Conversation rate: the community's replies ÷ its messages × 100."
)


@dataclass
class Table:
    family: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    chart: BarChart | None = None
    #: The chart's data when it is not the table (a value per day): header, rows.
    series: tuple[list[str], list[list[Any]]] | None = None
    notes: list[str] = field(default_factory=list)
    #: Columns of words (a channel's name) that the page lets wrap, where numbers stay on one line.
    text_columns: frozenset[int] = frozenset()

    def csv(self) -> tuple[list[str], list[list[Any]]]:
        return self.series or (self.header, self.rows)


@dataclass(frozen=True)
class Scope:
    workspace_id: int
    period: Period
    channel: int | None = None
    #: The daily counters read once per period, shared by the families of one page (and its previous period).
    read: dict[Period, figures.Days] = field(default_factory=dict, compare=False, repr=False)

    @property
    def previous(self) -> Scope:
        return Scope(self.workspace_id, self.period.previous(), self.channel, self.read)

    def days(self) -> figures.Days:
        if self.period not in self.read:
            self.read[self.period] = figures.days(self.workspace_id, self.period, self.channel)
        return self.read[self.period]


def change(now: float | None, before: float | None) -> str:
    """The change from the previous period, as a signed percentage ("+12 %", "−5 %"), or "—" when undefined."""
    if now is None or before is None or before == 0:
        return "—"
    value = round(100 * (now - before) / before)
    return f"+{value} %" if value > 0 else f"−{-value} %" if value < 0 else "0 %"


def _shown(value: float | None) -> Any:
    return "—" if value is None else value


def _compared(label: str, now: float | None, before: float | None) -> list[Any]:
    return [label, _shown(now), _shown(before), change(now, before)]


def _pct(share: float | None) -> int | None:
    return None if share is None else round(100 * share)


def _header(first: str) -> list[str]:
    return [first, _("This period"), _("Previous period"), _change()]


def _daily(scope: Scope, names: list[tuple[str, str]]) -> tuple[list[str], list[list[Any]]]:
    counted = scope.days()
    header = [_("Day"), *(label for _name, label in names)]
    rows = [
        [day.isoformat(), *(counted.series[name][i] for name, _label in names)] for i, day in enumerate(counted.days)
    ]
    return header, rows


def growth(scope: Scope) -> Table:
    now = figures.growth(scope.workspace_id, scope.period, scope.channel, scope.days())
    before = figures.growth(scope.workspace_id, scope.previous.period, scope.channel, scope.previous.days())
    rows = [
        _compared(_("Members"), now.members, before.members),
        _compared(_("New members"), now.new, before.new),
        _compared(_("Returning members"), now.returning, before.returning),
        _compared(_("Gone quiet"), now.gone_quiet, before.gone_quiet),
    ]
    title = _("New members per day")
    chart = bar_chart(list(zip(scope.period.each_day(), now.new_by_day, strict=True)), title=title)
    series = _daily(scope, [("new_members", _("New members")), ("returning", _("Returning members"))])
    return Table("growth", _("Community growth"), _header(_("Members")), rows, chart, series)


def activity(scope: Scope) -> Table:
    now = figures.activity(scope.workspace_id, scope.period, scope.channel, scope.days())
    before = figures.activity(scope.workspace_id, scope.previous.period, scope.channel, scope.previous.days())
    rows = [
        _compared(_("Messages from the community"), now.messages, before.messages),
        _compared(_("of which replies to another message"), now.community_replies, before.community_replies),
        _compared(_("Our replies sent"), now.sent, before.sent),
    ]
    chart = bar_chart(list(zip(scope.period.each_day(), now.by_day, strict=True)), title=_("Messages per day"))
    series = _daily(
        scope,
        [("messages", _("Messages from the community")), ("community_replies", _("Replies")), ("sent", _("Sent"))],
    )
    return Table("activity", _("Activity"), _header(_("Messages")), rows, chart, series)


def engagement(scope: Scope) -> Table:
    now = figures.engagement(scope.workspace_id, scope.period, scope.channel, scope.days())
    before = figures.engagement(scope.workspace_id, scope.previous.period, scope.channel, scope.previous.days())
    rows = [
        _compared(_("Engagement rate (%)"), now.rate, before.rate),
        _compared(_("Conversation rate (%)"), now.conversation_rate, before.conversation_rate),
        _compared(_("People reached"), now.reach, before.reach),
        _compared(_("Reactions"), now.engagement, before.engagement),
    ]
    points = [(str(r[0]), round(r[1])) for r in rows[:2] if r[1] != "—"]
    chart = category_chart(points, title=_("Engagement (%)"), width=360) if points else None
    notes = [str(RATES)]
    return Table("engagement", _("Engagement"), _header(_("Figure")), rows, chart, notes=notes)


def responses(scope: Scope) -> Table:
    from federe.sla.models import Target
    from federe.sla.words import duration

    now = figures.responses(scope.workspace_id, scope.period, scope.channel)
    before = figures.responses(scope.workspace_id, scope.previous.period, scope.channel)

    def minutes(span: Any) -> float | None:
        return round(span.total_seconds() / 60) if span is not None else None

    rows = [
        _compared(_("Threads answered"), now.answered, before.answered),
        _compared(
            _("First response, median (min)"), minutes(now.first_response_median), minutes(before.first_response_median)
        ),
        _compared(
            _("First response, 90 % within (min)"), minutes(now.first_response_p90), minutes(before.first_response_p90)
        ),
    ]
    points = []
    for target in Target.values:
        share_now, share_before = now.share(target), before.share(target)
        label = _("%(target)s met (%%)") % {"target": Target(target).label}
        rows.append(_compared(label, _pct(share_now), _pct(share_before)))
        if share_now is not None:
            points.append((str(Target(target).label), round(100 * share_now)))
    chart = category_chart(points, title=_("Targets met (%)"), width=360) if points else None
    notes = [_("Median first response: %(d)s.") % {"d": duration(now.first_response_median)}] if now.answered else []
    return Table("responses", _("Response times"), _header(_("Figure")), rows, chart, notes=notes)


def sentiment(scope: Scope) -> Table:
    now = figures.sentiment(scope.workspace_id, scope.period, scope.channel, scope.days())
    before = figures.sentiment(scope.workspace_id, scope.previous.period, scope.channel, scope.previous.days())
    labels = {"positive": _("Positive"), "neutral": _("Neutral"), "negative": _("Negative")}
    rows = [_compared(labels[tone], now[tone], before[tone]) for tone in labels]
    chart = category_chart([(labels[t], now[t]) for t in labels], title=_("Messages by tone"), width=360)
    return Table("sentiment", _("Sentiment"), _header(_("Tone")), rows, chart)


def moderation(scope: Scope) -> Table:
    from federe.moderation.models import Verdict

    found = figures.moderation(scope.workspace_id, scope.period, scope.channel)
    before: dict[tuple[str, str, bool], int] = defaultdict(int)
    for m in figures.moderation(scope.workspace_id, scope.previous.period, scope.channel):
        before[(m.action, m.reason, m.automatic)] += m.count
    rows = []
    by_action: dict[str, int] = defaultdict(int)
    for m in found:
        action = str(Verdict(m.action).label) if m.action in Verdict.values else m.action
        by_action[action] += m.count
        who = _("a rule") if m.automatic else _("a moderator")
        before_n = before.get((m.action, m.reason, m.automatic), 0)
        rows.append([action, str(REASONS.get(m.reason, m.reason)), who, m.count, before_n, change(m.count, before_n)])
    chart = category_chart(list(by_action.items()), title=_("Decisions by action"), width=480) if by_action else None
    header = [_("Action"), _("Reason"), _("Decided by"), _("This period"), _("Previous period"), _change()]
    return Table("moderation", _("Moderation"), header, rows, chart, text_columns=frozenset({1, 2}))


def top_posts(scope: Scope) -> Table:
    posts = figures.top_posts(scope.workspace_id, scope.period, scope.channel)
    rows = [[p.title, p.channel, p.messages, p.started_on.isoformat()] for p in posts]
    chart = (
        category_chart([(p.title[:18], p.messages) for p in posts], title=_("Messages per thread"), width=640)
        if posts
        else None
    )
    header = [_("Thread"), _("Channel"), _("Messages"), _("Started")]
    return Table("top-posts", _("Top posts"), header, rows, chart, text_columns=frozenset({1}))


def top_members(scope: Scope) -> Table:
    from federe.people.models import Level

    members = figures.top_members(scope.workspace_id, scope.period, scope.channel)
    rows = [[m.name, str(Level(m.level).label) if m.level in Level.values else m.level, m.score] for m in members]
    chart = (
        category_chart([(m.name[:14], round(m.score)) for m in members], title=_("Engagement score"), width=640)
        if members
        else None
    )
    return Table("top-members", _("Top members"), [_("Member"), _("Level"), _("Engagement score")], rows, chart)


def voice(scope: Scope) -> Table:
    now = figures.share_of_voice(scope.workspace_id, scope.period)
    before = {v.brand: v.mentions for v in figures.share_of_voice(scope.workspace_id, scope.previous.period)}
    rows = [
        [v.brand, v.mentions, v.share, before.get(v.brand, 0), change(v.mentions, before.get(v.brand, 0))] for v in now
    ]
    chart = (
        category_chart([(v.brand[:14], v.mentions) for v in now], title=_("Mentions by brand"), width=480)
        if now
        else None
    )
    header = [_("Brand"), _("Mentions"), _("Share (%)"), _("Previous period"), _change()]
    return Table("voice", _("Share of voice"), header, rows, chart)


FAMILIES: dict[str, Callable[[Scope], Table]] = {
    "growth": growth,
    "activity": activity,
    "engagement": engagement,
    "responses": responses,
    "sentiment": sentiment,
    "moderation": moderation,
    "top-posts": top_posts,
    "top-members": top_members,
    "voice": voice,
}


def dashboard(scope: Scope) -> list[Table]:
    """Every family; share of voice only for the whole workspace (watched feeds belong to no channel)."""
    return [make(scope) for name, make in FAMILIES.items() if not (name == "voice" and scope.channel is not None)]
