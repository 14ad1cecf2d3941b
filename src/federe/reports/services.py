"""Report templates: saved, deleted and shared by members allowed to (``Perm.MANAGE_REPORTS``); every value is
checked here, whoever calls (page, command, API)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.analytics.period import PRESETS
from federe.core import audit
from federe.reports import logos, schedule
from federe.reports.content import SECTIONS
from federe.reports.models import MAX_NAME, Language, ReportTemplate, Schedule

HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_RECIPIENTS = 50


@dataclass
class Fields:
    name: str
    language: str = Language.ENGLISH
    sections: list[str] = field(default_factory=lambda: list(SECTIONS))
    days: int = 30
    primary_colour: str = "#1F3A5F"
    accent_colour: str = "#C8553D"
    schedule: str = Schedule.NEVER
    recipients: list[str] = field(default_factory=list)


def allowed(by: object, workspace: Workspace) -> None:
    """Members whose role may manage reports; ``None`` is the operator at the command line."""
    if by is not None:
        require(by, workspace, Perm.MANAGE_REPORTS)


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs, NUL and the other control characters (or Unicode's line and paragraph separators): a name
    holding one would break the e-mail's subject line, so every sending of the report would fail."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def check(fields: Fields) -> None:
    """ValidationError (by field, translated) for every value that is not right."""
    errors: dict[str, list[str]] = {}
    if not fields.name.strip():
        errors["name"] = [_("Give the template a name.")]
    elif len(fields.name) > MAX_NAME:
        errors["name"] = [
            ngettext("A name is at most %(n)d character long.", "A name is at most %(n)d characters long.", MAX_NAME)
            % {"n": MAX_NAME}
        ]
    elif has_control_characters(fields.name):
        errors["name"] = [_("A name cannot hold a line break, a tab or another control character.")]
    if fields.language not in Language.values:
        errors["language"] = [_("Choose French or English.")]
    unknown = [s for s in fields.sections if s not in SECTIONS]
    if unknown:
        errors["sections"] = [_("Unknown section: %(names)s.") % {"names": ", ".join(unknown)}]
    if fields.days not in PRESETS:
        errors["days"] = [_("Choose 7, 30 or 90 days.")]
    for name in ("primary_colour", "accent_colour"):
        if not HEX.match(getattr(fields, name) or ""):
            errors[name] = [_("Give a colour as # and six hexadecimal digits, such as #1F3A5F.")]
    if fields.schedule not in Schedule.values:
        errors["schedule"] = [_("Choose every week, every month or not e-mailed.")]
    wrong = []
    for address in fields.recipients:
        try:
            validate_email(address)
        except ValidationError:
            wrong.append(address)
    if wrong:
        errors["recipients"] = [_("Not an e-mail address: %(list)s.") % {"list": ", ".join(wrong[:5])}]
    elif len(fields.recipients) > MAX_RECIPIENTS:
        errors["recipients"] = [
            ngettext("At most %(n)d address.", "At most %(n)d addresses.", MAX_RECIPIENTS) % {"n": MAX_RECIPIENTS}
        ]
    elif fields.schedule and not fields.recipients:
        errors["recipients"] = [_("Give at least one address to e-mail the report to.")]
    if errors:
        raise ValidationError(errors)


def _apply(template: ReportTemplate, fields: Fields, now: datetime) -> None:
    was = (template.schedule, template.pk)
    template.name = fields.name.strip()
    template.language = fields.language
    template.sections = [s for s in SECTIONS if s in fields.sections]
    template.days = fields.days
    template.primary_colour = fields.primary_colour.upper()
    template.accent_colour = fields.accent_colour.upper()
    template.schedule = fields.schedule
    template.recipients = "\n".join(fields.recipients)
    if not fields.schedule:
        template.next_send_at, template.paused, template.send_failures = None, False, 0
    elif template.paused:
        template.next_send_at = None  # paused after failed sendings: only resume_schedule starts it again
    elif was != (fields.schedule, template.pk) or template.next_send_at is None:
        template.next_send_at = schedule.next_after(fields.schedule, now)


def create_template(workspace: Workspace, *, by: object, fields: Fields, logo: bytes | None = None) -> ReportTemplate:
    allowed(by, workspace)
    check(fields)
    name = logos.store(logo, workspace.pk) if logo else ""
    template = ReportTemplate(workspace=workspace, logo=name)
    _apply(template, fields, timezone.now())
    with transaction.atomic():
        template.save()
        audit.record("report.created", workspace=workspace, actor=by, target=template, details={"name": template.name})
    return template


def change_template(
    template: ReportTemplate, *, by: object, fields: Fields, logo: bytes | None = None, drop_logo: bool = False
) -> ReportTemplate:
    allowed(by, template.workspace)
    check(fields)
    old_logo = template.logo
    if logo:
        template.logo = logos.store(logo, template.workspace_id)
    elif drop_logo:
        template.logo = ""
    _apply(template, fields, timezone.now())
    with transaction.atomic():
        template.save()
        audit.record(
            "report.changed", workspace=template.workspace, actor=by, target=template, details={"name": template.name}
        )
    if old_logo and old_logo != template.logo:
        logos.remove(old_logo)
    return template


def resume_schedule(template: ReportTemplate, *, by: object, now: datetime | None = None) -> ReportTemplate:
    """Start e-mailing a report paused after failed sendings (``schedule.failed``) again: the next try is at once
    (the dispatcher's next round), the count of failures starts again from zero."""
    allowed(by, template.workspace)
    if not template.schedule:
        raise ValidationError(_("This report is not e-mailed: choose every week or every month first."))
    if not template.paused:
        return template
    template.paused, template.send_failures, template.next_send_at = False, 0, now or timezone.now()
    with transaction.atomic():
        template.save(update_fields=["paused", "send_failures", "next_send_at"])
        audit.record(
            "report.resumed", workspace=template.workspace, actor=by, target=template, details={"name": template.name}
        )
    return template


def delete_template(template: ReportTemplate, *, by: object) -> None:
    allowed(by, template.workspace)
    with transaction.atomic():
        audit.record(
            "report.deleted", workspace=template.workspace, actor=by, target=template, details={"name": template.name}
        )
        template.delete()
    logos.remove(template.logo)
