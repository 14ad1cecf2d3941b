"""Listening: saving queries, matching messages at ingest, spikes and their alerts, and turning a mention into
work for the inbox. Share of voice and opinion leaders are read in ``voice.py``."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.inbox.models import Message
from federe.listening.matching.doc import MatchDoc
from federe.listening.matching.multi import MultiMatcher
from federe.listening.models import VOICE_KINDS, Alert, AlertKind, AlertSettings, Mention, QueryKind, SavedQuery
from federe.listening.query.errors import QuerySyntaxError
from federe.listening.query.parser import parse

log = logging.getLogger(__name__)

#: How many recent messages the live preview and a new query's back-fill look at.
PREVIEW_SCAN = 5000
BACKFILL_SCAN = 20000


# Queries ------------------------------------------------------------------------------------------------------
def check_query(text: str) -> Any:
    """The parsed query, or a ValidationError that says where and what was expected, in the user's language."""
    try:
        return parse(text)
    except QuerySyntaxError as exc:
        raise ValidationError(
            {"text": _("%(message)s (at character %(position)d)") % {"message": exc, "position": exc.position + 1}}
        ) from exc


def brand_for(workspace: Any, *, kind: str, name: str, brand: str) -> str:
    """The brand a query counts for in share of voice: none for products and topics; else the given brand name,
    or the query's own name, spelt as an existing brand of the workspace when one differs only by case."""
    if kind not in VOICE_KINDS:
        return ""
    wanted = (brand or "").strip() or name
    existing = SavedQuery.objects.filter(workspace=workspace, brand__iexact=wanted).values_list("brand", flat=True)
    return next(iter(existing), wanted)


def save_query(
    *,
    workspace: Any,
    by: Any,
    name: str,
    kind: str,
    text: str,
    brand: str = "",
    query: SavedQuery | None = None,
) -> SavedQuery:
    """Save a query; its kind is always chosen (brand, product, competitor or topic); brand and competitor queries
    count for a brand in share of voice (``brand``, the query's name when empty)."""
    require(by, workspace, Perm.MANAGE_LISTENING)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the query a name.")})
    if kind not in QueryKind.values:
        raise ValidationError({"kind": _("Choose brand, product, competitor or topic.")})
    check_query(text)
    with transaction.atomic():
        row = query or SavedQuery(workspace=workspace)
        changed = query is None or row.text != text
        row.name, row.kind, row.text = name, kind, text.strip()
        row.brand = brand_for(workspace, kind=kind, name=name, brand=brand)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise ValidationError({"name": _("A query with this name already exists.")}) from exc
        if changed:
            Mention.objects.filter(query=row).delete()
            backfill(row)
        audit.record(
            "listening.query_saved",
            workspace=workspace,
            actor=by,
            target=row,
            details={"kind": kind, "brand": row.brand},
        )
    _invalidate(workspace.pk)
    return row


def delete_query(*, query: SavedQuery, by: Any) -> None:
    require(by, query.workspace, Perm.MANAGE_LISTENING)
    audit.record("listening.query_deleted", workspace=query.workspace, actor=by, details={"name": query.name})
    query.delete()
    _invalidate(query.workspace_id)


# Matching -----------------------------------------------------------------------------------------------------
_cache_lock = threading.Lock()
_matchers: dict[int, tuple[tuple, MultiMatcher]] = {}


def _invalidate(workspace_id: int) -> None:
    with _cache_lock:
        _matchers.pop(workspace_id, None)


def matcher_for(workspace_id: int) -> MultiMatcher | None:
    """One compiled matcher for all of a workspace's enabled queries, rebuilt when a query changes."""
    rows = list(
        SavedQuery.objects.filter(workspace_id=workspace_id, enabled=True).values_list("pk", "text", "updated_at")
    )
    if not rows:
        return None
    key = tuple(rows)
    with _cache_lock:
        cached = _matchers.get(workspace_id)
        if cached and cached[0] == key:
            return cached[1]
    matcher = MultiMatcher({pk: parse(text) for pk, text, _ in rows})
    with _cache_lock:
        _matchers[workspace_id] = (key, matcher)
    return matcher


def match_doc(message: Message, channel_name: str, author_handle: str) -> MatchDoc:
    return MatchDoc.from_message(
        text=message.body_text,
        language=message.language,
        channel_id=message.connection_id,
        channel_name=channel_name,
        url=message.url,
        author_handle=author_handle,
    )


def _docs(messages: Sequence[Message]) -> list[MatchDoc]:
    from federe.connections.models import Connection
    from federe.people.models import Identity

    names = dict(Connection.objects.filter(pk__in={m.connection_id for m in messages}).values_list("pk", "name"))
    handles = dict(
        Identity.objects.filter(pk__in={m.author_id for m in messages if m.author_id}).values_list("pk", "handle")
    )
    return [match_doc(m, names.get(m.connection_id, ""), handles.get(m.author_id, "")) for m in messages]


