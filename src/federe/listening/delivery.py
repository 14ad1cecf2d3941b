"""Delivering alerts: a state on the row (pending -> sending -> sent | failed), claimed by one worker at a time,
retried with exponential backoff up to a cap, and driven by the worker's dispatcher like channel syncs.

Each channel is done once: the e-mail is recorded as sent before the webhook is tried, so retrying a failed
webhook never e-mails the team again; the webhook carries ``Idempotency-Key: listening-alert-<id>`` so that a
receiver can tell retries of one alert apart from new alerts."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from federe.listening.forms import email_lines
from federe.listening.models import Alert, AlertSettings, DeliveryState
from federe.listening.services.alerts import alert_settings, describe

MAX_DELIVERY_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
#: A delivery still "sending" after this long belongs to a worker that died: the dispatcher hands it out again.
SENDING_LEASE = timedelta(minutes=5)
#: A due delivery handed to the task queue is not handed out again before this, unless its task claimed it.
DISPATCH_LEASE = timedelta(minutes=2)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failed attempt, then twice as long each time, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim(alert_id: int, now: datetime) -> bool:
    """Only one worker sends an alert at a time; a sent alert, or one that gave up, is never sent again. Only an
    alert handed to the queue (pending) can be claimed: a failed one waits for its backoff until the dispatcher
    hands it out again, so a stray second task for it never retries at once."""
    claimed = Alert.objects.filter(
        pk=alert_id,
        delivery_state=DeliveryState.PENDING,
        next_attempt_at__isnull=False,
    ).update(delivery_state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    return claimed == 1


def deliver(alert_id: int) -> dict[str, str] | None:
    """One attempt at the channels not yet done: e-mail (in the workspace's language) and the signed webhook.
    Returns what each channel answered, or None when the alert was not due (sent, given up, or being sent)."""
    if not _claim(alert_id, timezone.now()):
        return None
    alert = Alert.objects.select_related("query", "workspace").get(pk=alert_id)
    config = alert_settings(alert.workspace_id)
    outcome: dict[str, str] = dict(alert.delivered)
    recipients = alert_recipients(config.emails)
    if recipients and outcome.get("email") != "sent":
        outcome["email"] = _send_email(alert, recipients)
        Alert.objects.filter(pk=alert.pk).update(delivered=outcome)  # a crash after this never e-mails twice
    if config.webhook_url and not _webhook_ok(outcome.get("webhook", "")):
        outcome["webhook"] = _post_webhook(alert, config)
    _finish(alert, outcome, recipients, config)
    return outcome


def alert_recipients(emails: str) -> list[str]:
    """The configured addresses, minus those of users who turned listening alerts off in their profile. Only the
    users whose address is configured are read: an instance has many users, an alert a few addresses."""
    from federe.accounts.models import User

    addresses = email_lines(emails)
    if not addresses:
        return []
    rows = User.objects.annotate(address=Lower("email")).filter(
        address__in={address.lower() for address in addresses}, notify_alerts=False
    )
    opted_out = {email.lower() for email in rows.values_list("email", flat=True)}
    return [address for address in addresses if address.lower() not in opted_out]


def _webhook_ok(answer: str) -> bool:
    return answer.isdigit() and 200 <= int(answer) < 300


def delivery_problems(alert: Alert) -> list[str]:
    """What went wrong at the last attempt, in the reader's language (``delivered`` keeps the raw answers)."""
    problems = []
    email = alert.delivered.get("email", "")
    if email and email != "sent":
        problems.append(_("The e-mail could not be sent: %(error)s") % {"error": email.removeprefix("error: ")})
    hook = alert.delivered.get("webhook", "")
    if hook.isdigit() and not _webhook_ok(hook):
        problems.append(_("The webhook answered HTTP %(status)s.") % {"status": hook})
    elif hook and not hook.isdigit():
        problems.append(_("The webhook could not be reached: %(error)s") % {"error": hook.removeprefix("error: ")})
    return problems


def _finish(alert: Alert, outcome: dict[str, str], recipients: list[str], config: AlertSettings) -> None:
    failed = []
    if recipients and outcome.get("email") != "sent":
        failed.append(f"e-mail: {outcome.get('email', '')}")
    if config.webhook_url and not _webhook_ok(outcome.get("webhook", "")):
        failed.append(f"webhook: {outcome.get('webhook', '')}")
    rows = Alert.objects.filter(pk=alert.pk)
    if not failed:
        rows.update(delivered=outcome, delivery_state=DeliveryState.SENT, next_attempt_at=None, last_error="")
        return
    give_up = alert.attempts >= MAX_DELIVERY_ATTEMPTS
    rows.update(
        delivered=outcome,
        delivery_state=DeliveryState.FAILED,
        next_attempt_at=None if give_up else timezone.now() + retry_delay(alert.attempts),
        last_error="; ".join(failed)[:2000],
    )


def _send_email(alert: Alert, recipients: list[str]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(ws)s] Listening alert: %(query)s") % {"ws": alert.workspace.name, "query": alert.query.name}
        body = describe(alert)
    try:
        send_mail(subject, body, None, recipients)
    except Exception as exc:  # SMTP errors of every kind: recorded and retried, never raised into the worker
        return f"error: {exc}"
    return "sent"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(alert: Alert) -> bytes:
    return json.dumps(
        {
            "event": "listening.alert",
            "alert": alert.pk,
            "workspace": alert.workspace.slug,
            "query": {"id": alert.query_id, "name": alert.query.name, "kind": alert.query.kind},
            "kind": alert.kind,
            "fired_at": alert.fired_at.isoformat(),
            "figures": alert.figures,
        },
        sort_keys=True,
    ).encode()


def _post_webhook(alert: Alert, config: AlertSettings) -> str:
    """POST through the SSRF-safe client (no private addresses unless allowed, no redirects); the HTTP status, or
    the error in words."""
    from federe.webhooks import posting

    payload = webhook_payload(alert)
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"listening-alert-{alert.pk}"}
    if config.webhook_secret:
        headers["X-Federe-Signature"] = sign(config.webhook_secret, payload)
    answer = posting.post(config.webhook_url, payload, headers)
    if answer.status is None:  # refused address, network error: recorded on the alert and retried
        return f"error: {answer.error}"
    return str(answer.status)


def dispatch_due_alerts(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Enqueue one delivery task per due alert (first try or retry), once each; hand out again the deliveries of
    a worker that died while sending. Called by the worker's dispatcher, like ``dispatch_due_syncs``."""
    now = now or timezone.now()
    with transaction.atomic():
        Alert.objects.filter(delivery_state=DeliveryState.SENDING, next_attempt_at__lt=now).update(
            delivery_state=DeliveryState.PENDING
        )
        due = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(delivery_state__in=[DeliveryState.PENDING, DeliveryState.FAILED], next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        hand_out(due, now)
    return due


def hand_out(alert_ids: list[int], now: datetime) -> None:
    """Hand alerts to the task queue, one task each on commit: pending again (what a task may claim) and leased,
    so that the dispatcher hands them out again only if their task never claimed them. The one way in, used by the
    spike check for a new alert and by the dispatcher for due ones, so that an alert is never enqueued twice."""
    from federe.listening.tasks import deliver_alert_task

    if not alert_ids:
        return
    Alert.objects.filter(pk__in=alert_ids).update(
        delivery_state=DeliveryState.PENDING, next_attempt_at=now + DISPATCH_LEASE
    )
    for pk in alert_ids:
        transaction.on_commit(partial(deliver_alert_task.enqueue, pk))
