"""Client report templates: which sections a workspace's report shows, in which language, with the agency's logo
and colours, and when it is e-mailed to whom. The figures themselves are never stored: a report is drawn from
``analytics`` each time it is rendered (``reports/content.py``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from federe.core.models import WorkspaceScoped

MAX_NAME = 120


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class Schedule(models.TextChoices):
    NEVER = "", _("not e-mailed")
    WEEKLY = "weekly", _("every week")
    MONTHLY = "monthly", _("every month")


class ReportTemplate(WorkspaceScoped):
    name = models.CharField(_("name"), max_length=MAX_NAME)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    #: The sections shown, in the order of ``content.SECTIONS`` (their keys).
    sections = models.JSONField(_("sections"), default=list)
    #: The rolling window: the report covers this many days up to the day before it is made.
    days = models.PositiveSmallIntegerField(_("days covered"), default=30)
    primary_colour = models.CharField(_("main colour"), max_length=7, default="#1F3A5F")
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#C8553D")
    #: The logo's file name in ``MEDIA_ROOT/report-logos/`` (re-encoded as PNG when uploaded); blank: none.
    logo = models.CharField(_("logo"), max_length=100, blank=True)
    schedule = models.CharField(_("e-mailed"), max_length=10, choices=Schedule.choices, blank=True, default="")
    #: Addresses, one a line (validated when saved).
    recipients = models.TextField(_("recipients"), blank=True)
    next_send_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    #: Failed sendings in a row (``schedule.send_claimed``): each one waits longer before the next try, and after
    #: ``schedule.MAX_FAILURES`` the schedule is paused until a member resumes it.
    send_failures = models.PositiveSmallIntegerField(default=0)
    #: The last failure's error, as the mail server or the PDF maker gave it; blank once a sending succeeds.
    last_error = models.TextField(blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    #: Paused after too many failures: ``next_send_at`` is empty until ``services.resume_schedule``.
    paused = models.BooleanField(default=False)
    #: Raised to revoke every share link made before.
    share_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["next_send_at"], name="report_next_send")]

    def __str__(self) -> str:
        return self.name

    def addresses(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]