def match_messages(workspace_id: int, messages: Sequence[Message]) -> dict[int, int]:
    """Store a mention for every (query, message) that matches; one pass over the messages for all queries.
    Returns the number of new mentions per query. Called at ingest, inside the page's transaction."""
    inbound = [m for m in messages if m.direction == "in"]
    matcher = matcher_for(workspace_id) if inbound else None
    if matcher is None:
        return {}
    rows: list[Mention] = []
    per_query: dict[int, int] = defaultdict(int)
    for message, doc in zip(inbound, _docs(inbound), strict=True):
        for query_id in matcher.match(doc):
            rows.append(
                Mention(
                    workspace_id=workspace_id, query_id=query_id, message_id=message.pk, posted_at=message.posted_at
                )
            )
            per_query[query_id] += 1
    Mention.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return dict(per_query)


def backfill(query: SavedQuery) -> int:
    """Match a new or edited query against the workspace's recent messages."""
    from federe.listening.matching.matcher import compile as compile_query

    matcher = compile_query(parse(query.text))
    recent = list(
        Message.objects.filter(workspace_id=query.workspace_id, direction="in").order_by("-posted_at")[:BACKFILL_SCAN]
    )
    rows = [
        Mention(workspace_id=query.workspace_id, query=query, message_id=m.pk, posted_at=m.posted_at)
        for m, doc in zip(recent, _docs(recent), strict=True)
        if matcher.matches(doc)
    ]
    Mention.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def preview(workspace: Any, text: str, limit: int = 20) -> list[Message]:
    """The latest messages the query would match (the live preview). Raises ValidationError on bad syntax."""
    from federe.listening.matching.matcher import compile as compile_query

    matcher = compile_query(check_query(text))
    found: list[Message] = []
    batch = 500
    qs = Message.objects.filter(workspace=workspace, direction="in").select_related("connection", "author")
    for start in range(0, PREVIEW_SCAN, batch):
        chunk = list(qs.order_by("-posted_at", "-id")[start : start + batch])
        if not chunk:
            break
        for message, doc in zip(chunk, _docs(chunk), strict=True):
            if matcher.matches(doc):
                found.append(message)
                if len(found) >= limit:
                    return found
    return found


# Spikes and alerts --------------------------------------------------------------------------------------------
def alert_settings(workspace_id: int) -> AlertSettings:
    row, _ = AlertSettings.objects.get_or_create(workspace_id=workspace_id)
    return row


def save_alert_settings(form: Any, *, by: Any) -> AlertSettings:
    """Save the validated settings form. The signing secret is write-only: a new one replaces it, "remove" blanks
    it, an empty field keeps it; it never reaches the audit log."""
    config = form.instance
    require(by, config.workspace, Perm.MANAGE_LISTENING)
    row = form.save(commit=False)
    changed = [name for name in form.changed_data if name not in ("new_secret", "remove_secret")]
    if form.cleaned_data.get("new_secret"):
        row.webhook_secret = form.cleaned_data["new_secret"]
        changed.append("webhook_secret")
    elif form.cleaned_data.get("remove_secret"):
        row.webhook_secret = ""
        changed.append("webhook_secret")
    row.save()
    audit.record("listening.alerts_configured", workspace=config.workspace, actor=by, details={"changed": changed})
    return row


def spike_figures(query_id: int, config: AlertSettings, now: datetime) -> dict[str, Any]:
    """Counts in the recent window and in the baseline window just before it."""
    window_start = now - timedelta(minutes=config.window_minutes)
    baseline_start = window_start - timedelta(minutes=config.baseline_minutes)
    counts = Mention.objects.filter(query_id=query_id, posted_at__gte=baseline_start, posted_at__lte=now).aggregate(
        window=Count("pk", filter=Q(posted_at__gte=window_start)),
        window_negative=Count("pk", filter=Q(posted_at__gte=window_start, message__sentiment="negative")),
        baseline=Count("pk", filter=Q(posted_at__lt=window_start)),
        baseline_negative=Count("pk", filter=Q(posted_at__lt=window_start, message__sentiment="negative")),
    )
    expected = counts["baseline"] * config.window_minutes / config.baseline_minutes
    window_share = counts["window_negative"] / counts["window"] if counts["window"] else 0.0
    baseline_share = counts["baseline_negative"] / counts["baseline"] if counts["baseline"] else 0.0
    return {
        **counts,
        "expected": round(expected, 2),
        "window_negative_share": round(window_share, 3),
        "baseline_negative_share": round(baseline_share, 3),
        "window_minutes": config.window_minutes,
        "baseline_minutes": config.baseline_minutes,
        "min_volume": config.min_volume,
        "volume_factor": config.volume_factor,
        "negative_share": config.negative_share,
        "negative_rise": config.negative_rise,
    }


def is_spike(kind: str, f: dict[str, Any]) -> bool:
    if f["window"] < f["min_volume"]:
        return False
    if kind == AlertKind.VOLUME:
        return f["window"] >= f["volume_factor"] * max(f["expected"], 1.0)
    return (
        f["window_negative_share"] >= f["negative_share"]
        and f["window_negative_share"] >= f["baseline_negative_share"] + f["negative_rise"]
    )


