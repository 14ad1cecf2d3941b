"""Importing posts from CSV through the API: the same file, checks and report as the import page and
``federe posts import``. With ``dry_run`` nothing is created; without it, the accepted rows are created in one
transaction (approval as for composed posts) and the refused ones are left out. Safe to repeat with an
``Idempotency-Key`` header: the same key and file answer with the posts made the first time; without one, a second
call creates the rows again."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Header, Router, Schema

from federe.core.requests import ApiRequest
from federe.publishing import importing
from federe.publishing.csvread import MAX_BYTES

router = Router()


class ImportIn(Schema):
    csv: str = Field(
        ..., max_length=MAX_BYTES, description="The file's text: a header line naming the columns, then one post a row."
    )
    dry_run: bool = Field(False, description="True: the report only, nothing created.")


class RowOut(Schema):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1.")
    accepted: bool
    problems: list[str]
    notes: list[str]
    channels: list[str]
    scheduled_at: datetime | None = Field(description="UTC; for a queued row, the time it takes (or would take).")
    queued: bool


class ImportOut(Schema):
    accepted: int
    refused: int
    notes: list[str]
    rows: list[RowOut]
    created: list[int] = Field(description="The ids of the posts created, in the file's order.")


@router.post("", response=ImportOut)
def import_posts(
    request: ApiRequest, payload: ImportIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> ImportOut:
    """Check a CSV file of posts row by row and, unless ``dry_run``, create the accepted rows. Send an
    ``Idempotency-Key`` header to make a repeat safe: the same key and file answer with the first call's posts."""
    data = payload.csv.encode("utf-8", "replace")  # a lone surrogate in the JSON becomes "?"
    if payload.dry_run:
        report = importing.check_file(request.workspace, request.user, data)
    else:
        report = importing.import_posts(request.workspace, request.user, data, client_key=idempotency_key)
    if report.problems:
        raise ValidationError({"csv": report.problems})
    return ImportOut(
        accepted=len(report.accepted),
        refused=len(report.refused),
        notes=report.notes,
        rows=[
            RowOut(
                row=r.number,
                accepted=r.accepted,
                problems=r.problems,
                notes=r.notes,
                channels=r.channels,
                scheduled_at=r.when,
                queued=r.queued,
            )
            for r in report.rows
        ],
        created=[post.pk for post in report.created],
    )
