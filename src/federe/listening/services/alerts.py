"""Spikes and their alerts: the workspace's settings, the figures of a window against its baseline, opening and
closing alerts, and why an alert fired in words. Delivery is ``listening/delivery.py``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, require
from federe.accounts.queries import members_who_can
from federe.core import audit
from federe.listening.forms import email_lines
from federe.listening.models import Alert, AlertKind, AlertSettings, Mention
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.webhooks import announce as webhooks_announce


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
                webhooks_announce.alert_fired(alert)
                notify_members(alert, config)
    if fired:
        from federe.listening.delivery import hand_out  # delivery reads this module's settings and wording

        hand_out([alert.pk for alert in fired], timezone.now())
    return fired


def notify_members(alert: Alert, config: AlertSettings) -> None:
    """The members who look after listening see the alert in the app. The e-mail of that notification (per
    their choice) goes only to those the alert does not e-mail itself (their address is not in the settings'
    list) and who did not turn listening alerts off: nobody gets the same alert twice."""
    members = [m.user for m in members_who_can(alert.workspace, Perm.MANAGE_LISTENING)]
    configured = {address.lower() for address in email_lines(config.emails)}
    emailed_already = [u for u in members if u.email.lower() in configured or not u.notify_alerts]
    params = {
        "alert": alert.pk,
        "query": alert.query_id,
        "query_name": alert.query.name,
        "alert_kind": alert.kind,
        "window": alert.figures.get("window"),
        "window_minutes": alert.figures.get("window_minutes"),
    }
    others = [u for u in members if u not in emailed_already]
    notify(others, Kind.ALERT_FIRED, workspace=alert.workspace, params=params)
    notify(emailed_already, Kind.ALERT_FIRED, workspace=alert.workspace, params=params, email=False)


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
