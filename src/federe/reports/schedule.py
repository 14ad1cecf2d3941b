"""Reports e-mailed on a schedule: weekly ones on Monday, monthly ones on the 1st, at ``SEND_HOUR`` UTC, each
covering its template's rolling window up to the day before (``content.window``), as a PDF attached to a short
e-mail in the template's language, through Django's mail sending (the same path as the notification digests).

The worker's dispatcher calls ``dispatch_due`` every round. The row holds the schedule: a template is claimed by
moving its ``next_send_at`` forward in one conditional UPDATE, so two workers (or a restart) never send one report
twice; the PDF is made and mailed by a background task (``send_claimed``). When the e-mail cannot be sent, the error is
recorded on the row and the next try waits ``retry_delay`` (5 minutes, doubled after each failure in a row, at most a
day, and never later than the next regular sending); after ``MAX_FAILURES`` failures in a row the schedule is paused
(``paused``, no ``next_send_at``) and the template's page says why, with a button to resume
(``services.resume_schedule``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from federe.core import audit
from federe.reports.models import ReportTemplate, Schedule

logger = logging.getLogger("federe.reports")
SEND_HOUR = 6
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(days=1)
MAX_FAILURES = 8
MAX_ERROR = 500


def retry_delay(failures: int) -> timedelta:
    """The wait after ``failures`` failed sendings in a row (1 → 5 min, 2 → 10 min, … at most a day)."""
    return min(FIRST_RETRY * 2 ** min(max(failures, 1) - 1, 16), LONGEST_RETRY)


def next_after(schedule: str, now: datetime) -> datetime:
    """The first sending time strictly after ``now``."""
    day = now.astimezone(UTC).date()
    if schedule == Schedule.WEEKLY:
        candidate = day + timedelta(days=(7 - day.weekday()) % 7)
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        candidate = day.replace(day=1)
        step = lambda d: (d.replace(day=28) + timedelta(days=4)).replace(day=1)  # noqa: E731
    at = datetime.combine(candidate, time(SEND_HOUR), tzinfo=UTC)
    while at <= now:
        candidate = step(candidate)
        at = datetime.combine(candidate, time(SEND_HOUR), tzinfo=UTC)
    return at


def send(template: ReportTemplate, now: datetime | None = None) -> None:
    """E-mail ``template``'s report now to its addresses (exceptions from the mail server go up)."""
    from federe.reports import content, render

    report = content.build(template, content.window(template.days, (now or timezone.now()).date()))
    attachment = render.pdf(report)
    with translation.override(template.language):
        subject = _("%(name)s: report from %(since)s to %(last)s") % {
            "name": template.name,
            "since": report.period.since,
            "last": report.period.last,
        }
        attached = _("The report of %(workspace)s is attached as a PDF.") % {"workspace": template.workspace.name}
        body = f"{attached}\n\n{report.engagement_basis}"
    message = EmailMessage(subject, body, None, template.addresses())
    message.attach(render.file_name(report, "pdf"), attachment, "application/pdf")
    message.send()


def dispatch_due(now: datetime | None = None) -> list[int]:
    """Claim every scheduled report whose time has come and queue its sending (``tasks.send_report_task``); the
    dispatcher calls this every round. Returns the templates queued."""
    from federe.reports.tasks import send_report_task

    now = now or timezone.now()
    queued = []
    due = (
        ReportTemplate.objects.filter(next_send_at__lte=now)
        .exclude(schedule="")
        .values_list("pk", "schedule", "next_send_at")
    )
    for pk, every, was in due[:50]:
        if was is None:
            continue
        following = next_after(every, now)
        if ReportTemplate.objects.filter(pk=pk, next_send_at=was).update(next_send_at=following):
            send_report_task.enqueue(pk, was.isoformat(), following.isoformat())
            queued.append(pk)
    return queued


def send_claimed(pk: int, was: datetime, following: datetime) -> bool:
    """Send a claimed template's report; when it cannot go, record why and try again later (``failed``)."""
    template = ReportTemplate.objects.select_related("workspace").filter(pk=pk).first()
    if template is None:
        return False
    try:
        send(template)
    except Exception as exc:  # the mail server is down, or the PDF could not be made: try again later, a few times
        logger.exception("report %s not sent; will retry", pk)
        failed(pk, following, exc)
        return False
    ReportTemplate.objects.filter(pk=pk).update(
        last_sent_at=timezone.now(), send_failures=0, last_error="", last_failed_at=None
    )
    audit.record(
        "report.sent",
        workspace=template.workspace,
        actor_label="scheduler",
        target=template,
        details={"recipients": len(template.addresses())},
    )
    return True


def failed(pk: int, following: datetime, error: Exception, now: datetime | None = None) -> None:
    """Record a failed sending, and set the next try (``retry_delay``) or pause the schedule after ``MAX_FAILURES``
    in a row. A schedule changed meanwhile (the row no longer holds ``following``) keeps its new time."""
    now = now or timezone.now()
    with transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(pk=pk).first()
        if template is None:
            return
        template.send_failures += 1
        template.last_error = (str(error) or type(error).__name__)[:MAX_ERROR]
        template.last_failed_at = now
        pausing = False
        if template.next_send_at == following:
            if template.send_failures >= MAX_FAILURES:
                template.next_send_at, template.paused, pausing = None, True, True
            else:
                template.next_send_at = min(now + retry_delay(template.send_failures), following)
        template.save(update_fields=["send_failures", "last_error", "last_failed_at", "next_send_at", "paused"])
        if pausing:
            audit.record(
                "report.paused",
                workspace=template.workspace,
                actor_label="scheduler",
                target=template,
                details={"failures": template.send_failures},
            )