def check_spikes(workspace_id: int, query_ids: Sequence[int], now: datetime | None = None) -> list[Alert]:
    """Open an alert for each new spike; close those that calmed down. An open alert never fires again."""
    if not query_ids:
        return []
    now = now or timezone.now()
    config = alert_settings(workspace_id)
    fired: list[Alert] = []
    open_alerts = {(a.query_id, a.kind): a for a in Alert.objects.filter(query_id__in=query_ids, ended_at__isnull=True)}
    for query_id in query_ids:
        figures = spike_figures(query_id, config, now)
        for kind in AlertKind.values:
            current = open_alerts.get((query_id, kind))
            spiking = is_spike(kind, figures)
            if current and not spiking:
                Alert.objects.filter(pk=current.pk).update(ended_at=now)
            elif spiking and not current:
                window_start = now - timedelta(minutes=config.window_minutes)
                first = (
                    Mention.objects.filter(query_id=query_id, posted_at__gte=window_start)
                    .order_by("posted_at")
                    .values_list("posted_at", flat=True)
                    .first()
                )
                try:
                    with transaction.atomic():
                        alert = Alert.objects.create(
                            workspace_id=workspace_id,
                            query_id=query_id,
                            kind=kind,
                            fired_at=timezone.now(),
                            figures=figures,
                            next_attempt_at=timezone.now(),
                            first_message_at=first,
                        )
                except IntegrityError:  # another worker opened it first: still one alert per spike
                    continue
                fired.append(alert)
    if fired:
        from federe.listening.delivery import hand_out  # delivery reads this module's settings and wording

        hand_out([alert.pk for alert in fired], timezone.now())
    return fired


def describe(alert: Alert) -> str:
    """Why the alert fired, with its numbers, in the active language."""
    f = alert.figures
    n, w = f["window"], f["window_minutes"]
    words = {
        "mentions": ngettext("%(n)d mention of “%(query)s”", "%(n)d mentions of “%(query)s”", n)
        % {"n": n, "query": alert.query.name},
        "window": ngettext("in the last %(w)d minute", "in the last %(w)d minutes", w) % {"w": w},
    }
    if alert.kind == AlertKind.VOLUME:
        b = f["baseline_minutes"]
        return _(
            "%(mentions)s %(window)s, against %(expected)s expected from %(baseline)s "
            "(threshold: %(factor)s× and at least %(min)d)."
        ) % {
            **words,
            "expected": formats.number_format(f["expected"], 1),
            "baseline": ngettext("the %(b)d minute before", "the %(b)d minutes before", b) % {"b": b},
            "factor": formats.number_format(f["volume_factor"], 1),
            "min": f["min_volume"],
        }
    rise = round(f["negative_rise"] * 100)
    return _(
        "%(share)d%% of the %(mentions)s %(window)s are negative, against %(base)d%% before "
        "(threshold: %(min_share)d%%, and %(rise)s above before)."
    ) % {
        **words,
        "share": round(f["window_negative_share"] * 100),
        "base": round(f["baseline_negative_share"] * 100),
        "min_share": round(f["negative_share"] * 100),
        "rise": ngettext("%(rise)d point", "%(rise)d points", rise) % {"rise": rise},
    }


# From a mention to work ---------------------------------------------------------------------------------------
def escalate(*, mention: Mention, by: Any, assignee: Any, note: str = "") -> Any:
    """Hand a mention to a teammate: its thread is assigned to them (back to "to do" if it was closed), they get
    an e-mail in their own language, and the audit log keeps the note."""
    from federe.inbox import services as inbox
    from federe.inbox.models import ConversationStatus

    conversation = mention.message.conversation
    require(by, mention.workspace, Perm.ASSIGN)
    inbox.assign(conversation=conversation, assignee=assignee, by=by)
    if conversation.status == ConversationStatus.CLOSED:
        inbox.set_status(conversation=conversation, status=ConversationStatus.ASSIGNED, by=by)
    audit.record(
        "listening.escalated",
        workspace=mention.workspace,
        actor=by,
        target=conversation,
        details={"query": mention.query.name, "to": assignee.get_username(), "note": note[:500]},
    )
    if assignee.email and assignee.notify_assignments:
        with translation.override(getattr(assignee, "language", "") or settings.LANGUAGE_CODE):
            subject = _("[%(ws)s] A mention for you: %(query)s") % {
                "ws": mention.workspace.name,
                "query": mention.query.name,
            }
            body = "\n\n".join(
                part
                for part in (
                    _("%(user)s asks you to look at this mention.") % {"user": by.get_username()},
                    note,
                    mention.message.body_text[:1000],
                    mention.message.url,
                )
                if part
            )
        send_mail(subject, body, None, [assignee.email], fail_silently=True)
    return conversation
