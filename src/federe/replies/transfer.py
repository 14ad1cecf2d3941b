"""Importing saved replies from rows (a CSV file's): each row checked as the page checks it; all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.core.refusals import error_text
from federe.replies import services

MAX_ROWS = 500


@dataclass
class Report:
    rows: list[services.Fields] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line of the file, what is wrong)


def import_rows(workspace: Workspace, rows: list[dict[str, str]], *, by: Any, dry_run: bool = False) -> Report:
    """Check every row (line 2 is the first after the header); create them all, or none when one is wrong."""
    report = Report()
    if len(rows) > MAX_ROWS:
        report.problems.append((1, _("Too many rows: the limit is %(max)d.") % {"max": MAX_ROWS}))
        return report
    channels = {c.name.casefold(): c.pk for c in Connection.objects.filter(workspace=workspace)}
    for line, row in enumerate(rows, start=2):
        channel = row.get("channel", "").strip()
        if channel and channel.casefold() not in channels:
            report.problems.append((line, _("No channel named %(name)s.") % {"name": channel}))
            continue
        fields = services.Fields(
            title=row.get("title", ""),
            language=row.get("language", "").strip().lower(),
            body=row.get("body", ""),
            folder=row.get("folder", ""),
            connection_id=channels.get(channel.casefold()) if channel else None,
        )
        try:
            services.check(workspace, fields, by=by)
        except (ValidationError, PermissionDenied) as exc:
            report.problems.append((line, error_text(exc)))
            continue
        report.rows.append(fields)
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        for fields in report.rows:
            services.add(workspace=workspace, fields=fields, by=by)
    return report
