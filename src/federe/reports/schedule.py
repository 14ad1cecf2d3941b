"""Reports e-mailed on a schedule: weekly ones on Monday, monthly ones on the 1st, at ``SEND_HOUR`` UTC, each
covering its template's rolling window up to the day before (``content.window``), as a PDF attached to a short
e-mail in the template's language, through Django's mail sending (the same path as the notification digests).

The worker's dispatcher calls ``dispatch_due`` every round. The row holds the schedule: a template is claimed by
moving its ``next_send_at`` forward in one conditional UPDATE, so two workers (or a restart) never send one report
twice; the PDF is made and mailed by a background task (``send_claimed``); when the e-mail cannot be sent, the old
time is put back and the next round tries again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from federe.core import audit
from federe.reports.models import ReportTemplate, Schedule

logger = logging.getLogger("federe.reports")
SEND_HOUR = 6


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
    """Send a claimed template's report; when the mail cannot go, put its old time back for the next round."""
    template = ReportTemplate.objects.select_related("workspace").filter(pk=pk).first()
    if template is None:
        return False
    try:
        send(template)
    except Exception:  # the mail server is down, or the PDF could not be made: the next round tries again
        logger.exception("report %s not sent; will retry", pk)
        ReportTemplate.objects.filter(pk=pk, next_send_at=following).update(next_send_at=was)
        return False
    ReportTemplate.objects.filter(pk=pk).update(last_sent_at=timezone.now())
    audit.record(
        "report.sent",
        workspace=template.workspace,
        actor_label="scheduler",
        target=template,
        details={"recipients": len(template.addresses())},
    )
    return True
